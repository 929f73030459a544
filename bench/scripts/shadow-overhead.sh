#!/usr/bin/env bash
# What does a 100% shadow cost the champion's answers? One gateway on the demo, the same open-loop
# load, alternating rounds without and with a shadow (version 2 shadowing champion 1, set through the
# admin API), medians of the champion's p50/p99 from the intended send time.
#
#   bench/scripts/shadow-overhead.sh            # RATE=500 ROUNDS=5 WARMUP=10s DURATION=20s
set -euo pipefail
cd "$(dirname "$0")/../.."
RATE=${RATE:-500}; ROUNDS=${ROUNDS:-5}; WARMUP=${WARMUP:-10s}; DURATION=${DURATION:-20s}
out=$(mktemp -d /tmp/shadow-overhead.XXXX)
[ "${BUILD:-1}" = 1 ] && mvn -B -q install -DskipTests >/dev/null

java -jar gateway/target/scoring-gateway.jar --http-port 0 --grpc-port 0 --admin-port 0 \
  --state-dir "$out/state" > "$out/gateway.log" 2>&1 &
gateway=$!
trap 'kill $gateway 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do grep -q "serving:" "$out/gateway.log" && break; sleep 0.5; done
grpc=$(sed -n 's/.*gRPC on port \([0-9]*\).*/\1/p' "$out/gateway.log")
admin=$(sed -n 's/.*admin on port \([0-9]*\).*/\1/p' "$out/gateway.log")

policy() { curl -sf -X PUT "localhost:$admin/admin/models/credit-risk/traffic" -d "$1" >/dev/null; }
run() {
  java -cp bench/target/benchmarks.jar io.scoring.bench.load.LoadGenerator --target "127.0.0.1:$grpc" \
    --mode open --rate "$RATE" --warmup "$WARMUP" --duration "$DURATION" --label "$1" --csv "$out/runs.csv" \
    > "$out/$1-$2.txt"
}
# one unrecorded run per setup first: on two busy cores the JIT needs a while for gRPC's and Netty's paths
policy '{"champion":"1","shadows":[{"version":"2","percent":100}]}'
java -cp bench/target/benchmarks.jar io.scoring.bench.load.LoadGenerator --target "127.0.0.1:$grpc" \
  --mode open --rate "$RATE" --warmup 0s --duration "${SERVER_WARMUP:-30s}" > "$out/server-warmup.txt"
for round in $(seq 1 "$ROUNDS"); do
  for setup in no-shadow shadow-100; do
    if [ "$setup" = shadow-100 ]; then
      policy '{"champion":"1","shadows":[{"version":"2","percent":100}]}'
    else
      policy '{"champion":"1"}'
    fi
    run "$setup" "$round"
  done
done
curl -s "localhost:$admin/admin/models" | grep -o '"runtime":"[a-z-]*"' | sort -u | tr '\n' ' '; echo
echo "shadow stats: $(curl -s "localhost:$(sed -n 's/.*HTTP on port \([0-9]*\).*/\1/p' "$out/gateway.log")/metrics" \
  | grep -E '^scoring_shadow_(scored|dropped|errors)_total' | tr '\n' ' ')"
# medians per setup of p50_us (col 16) and p99_us (col 18) from the CSV
python3 - "$out/runs.csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for label in ("no-shadow", "shadow-100"):
    runs = [r for r in rows if r["label"] == label]
    p50 = statistics.median(float(r["p50_us"]) for r in runs)
    p99 = statistics.median(float(r["p99_us"]) for r in runs)
    tput = statistics.median(float(r["throughput"]) for r in runs)
    lag = statistics.median(float(r["send_lag_p99_us"]) for r in runs)
    print(f"{label:11s} runs {len(runs)}  throughput {tput:8.1f}/s  p50 {p50:8.1f} us  p99 {p99:8.1f} us"
          f"  (generator send lag p99 {lag:.0f} us)")
PY
echo "details: $out"
