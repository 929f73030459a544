#!/usr/bin/env bash
# Overload, concurrency limit off and on side by side (issue 16; docs/PERFORMANCE.md "Overload").
#
# The gateway pinned to core 0, the load generator to core 1 (taskset). The model is expensive, so the
# gateway, not the generator, is the bottleneck: an MLP trained on German Credit (training's
# TrainOverloadMlp, three hidden layers of 1024, 1024 and 512), served by ONNX Runtime. For each limit
# setting the load generator's overload scenario (io.scoring.bench.load.Overload) measures the capacity
# (closed loop), then, after OVERLOAD_WARMUP (10 s) at 4x not recorded, so the refusal paths are compiled,
# runs open loop at 0.5x, 1x, 2x and 4x of it with a deadline on every call, each after a 5 s closed loop
# that measures the capacity next to it, then 4x for PHASE and 0.5x after, to see how soon latency is back to
# normal.
#
#   mvn -B -o -q -pl gateway,bench -am package -DskipTests && bench/scripts/overload.sh
#   LIMITS="off gradient2 vegas" DEADLINE=200ms DURATION=10s bench/scripts/overload.sh
#   LIMITS="gradient2" SCORING_NICES="0 10" bench/scripts/overload.sh   # the scoring threads at nice 10, side by side
#
# Last, the machine's own hiccups on each idle core (io.scoring.bench.load.Hiccups, 15 s each, into hiccups.txt),
# and the same scenario against the bare gRPC echo server (io.scoring.bench.load.EchoServer) pinned the same
# way, at the same rates (FLOOR=0 skips both): the floor of this machine. An echo refuses nothing, and its
# answers' p99 from their send (ok_service_p99_ms) is the least a refusal's p99 can be here; its "back to
# normal" says how often a bucket's p99 leaves 2x of the 0.5x p99 with no overload behind it at all.
# LIMITS=" " CAPACITY=N runs the floor alone.
#
# The table gives refusals at the edge and calls shed from the scoring queue apart (the generator knows a shed
# one by its message, RequestCycle.SHED_PREFIX): both are RESOURCE_EXHAUSTED, but only the first is answered
# by the event loop in microseconds.
#
# Writes target/overload/overload.csv (one row per run) and prints it as the table PERFORMANCE.md shows; each
# gateway's threads' CPU per second (scoring, event loops, JIT, GC, other; % of a core) in threads-<series>.txt.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${OUT:-$ROOT/target/overload}"
PIN=1
source "$ROOT/bench/scripts/lib.sh"

DEADLINE="${DEADLINE:-200ms}"
WARMUP="${WARMUP:-3s}"
DURATION="${DURATION:-10s}"
PHASE="${PHASE:-10s}"
AFTER="${AFTER:-5s}"
OVERLOAD_WARMUP="${OVERLOAD_WARMUP:-10s}"   # unrecorded, at 4x, before the rates: the refusal paths compiled (0s: none)
LIMITS="${LIMITS:-off gradient2}"
# nice values for the limit's scoring threads ("0" leaves them be), through the JVM's own mapping of their
# Thread.MIN_PRIORITY (-XX:ThreadPriorityPolicy=1): Linux ignores Java thread priorities otherwise, and on a
# core the event loop shares with them, a refusal waits for its turn behind their scoring
SCORING_NICES="${SCORING_NICES:-0}"
HIDDEN="${HIDDEN:-1024,1024,512}"
LG_JVM_OPTS="${LG_JVM_OPTS:--Xmx512m}"
GATEWAY_JVM="${GATEWAY_JVM:--Xmx512m}"
GATEWAY_FLAGS="${GATEWAY_FLAGS:-}"        # extra gateway flags, e.g. --concurrency-limit-max=200
FLOOR="${FLOOR:-1}"

BUILD=0 prepare_run  # the jars as built by the command above, copied; traps stop what is started

MODELS="${MODELS:-$OUT/mlp-models}"
if [[ ! -f "$MODELS/credit-risk/1/model.onnx" ]]; then
  log "training the MLP ($HIDDEN) on German Credit into $MODELS"
  (cd "$ROOT" && mvn -B -q -pl training -am compile dependency:build-classpath -Dmdep.outputFile="$OUT/training.cp")
  java -cp "$ROOT/training/target/classes:$(cat "$OUT/training.cp")" io.scoring.training.TrainOverloadMlp "$ROOT" "$MODELS" "$HIDDEN"
