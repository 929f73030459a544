#!/usr/bin/env bash
# Slow and hostile clients (issue 16; docs/PERFORMANCE.md "Slow and hostile clients"): the gateway's memory
# and a well-behaved client's latency, without and with 10,000 idle HTTP connections, slowloris connections,
# requests with oversized headers and a gRPC client that never reads its answers (HostileClients), all at
# once. The gateway (default settings, the demo) pinned to core 0, the clients to core 1.
#
#   mvn -B -o -q -pl gateway,bench -am package -DskipTests && bench/scripts/slow-clients.sh
#   IDLE=10000 RATE=1000 DURATION=20s bench/scripts/slow-clients.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${OUT:-$ROOT/target/slow-clients}"
PIN=1
source "$ROOT/bench/scripts/lib.sh"

IDLE="${IDLE:-10000}"
RATE="${RATE:-1000}"
DURATION="${DURATION:-20s}"
LG_JVM_OPTS="${LG_JVM_OPTS:--Xmx512m}"
GATEWAY_JVM="${GATEWAY_JVM:--Xmx512m}"

BUILD=0 prepare_run  # the jars as built by the command above, copied; traps stop what is started
MODELS="$OUT/models"
demo_models "$GATEWAY_JAR" "$MODELS"
CSV="$OUT/results.csv"
rm -f "$CSV"
log "machine: $(nproc) cores; $(uptime | sed 's/.*load average/load average/'); ulimit -n $(ulimit -n)"

rss_mib() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

start_gateway GW gateway "$OUT/gateway.log" "$OUT/state" "$GATEWAY_JVM" --payload-log-dir off
log "gateway RSS at rest: $(rss_mib "$GW_PID") MiB"
generate --target "127.0.0.1:$GW_GRPC" --mode open --rate "$RATE" --warmup 5s --duration "$DURATION" --label alone --csv "$CSV"
RSS_ALONE=$(rss_mib "$GW_PID")

$LG_PIN java -Xmx512m -cp "$BENCH_JAR" io.scoring.bench.load.HostileClients --http "127.0.0.1:$GW_HTTP" \
  --grpc "127.0.0.1:$GW_GRPC" --idle "$IDLE" --slowloris 200 --oversized 1000 --non-reading 5000 \
  --hold "$(( ${DURATION%s} + 15 ))s" >"$OUT/hostile.out" 2>&1 &
HOSTILE=$!
for _ in $(seq 300); do grep -q '^holding' "$OUT/hostile.out" && break; sleep 0.1; done
grep '^holding' "$OUT/hostile.out" >&2 || { cat "$OUT/hostile.out" >&2; exit 1; }
RSS_HELD=$(rss_mib "$GW_PID")
generate --target "127.0.0.1:$GW_GRPC" --mode open --rate "$RATE" --warmup 5s --duration "$DURATION" --label hostile --csv "$CSV"
RSS_DURING=$(rss_mib "$GW_PID")
wait "$HOSTILE" || true
cat "$OUT/hostile.out" >&2

printf '\n| run | p50 µs | p99 µs | p99.9 µs | ok | errors | gateway RSS MiB |\n|---|---|---|---|---|---|---|\n'
for label in alone hostile; do
  rss=$RSS_ALONE; [[ $label == hostile ]] && rss="$RSS_HELD held, $RSS_DURING after the run"
  awk -F, -v l="$label" -v rss="$rss" -v p50="$(column p50_us)" -v p99="$(column p99_us)" -v p999="$(column p999_us)" \
    -v ok="$(column ok)" -v e="$(column errors)" 'NR > 1 && $1 == l { printf "| %s | %s | %s | %s | %s | %s | %s |\n", l, $p50, $p99, $p999, $ok, $e, rss }' "$CSV"
done
