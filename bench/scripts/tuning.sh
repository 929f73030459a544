#!/usr/bin/env bash
# The tuning choices of docs/PERFORMANCE.md, measured: the gateway (demo, enrichment, a 10% canary and a
# 100% shadow, as in side-by-side.sh's leg (b)) under each VARIANT, one server process per run, the
# variants' order rotating every round so drift over time hits them alike. Each run: warm-up (not
# recorded), closed loop at CONCURRENCY (throughput), open loop at RATE (p50/p99 from the intended send
# time). Reported per variant: medians over rounds, and the ratio to the baseline in the same round.
# The server's CPU time per answer is reported too: on a shared machine it is disturbed far less than
# throughput or latency.
#
# A variant is "name|JVM options|gateway flags[|traffic policy JSON, no spaces]" (the policy defaults to
# the 10% canary and 100% shadow). Variants are separated by spaces, so a variant's flags are separated by ";". The defaults, against the baseline (the gateway's defaults: epoll,
# handlers on the event loop, Netty's adaptive allocator for gRPC and HTTP, G1, one event loop per core, no leak
# detection, shadows and monitoring parking 5 ms and longer while idle):
#   nio               Netty's NIO transport instead of epoll          -Dio.netty.transport.noNative=true
#   pool-executor     gRPC handlers on a 2-thread pool, not the loop  --grpc-executor-threads=2
#   io-threads-1      one event loop instead of one per core          --io-threads=1
#   grpc-pooled-alloc grpc-netty's own pooled allocator               --grpc-allocator=grpc
#   unpooled-alloc    unpooled buffers                                -Dio.netty.allocator.type=unpooled
#   parallel-gc       the parallel collector instead of G1            -XX:+UseParallelGC
#   zgc               ZGC                                             -XX:+UseZGC
#   shadow-backoff    shadows spin, yield, then park 10 µs-1 ms       --shadow-idle-sleep-us=0
#   champion-only     no canary, no shadow: what those two cost       policy {"champion":"1"}
#   leak-simple       Netty's own default leak detection (simple)     --netty-leak-detection=simple
#
# Usage: ROUNDS=3 SERVER_WARMUP=20s WARMUP=5s DURATION=15s CONCURRENCY=32 RATE=4000 PROTOCOL=grpc BUILD=0 \
#   VARIANTS="baseline|| nio|-Dio.netty.transport.noNative=true|" bench/scripts/tuning.sh
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/bench/scripts/lib.sh"
ROUNDS="${ROUNDS:-3}"
SERVER_WARMUP="${SERVER_WARMUP:-20s}"
WARMUP="${WARMUP:-5s}"
# the open loop's warm-up: each measurement starts a new generator JVM, and at a fixed rate a generator still
# compiling falls behind and drains a backlog into the measured window (p99s of a second at 4,000/s with 5 s;
# 1.8 ms with 20 s, on the same gateway), which is the generator's latency, not the gateway's
OPEN_WARMUP="${OPEN_WARMUP:-20s}"
DURATION="${DURATION:-15s}"
CONCURRENCY="${CONCURRENCY:-32}"
RATE="${RATE:-4000}"
PROTOCOL="${PROTOCOL:-grpc}"
CONNECTIONS="${CONNECTIONS:-}"
BUILD="${BUILD:-1}"
MVN_FLAGS="${MVN_FLAGS:-}"
BASE_JVM_OPTS="${BASE_JVM_OPTS:--Xms1g -Xmx1g}"
LG_JVM_OPTS="${LG_JVM_OPTS:--Xms512m -Xmx512m}"
OUT="${OUT:-$ROOT/bench/target/tuning-$(date +%Y%m%d-%H%M%S)}"
DEFAULT_VARIANTS="baseline|| nio|-Dio.netty.transport.noNative=true| pool-executor||--grpc-executor-threads=2 \
io-threads-1||--io-threads=1 grpc-pooled-alloc||--grpc-allocator=grpc \
unpooled-alloc|-Dio.netty.allocator.type=unpooled| parallel-gc|-XX:+UseParallelGC| zgc|-XX:+UseZGC| \
shadow-backoff||--shadow-idle-sleep-us=0 champion-only|||{\"champion\":\"1\"} \
leak-simple||--netty-leak-detection=simple"
read -r -a VARIANT_LIST <<<"${VARIANTS:-$DEFAULT_VARIANTS}"

prepare_run
MODELS="$OUT/models"
demo_models "$GATEWAY_JAR" "$MODELS"
CSV="$OUT/results.csv"
RUNS="$OUT/runs.csv"
echo "variant,round,mode,throughput,p50_us,p99_us,server_cpu_us,errors,load1" >"$RUNS"