fi
CSV="$OUT/overload.csv"
rm -f "$CSV" "$OUT/hiccups.txt"
log "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); $(uptime | sed 's/.*load average/load average/')"

run_overload() {  # LABEL PORT: the generator's overload scenario against a server already started
  $LG_PIN java $LG_JVM_OPTS -cp "$BENCH_JAR" io.scoring.bench.load.Overload --target "127.0.0.1:$2" \
    "${CAPACITY_FLAG[@]}" --timeout "$DEADLINE" --warmup "$WARMUP" --duration "$DURATION" --phase "$PHASE" --after "$AFTER" \
    --overload-warmup "$OVERLOAD_WARMUP" \
    --label "$1" --csv "$CSV" | tee "$OUT/overload-$1.out" | grep -v '^label,\|^limit-\|^echo-' >&2 &
  LG_PID=$!
  wait "$LG_PID"
  LG_PID=""
}

# CAPACITY=<answers/s> skips the measurement (to compare with an earlier run at the same rates)
CAPACITY_FLAG=(); if [[ -n "${CAPACITY:-}" ]]; then CAPACITY_FLAG=(--capacity "$CAPACITY"); fi
for limit in $LIMITS; do
  for nice in $SCORING_NICES; do
    if [[ "$limit" == off && "$nice" != 0 ]]; then continue; fi  # no scoring threads without a limit
    label="limit-$limit"; if [[ "$nice" != 0 ]]; then label="$label-nice$nice"; fi
    jvm="$GATEWAY_JVM"; if [[ "$nice" != 0 ]]; then jvm="$jvm -XX:ThreadPriorityPolicy=1 -XX:JavaPriority1_To_OSPriority=$nice"; fi
    # shellcheck disable=SC2086  # GATEWAY_FLAGS is a list of flags
    start_gateway GW "gateway-$label" "$OUT/gateway-$label.log" "$OUT/state-$label" "$jvm" \
      --runtime onnxruntime --concurrency-limit "$limit" --payload-log-dir off $GATEWAY_FLAGS
    thread_cpu "$GW_PID" "$OUT/threads-$label.txt" &  # who had core 0, each second; ends with the gateway
    run_overload "$label" "$GW_GRPC"
    stop_all
    if [[ ${#CAPACITY_FLAG[@]} == 0 ]]; then
      # one capacity for every setting: the first one's (the limit off), so the rates are the same side by side
      CAPACITY_FLAG=(--capacity "$(awk -F, 'NR == 2 { print $4 }' "$CSV")")
    fi
  done
done

if [[ "$FLOOR" == 1 ]]; then
  # how late each core lets a thread run, with nothing else on it: what no server can beat here
  for core in 0 1; do
    taskset -c "$core" java -Xmx64m -cp "$BENCH_JAR" io.scoring.bench.load.Hiccups --seconds 15 --label "core $core, idle" \
      | tee -a "$OUT/hiccups.txt" >&2
  done
  start echo "$OUT/echo.log" "^echo: gRPC on port.*threads)" $SERVER_PIN java $GATEWAY_JVM -cp "$BENCH_JAR" io.scoring.bench.load.EchoServer \
    --grpc-port 0 --http-port -1
  run_overload echo-floor "$(sed -n 's/^echo: gRPC on port \([0-9]*\).*/\1/p' "$OUT/echo.log")"
  stop_all
fi

printf '\n| series | load | rate /s | goodput /s | goodput / capacity | goodput / own capacity | ok p50 ms | ok p99 ms | ok p99 from send ms | refused at the edge | its p99 ms | shed from the queue | its p99 ms | late | other | back to normal after |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n'
awk -F, 'function v(x) { return tolower(x) == "nan" ? "-" : x }
  NR > 1 && $1 != "label" { printf "| %s | %sx | %s | %s | %s | %s (%s/s) | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $7,
  $8, $18, $17, $9, $10, v($16), $11, v($12), $19, v($20), $13, $14, (tolower($15) == "nan" ? "-" : $15 " ms") }' "$CSV"
log "deadline $DEADLINE per call; rows in $CSV; per-run detail in $OUT/overload-*.out"
