#!/usr/bin/env bash
# What a rollout in progress costs the requests (issue 15, "Cost"; docs/PERFORMANCE.md "Rollouts"): one gateway
# on the demo (credit-risk/3 a copy of version 2), the same 10% canary of version 3 either set by hand ("canary")
# or held by a rollout at its first step ("rollout": the judge's windows recording every request, the rollout
# thread ticking; a step of an hour that no run ends), the two alternating, their order reversed every other
# round; a rollout is measured SETTLE seconds after it reached its step (what starting one costs is not the
# question). Closed loop at CONCURRENCY over gRPC; per run the throughput and the gateway's CPU µs per answer, and
# per round the ratio rollout / canary. The health probes run in both (a minute apart, off the request path).
#
# Usage: PIN=1 ROUNDS=3 WARMUP=5s DURATION=10s SERVER_WARMUP=30s CONCURRENCY=32 BUILD=0 bench/scripts/rollout-cost.sh
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=lib.sh
source "$ROOT/bench/scripts/lib.sh"
ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-5s}"
DURATION="${DURATION:-10s}"
SERVER_WARMUP="${SERVER_WARMUP:-30s}"
SETTLE="${SETTLE:-10}"                    # seconds between a rollout reaching its step and the run's warm-up
CONCURRENCY="${CONCURRENCY:-32}"
BUILD="${BUILD:-1}"
MVN_FLAGS="${MVN_FLAGS:-}"
LG_JVM_OPTS="${LG_JVM_OPTS:--Xms512m -Xmx512m}"
OUT="${OUT:-$ROOT/bench/target/rollout-cost-$(date +%Y%m%d-%H%M%S)}"
CSV="$OUT/results.csv"
RUNS="$OUT/runs.csv"

prepare_run
MODELS="$OUT/models"
demo_models "$GATEWAY_JAR" "$MODELS"
start_gateway GW gateway "$OUT/gateway.log" "$OUT/state" "-Xms1g -Xmx1g"
ADMIN="http://127.0.0.1:$GW_ADMIN/admin/models/credit-risk"
log "gateway: gRPC $GW_GRPC, admin $GW_ADMIN; machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

canary() { set_policy "$GW_ADMIN" '{"champion":"1","canary":{"version":"3","percent":10}}' "$OUT/policy.json"; }
rollout() {
  curl -sf -X POST "$ADMIN/rollout" -H 'Content-Type: application/json' \
    -d '{"version":"3","steps":[10],"step_seconds":3600,"min_requests":1000000000,"gate":"skip"}' >"$OUT/rollout.json"
  for _ in $(seq 300); do
    curl -sf "$ADMIN/rollout" | grep -q '"percent" *: *10\(\.0\)\?[,}]' && { sleep "$SETTLE"; return 0; }
    sleep 0.1
  done
  log "the rollout did not reach its 10% step:"; cat "$OUT/rollout.json" >&2; curl -s "$ADMIN/rollout" >&2; exit 1
}
end_rollout() { curl -sf -X POST "$ADMIN/rollout/abort" >/dev/null || true; }

# CPU clock ticks (utime + stime) of the gateway's threads named $2: the rollout thread's share of the gateway's
# CPU (lib.sh's cpu_ticks) is what the judge's ticks cost, apart from the closed loop's noise
thread_ticks() { # PID THREAD_NAME
  local ticks=0 task
  for task in /proc/"$1"/task/*; do
    [[ "$(cat "$task/comm" 2>/dev/null)" == "$2" ]] && ticks=$(( ticks + $(awk '{ print $14 + $15 }' "$task/stat") ))
  done
  echo "$ticks"
}

echo "variant,protocol,round,throughput,server_cpu_us,errors,load1,rollout_thread_cpu_share" >"$RUNS"
measure() { # VARIANT ROUND
  local process_before driver_before share
  process_before=$(cpu_ticks "$GW_PID"); driver_before=$(thread_ticks "$GW_PID" rollout-driver)
  generate --target "127.0.0.1:$GW_GRPC" --protocol grpc --mode closed --concurrency "$CONCURRENCY" \
    --warmup "$WARMUP" --duration "$DURATION" --label "$1" --csv "$CSV" --server-pid "$GW_PID"
  share=$(awk -v p=$(( $(cpu_ticks "$GW_PID") - process_before )) -v d=$(( $(thread_ticks "$GW_PID" rollout-driver) - driver_before )) \
    'BEGIN { printf "%.5f", (p > 0 ? d / p : 0) }')
  tail -1 "$CSV" | awk -F, -v v="$1" -v r="$2" -v t="$(column throughput)" -v c="$(column server_cpu_us)" -v s="$share" \
    -v e="$(column errors)" -v load="$(cut -d' ' -f1 /proc/loadavg)" '{ printf "%s,grpc,%s,%s,%s,%s,%s,%s\n", v, r, $t, $c, $e, load, s }' >>"$RUNS"
}

canary
log "warming the gateway for $SERVER_WARMUP (not recorded; it also fills the replay samples)"
generate --target "127.0.0.1:$GW_GRPC" --protocol grpc --mode closed --concurrency "$CONCURRENCY" \
  --warmup 0s --duration "$SERVER_WARMUP" --label warm-up >/dev/null
for ROUND in $(seq "$ROUNDS"); do
  order=(canary rollout); (( ROUND % 2 == 0 )) && order=(rollout canary)
  for variant in "${order[@]}"; do
    log "round $ROUND/$ROUNDS: $variant"
    if [[ "$variant" == rollout ]]; then rollout; measure rollout "$ROUND"; end_rollout; else canary; measure canary "$ROUND"; fi
  done
done

{
  echo
  echo "rollout cost: gRPC closed loop at $CONCURRENCY in flight, $ROUNDS round(s) of $DURATION; a 10% canary of a copy of version 2"
  echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)$([[ "${PIN:-0}" == 1 ]] && echo "; gateway on core 0, generator on core 1")"
  printf '%-8s %10s %9s %8s\n' variant "req/s" "cpu µs" errors
  for variant in canary rollout; do
    printf '%-8s %10s %9s %8s\n' "$variant" "$(rounds_of "$RUNS" "$variant" 2 grpc throughput | median)" \
      "$(rounds_of "$RUNS" "$variant" 2 grpc server_cpu_us | median)" \
      "$(rounds_of "$RUNS" "$variant" 2 grpc errors | awk '{ s += $1 } END { print s + 0 }')"
  done
  echo "rollout / canary, median of the per-round ratio: throughput $(ratio_to "$RUNS" canary rollout 2 grpc 3 throughput)," \
    "CPU per answer $(ratio_to "$RUNS" canary rollout 2 grpc 3 server_cpu_us)"
  echo "the rollout thread's share of the gateway's CPU, median: $(rounds_of "$RUNS" rollout 2 grpc rollout_thread_cpu_share | median)" \
    "(canary legs: $(rounds_of "$RUNS" canary 2 grpc rollout_thread_cpu_share | median))"
  echo "every run: $RUNS"
} | tee "$OUT/summary.txt"
