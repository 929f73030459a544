#!/usr/bin/env bash
# The gateway's end-to-end latency with each feature store: embedded, Redis (Feast layout), Redis with
# the near cache. Three gateways on the demo, one redis-server, the same open-loop load against each
# in turn, alternating the order every round; medians of p50/p99 from the intended send time.
#
#   bench/scripts/feature-store-latency.sh      # RATE=500 ROUNDS=5 WARMUP=10s DURATION=20s; needs redis-server
set -euo pipefail
cd "$(dirname "$0")/../.."
RATE=${RATE:-500}; ROUNDS=${ROUNDS:-5}; WARMUP=${WARMUP:-10s}; DURATION=${DURATION:-20s}
command -v redis-server >/dev/null || { echo "needs redis-server on the PATH (apt-get install redis-server)"; exit 2; }
out=$(mktemp -d /tmp/feature-store-latency.XXXX)
[ "${BUILD:-1}" = 1 ] && mvn -B -q install -DskipTests >/dev/null

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no > "$out/redis.log" 2>&1 &
pids+=($!)
sleep 1
java -jar gateway/target/scoring-gateway.jar load-features "redis://127.0.0.1:$redis_port"

declare -A port
start() { # name, extra flags... (not in a subshell: the trap must know every pid)
  local name=$1; shift
  java -jar gateway/target/scoring-gateway.jar --http-port 0 --grpc-port 0 --admin-port 0 \
    --state-dir "$out/$name-state" "$@" > "$out/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 120); do grep -q "serving:" "$out/$name.log" && break; sleep 0.5; done
  port[$name]=$(sed -n 's/.*gRPC on port \([0-9]*\).*/\1/p' "$out/$name.log")
}
start embedded
start redis --features "redis://127.0.0.1:$redis_port"
start redis-near-cache --features "redis://127.0.0.1:$redis_port" --redis-near-cache-size 10000 --redis-near-cache-ttl-ms 60000

# one unrecorded run per gateway first: on two busy cores the JIT needs a while for gRPC's and Netty's paths
for store in embedded redis redis-near-cache; do
  java -cp bench/target/benchmarks.jar io.scoring.bench.load.LoadGenerator --target "127.0.0.1:${port[$store]}" \
    --mode open --rate "$RATE" --warmup 0s --duration "${SERVER_WARMUP:-20s}" > "$out/$store-warmup.txt"
done
order=(embedded redis redis-near-cache)
for round in $(seq 1 "$ROUNDS"); do
  for store in "${order[@]}"; do
    java -cp bench/target/benchmarks.jar io.scoring.bench.load.LoadGenerator --target "127.0.0.1:${port[$store]}" \
      --mode open --rate "$RATE" --warmup "$WARMUP" --duration "$DURATION" --label "$store" --csv "$out/runs.csv" \
      > "$out/$store-$round.txt"
  done
  order=("${order[@]:1}" "${order[0]}") # rotate: each store runs first once
done
python3 - "$out/runs.csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for label in ("embedded", "redis", "redis-near-cache"):
    runs = [r for r in rows if r["label"] == label]
    med = lambda k: statistics.median(float(r[k]) for r in runs)
    print(f"{label:17s} runs {len(runs)}  throughput {med('throughput'):8.1f}/s  errors {med('errors'):.0f}"
          f"  p50 {med('p50_us'):8.1f} us  p99 {med('p99_us'):8.1f} us  (generator send lag p99 {med('send_lag_p99_us'):.0f} us)")
PY
echo "details: $out"