# measure VARIANT ROUND MODE ARGS...: one recorded load generator run against the running gateway
# (the gateway's CPU µs per answer over the measured window: the generator's --server-pid)
measure() {
  local variant="$1" round="$2" mode="$3"; shift 3
  local port; [[ "$PROTOCOL" == http ]] && port="$GW_HTTP" || port="$GW_GRPC"
  generate --target "127.0.0.1:$port" --protocol "$PROTOCOL" --warmup "$WARMUP" --duration "$DURATION" \
    --label "$variant" --csv "$CSV" --mode "$mode" --server-pid "$GW_PID" "$@"
  tail -1 "$CSV" | awk -F, -v v="$variant" -v r="$round" -v m="$mode" -v c="$(column server_cpu_us)" \
    -v t="$(column throughput)" -v p50="$(column p50_us)" -v p99="$(column p99_us)" \
    -v e="$(column errors)" -v load="$(cut -d' ' -f1 /proc/loadavg)" \
    '{ printf "%s,%s,%s,%s,%s,%s,%s,%s,%s\n", v, r, m, $t, $p50, $p99, $c, $e, load }' >>"$RUNS"
}

COUNT=${#VARIANT_LIST[@]}
for ROUND in $(seq "$ROUNDS"); do
  for i in $(seq 0 $((COUNT - 1))); do
    spec="${VARIANT_LIST[$(( (i + ROUND - 1) % COUNT ))]}"
    IFS='|' read -r name jvm flags policy <<<"$spec"
    flags="${flags//;/ }"
    log "round $ROUND/$ROUNDS: $name (JVM: $BASE_JVM_OPTS $jvm; flags: ${flags:-none})"
    # shellcheck disable=SC2086 # the flags are words
    start_gateway GW "$name" "$OUT/$name-r$ROUND.log" "$OUT/state" "$BASE_JVM_OPTS $jvm" $flags
    set_policy "$GW_ADMIN" "${policy:-$CANARY_AND_SHADOW}" "$OUT/traffic.json" \
      || { log "setting the policy failed: $(cat "$OUT/traffic.json")"; exit 1; }
    generate --target "127.0.0.1:$([[ "$PROTOCOL" == http ]] && echo "$GW_HTTP" || echo "$GW_GRPC")" \
      --protocol "$PROTOCOL" --mode closed --concurrency "$CONCURRENCY" --warmup 0s --duration "$SERVER_WARMUP" \
      --label "$name-warm-up"
    measure "$name" "$ROUND" closed --concurrency "$CONCURRENCY"
    WARMUP="$OPEN_WARMUP" measure "$name" "$ROUND" open --rate "$RATE"
    stop_all
  done
done

# field VARIANT MODE FIELD: FIELD of every round of VARIANT in MODE; vs_baseline VARIANT MODE FIELD: its median ratio to the baseline
field() { rounds_of "$RUNS" "$1" 3 "$2" "$3"; }
vs_baseline() { ratio_to "$RUNS" baseline "$1" 3 "$2" 2 "$3"; }
{
  echo
  echo "tuning: $PROTOCOL, closed loop at $CONCURRENCY in flight, open loop at $RATE/s; $ROUNDS round(s) of $DURATION; medians"
  echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg); base JVM options: $BASE_JVM_OPTS"
  echo
  printf '%-16s %10s %7s %9s %7s %10s %10s %7s %9s %7s\n' variant "req/s" "ratio" "cpu µs" "ratio" \
    "open p50" "open p99" "ratio" "open cpu" "errors"
  for spec in "${VARIANT_LIST[@]}"; do
    IFS='|' read -r name _ _ _ <<<"$spec"
    printf '%-16s %10.0f %7s %9s %7s %10s %10s %7s %9s %7s\n' "$name" \
      "$(field "$name" closed throughput | median)" "$(vs_baseline "$name" closed throughput)" \
      "$(field "$name" closed server_cpu_us | median)" "$(vs_baseline "$name" closed server_cpu_us)" \
      "$(field "$name" open p50_us | median)" "$(field "$name" open p99_us | median)" "$(vs_baseline "$name" open p99_us)" \
      "$(field "$name" open server_cpu_us | median)" "$(field "$name" open errors | awk '{ s += $1 } END { print s + 0 }')"
  done
  echo "(ratios: median over rounds of the variant over the baseline in the same round; cpu: the gateway's CPU µs"
  echo " per answer over the measured window; latencies in µs from the intended send time; every run: $RUNS)"
} | tee "$OUT/summary.txt"
