#!/usr/bin/env bash
# Side-by-side benchmark (issue 6, item 4), first version: the gateway against the transport floor, in
# one run on one machine, with the same load generator, settings and payload size.
#
#   (a) echo     the bare gRPC echo server (io.scoring.bench.load.EchoServer): the transport floor
#   (b) gateway  the gateway on the demo: enrichment from the embedded store, champion 1, a 10% canary
#                (version 2) and a 100% shadow (version 3, a copy of version 2)
#   (c) compute  in-process scoring (the compute floor): JMH PredictPathBenchmark, not the load generator
#   (d) nginx    TODO: split_clients + mirror in front of the gateway (nginx is not installed here)
#
# Runs alternate between (a) and (b), ROUNDS times, closed loop at each of CONCURRENCIES, then open loop
# at OPEN_FRACTIONS of the echo's saturation rate (its median closed-loop throughput at the highest
# concurrency), or at OPEN_RATES, and always at half of it, where the issue's latency target is.
# Prints medians and the issue's ratios:
#   gateway / echo throughput at the same concurrency        target >= 0.8
#   gateway p99 / echo p99 at half the echo's saturation     target <= 1.25
#
# Usage: bench/scripts/side-by-side.sh            (from anywhere; settings from the environment:)
#   ROUNDS=3 WARMUP=10s SERVER_WARMUP=30s DURATION=15s CONCURRENCIES="8 32" OPEN_FRACTIONS="0.25 0.5 0.75" PROTOCOL=grpc \
#   OPEN_RATES="" CONNECTIONS="" BUILD=1 COMPUTE=1 \
#   MVN_FLAGS="-o" OUT=bench/target/side-by-side-<time> bench/scripts/side-by-side.sh
# Everything it starts is stopped on exit (trap), by process id.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-10s}"
SERVER_WARMUP="${SERVER_WARMUP:-30s}"      # once per server before round 1: gRPC's path takes C2 a while
DURATION="${DURATION:-15s}"
CONCURRENCIES="${CONCURRENCIES:-8 32}"
OPEN_FRACTIONS="${OPEN_FRACTIONS:-0.25 0.5 0.75}"   # of the echo's saturation rate
OPEN_RATES="${OPEN_RATES:-}"                         # or these rates (req/s); half the saturation rate is always run
PROTOCOL="${PROTOCOL:-grpc}"              # grpc, grpc-v2 or http (http loads the echo's HTTP port)
CONNECTIONS="${CONNECTIONS:-}"            # gRPC channels / HTTP connections; empty: the generator's default
                                          # (gRPC: one per core; HTTP: one per request in flight)
BUILD="${BUILD:-1}"
COMPUTE="${COMPUTE:-1}"
MVN_FLAGS="${MVN_FLAGS:-}"
OUT="${OUT:-$ROOT/bench/target/side-by-side-$(date +%Y%m%d-%H%M%S)}"
LG_JVM_OPTS="${LG_JVM_OPTS:--Xms512m -Xmx512m}"
SERVER_JVM_OPTS="${SERVER_JVM_OPTS:-}"    # the same for the echo and the gateway

mkdir -p "$OUT"
PIDS=()
LG_PID=""
stop_all() {
  [[ -n "$LG_PID" ]] && kill "$LG_PID" 2>/dev/null
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
}
trap stop_all EXIT
trap 'exit 130' INT TERM

log() { printf '[side-by-side] %s\n' "$*" >&2; }

# ---- build once; run from copies so a rebuild elsewhere cannot swap a jar mid-run
if [[ "$BUILD" == 1 ]]; then
  log "building (mvn -B -q $MVN_FLAGS install -DskipTests)"
  (cd "$ROOT" && mvn -B -q $MVN_FLAGS install -DskipTests)
fi
cp "$ROOT/gateway/target/scoring-gateway.jar" "$ROOT/bench/target/benchmarks.jar" "$OUT/"
GATEWAY_JAR="$OUT/scoring-gateway.jar"
BENCH_JAR="$OUT/benchmarks.jar"

# start NAME LOGFILE PATTERN COMMAND...: starts COMMAND in the background, waits for PATTERN in its log
start() {
  local name="$1" logfile="$2" pattern="$3"; shift 3
  "$@" >"$logfile" 2>&1 &
  PIDS+=("$!")
  local pid="$!"
  for _ in $(seq 600); do
    if grep -q "$pattern" "$logfile"; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then log "$name exited:"; tail -20 "$logfile" >&2; exit 1; fi
    sleep 0.1
  done
  log "$name did not start in 60 s"; tail -20 "$logfile" >&2; exit 1
}

# ---- (a) the echo server, on free ports
start echo "$OUT/echo.log" "^echo: gRPC on port" \
  java $SERVER_JVM_OPTS -cp "$BENCH_JAR" io.scoring.bench.load.EchoServer --grpc-port 0 --http-port 0
ECHO_PID="${PIDS[-1]}"
ECHO_GRPC=$(sed -n 's/^echo: gRPC on port \([0-9]*\), HTTP on port \([0-9]*\).*/\1/p' "$OUT/echo.log")
ECHO_HTTP=$(sed -n 's/^echo: gRPC on port \([0-9]*\), HTTP on port \([0-9]*\).*/\2/p' "$OUT/echo.log")

# ---- (b) the gateway on the demo with a canary and a 100% shadow: version 3 is a copy of version 2
MODELS="$OUT/models"
rm -rf "$MODELS" "$OUT/state" && mkdir -p "$MODELS"
(cd "$OUT" && unzip -q -o "$GATEWAY_JAR" 'demo/models/*' && mv demo/models/* "$MODELS/" && rm -rf demo)
cp -r "$MODELS/credit-risk/2" "$MODELS/credit-risk/3"
start gateway "$OUT/gateway.log" "serving: HTTP on port" \
  env -u SCORING_ADMIN_TOKEN java $SERVER_JVM_OPTS -jar "$GATEWAY_JAR" --http-port 0 --grpc-port 0 --admin-port 0 \
    --models "$MODELS" --state-dir "$OUT/state"
GW_PID="${PIDS[-1]}"
SERVING=$(grep "serving: HTTP on port" "$OUT/gateway.log")
GW_HTTP=$(sed -n 's/.*HTTP on port \([0-9,]*\).*/\1/p' <<<"$SERVING" | tr -d ,)
GW_GRPC=$(sed -n 's/.*gRPC on port \([0-9,]*\).*/\1/p' <<<"$SERVING" | tr -d ,)
GW_ADMIN=$(sed -n 's/.*admin on port \([0-9,]*\).*/\1/p' <<<"$SERVING" | tr -d ,)
POLICY='{"champion":"1","canary":{"version":"2","percent":10},"shadows":[{"version":"3","percent":100}]}'
if [[ -n "$GW_ADMIN" ]] && curl -sf -X PUT "http://127.0.0.1:$GW_ADMIN/admin/models/credit-risk/traffic" \
     -H 'Content-Type: application/json' -d "$POLICY" >"$OUT/traffic.json"; then
  GATEWAY_SETUP="champion 1, canary 2 at 10%, shadow 3 at 100%"
else
  GATEWAY_SETUP="champion 1 only (setting the canary and shadow through the admin API failed; see $OUT/traffic.json)"
  log "WARNING: $GATEWAY_SETUP"
fi
log "echo: gRPC $ECHO_GRPC, HTTP $ECHO_HTTP; gateway: gRPC $GW_GRPC, HTTP $GW_HTTP, admin $GW_ADMIN ($GATEWAY_SETUP)"

# generate ARGS...: one load generator run, in the background so that a signal stops the script at once
generate() {
  local status=0
  java $LG_JVM_OPTS -cp "$BENCH_JAR" io.scoring.bench.load.LoadGenerator ${CONNECTIONS:+--connections "$CONNECTIONS"} \
    "$@" >"$OUT/loadgen.out" 2>>"$OUT/loadgen.stderr" &
  LG_PID=$!
  wait "$LG_PID" || status=$?
  LG_PID=""
  grep -v '^wrote\|^appended' "$OUT/loadgen.out" >&2 || true
  return "$status"
}

port_of() {  # port_of echo|gateway
  if [[ "$PROTOCOL" == http ]]; then [[ "$1" == echo ]] && echo "$ECHO_HTTP" || echo "$GW_HTTP"
  else [[ "$1" == echo ]] && echo "$ECHO_GRPC" || echo "$GW_GRPC"; fi
}

# column NAME [FILE]: the index of a CSV column (results.csv unless FILE)
column() { head -1 "${2:-$CSV}" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
# values LABEL MODE KEY VALUE FIELD [FILE]: FIELD of every row of LABEL and MODE whose KEY column is VALUE
values() {
  local file="${6:-$CSV}"
  awk -F, -v l="$1" -v m="$2" -v k="$(column "$3" "$file")" -v v="$4" -v f="$(column "$5" "$file")" \
    'NR > 1 && $1 == l && $4 == m && $k + 0 == v + 0 { print $f }' "$file"
}

CSV="$OUT/results.csv"
CPU_CSV="$OUT/server-cpu.csv"
echo "label,protocol,target,mode,concurrency,rate,server_cpu_us,load1,round,throughput,p99_us" >"$CPU_CSV"
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }  # the process's user + system time
# loadgen LABEL NAME ARGS...: one run of round $ROUND: one row of results.csv, one NAME.hgrm, and one row
# of server-cpu.csv: the round, the server's CPU time per answer (its CPU time over the generator's whole
# run, warm-up included, over every answer of the run; CPU time is far less disturbed by other work on
# the machine than latency is), the load average after the run, and the run's throughput and p99.
loadgen() {
  local label="$1" name="$2"; shift 2
  local pid; [[ "$label" == echo ]] && pid="$ECHO_PID" || pid="$GW_PID"
  local before; before=$(cpu_ticks "$pid")
  generate --target "127.0.0.1:$(port_of "$label")" --protocol "$PROTOCOL" \
    --warmup "$WARMUP" --duration "$DURATION" --label "$label" --csv "$CSV" --hgrm "$OUT/$name.hgrm" "$@"
  local after; after=$(cpu_ticks "$pid")
  tail -1 "$CSV" | awk -F, -v a="$(column answered_all)" -v d="$((after - before))" -v hz="$CLK_TCK" \
    -v load="$(cut -d' ' -f1 /proc/loadavg)" -v round="$ROUND" -v t="$(column throughput)" -v p="$(column p99_us)" \
    '{ printf "%s,%s,%s,%s,%s,%s,%.1f,%s,%s,%s,%s\n", $1, $2, $3, $4, $5, $6, d * 1e6 / hz / $a, load, round, $t, $p }' \
    >>"$CPU_CSV"
}

# ---- warm both servers once (not recorded): on two busy cores, compiling gRPC's and Netty's paths takes
# tens of seconds, and round 1 would otherwise measure the JIT
for target in echo gateway; do
  log "warming $target for $SERVER_WARMUP (not recorded)"
  generate --target "127.0.0.1:$(port_of "$target")" --protocol "$PROTOCOL" \
    --concurrency "$(tr ' ' '\n' <<<"$CONCURRENCIES" | sort -n | tail -1)" \
    --warmup 0s --duration "$SERVER_WARMUP" --label "$target-warm-up"
done

# pair ROUND: the two targets in this round's order (alternating, so drift over time hits both alike)
pair() { (( $1 % 2 )) && echo "echo gateway" || echo "gateway echo"; }

# ---- closed loop: throughput at each concurrency
for ROUND in $(seq "$ROUNDS"); do
  for c in $CONCURRENCIES; do
    for target in $(pair "$ROUND"); do
      log "round $ROUND/$ROUNDS: $target, closed loop, $c in flight"
      loadgen "$target" "$target-closed-c$c-r$ROUND" --mode closed --concurrency "$c"
    done
  done
done

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

MAX_C=$(tr ' ' '\n' <<<"$CONCURRENCIES" | sort -n | tail -1)
SATURATION=$(values echo closed concurrency "$MAX_C" throughput | median)
rate_at() { awk -v s="$SATURATION" -v f="$1" 'BEGIN { printf "%d\n", s * f }'; }
HALF_RATE=$(rate_at 0.5)
if [[ -n "$OPEN_RATES" ]]; then
  RATES=$(tr ' ' '\n' <<<"$OPEN_RATES $HALF_RATE" | sort -n | uniq)
else
  RATES=$( (for f in $OPEN_FRACTIONS; do rate_at "$f"; done; echo "$HALF_RATE") | sort -n | uniq)
fi
log "echo saturation (median closed-loop throughput at $MAX_C in flight): $SATURATION/s; open loop at" $RATES "/s"

# ---- open loop at fractions of the echo's saturation rate: p99 from the intended send time
for ROUND in $(seq "$ROUNDS"); do
  for rate in $RATES; do
    for target in $(pair "$ROUND"); do
      log "round $ROUND/$ROUNDS: $target, open loop at $rate/s"
      loadgen "$target" "$target-open-$rate-r$ROUND" --mode open --rate "$rate"
    done
  done
done

# ---- (c) the compute floor, in process
COMPUTE_NOTE="skipped (COMPUTE=0)"
if [[ "$COMPUTE" == 1 ]]; then
  log "compute floor: JMH PredictPathBenchmark (version 1, in process)"
  java -jar "$BENCH_JAR" 'PredictPathBenchmark.(scoreOnly|lookupAssembleScore)' -p version=1 -f 1 -wi 3 -w 1 -i 5 -r 1 \
    -rf csv -rff "$OUT/compute.csv" >"$OUT/compute.log" 2>&1 || log "WARNING: JMH failed, see $OUT/compute.log"
  COMPUTE_NOTE="failed: $(grep -m1 -o 'ERROR.*' "$OUT/compute.log" || echo "see $OUT/compute.log")"
  if [[ -s "$OUT/compute.csv" ]]; then
    COMPUTE_NOTE=$(awk -F, 'NR == 1 { gsub(/"/, ""); for (i = 8; i <= NF; i++) { name[i] = $i; sub(/Param: /, "", name[i]) } next }
      { gsub(/"/, ""); sub(/.*\./, "", $1); p = ""; for (i = 8; i <= NF; i++) p = p (p == "" ? "" : " ") name[i] "=" $i
        printf "%s (%s) %.2f µs/op; ", $1, p, $5 / 1000 }' "$OUT/compute.csv")
  fi
fi

# ---- (d) TODO: nginx split_clients + mirror in front of the gateway, measured the same way.

# ---- report
# paired MODE KEY VALUE FIELD: the median over rounds of gateway's FIELD over echo's in the same round
# (the two ran back to back, so a noisy neighbour disturbs the pair less than it does the medians)
paired() {
  awk -F, -v m="$1" -v k="$(column "$2" "$CPU_CSV")" -v v="$3" -v f="$(column "$4" "$CPU_CSV")" \
    -v r="$(column round "$CPU_CSV")" \
    'NR > 1 && $4 == m && $k + 0 == v + 0 { if ($1 == "echo") e[$r] = $f; else g[$r] = $f }
     END { for (x in e) if ((x in g) && e[x] > 0) print g[x] / e[x] }' "$CPU_CSV" | median | awk '{ printf "%.2f", $1 }'
}
verdict() { awk -v r="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? r >= t : r <= t; print ok ? "meets" : "MISSES" }'; }
{
  echo
  echo "side by side: $PROTOCOL, ${CONNECTIONS:-default} connection(s), warm-up $WARMUP, measured $DURATION, $ROUNDS round(s), medians"
  echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "gateway: $GATEWAY_SETUP; request $(values echo closed concurrency "$MAX_C" request_bytes | head -1) B," \
       "response echo $(values echo closed concurrency "$MAX_C" response_bytes | head -1) B," \
       "gateway $(values gateway closed concurrency "$MAX_C" response_bytes | head -1) B"
  echo
  printf '%-14s %14s %14s %8s %10s %10s %10s %10s %9s %9s\n' "closed loop" "echo req/s" "gateway req/s" "ratio" \
    "echo p50" "gw p50" "echo p99" "gw p99" "echo cpu" "gw cpu"
  for c in $CONCURRENCIES; do
    e=$(values echo closed concurrency "$c" throughput | median)
    g=$(values gateway closed concurrency "$c" throughput | median)
    r=$(paired closed concurrency "$c" throughput)
    printf '%-14s %14.0f %14.0f %8s %10s %10s %10s %10s %9s %9s  %s (>= 0.8)\n' "$c in flight" "$e" "$g" "$r" \
      "$(values echo closed concurrency "$c" p50_us | median)" "$(values gateway closed concurrency "$c" p50_us | median)" \
      "$(values echo closed concurrency "$c" p99_us | median)" "$(values gateway closed concurrency "$c" p99_us | median)" \
      "$(values echo closed concurrency "$c" server_cpu_us "$CPU_CSV" | median)" \
      "$(values gateway closed concurrency "$c" server_cpu_us "$CPU_CSV" | median)" "$(verdict "$r" 0.8 '>=')"
  done
  echo
  printf '%-14s %10s %10s %10s %10s %9s %12s %9s %9s %7s\n' "open loop" "echo p50" "gw p50" "echo p99" "gw p99" \
    "p99 ratio" "gw achieved" "echo cpu" "gw cpu" "errors"
  for rate in $RATES; do
    ep99=$(values echo open rate "$rate" p99_us | median)
    gp99=$(values gateway open rate "$rate" p99_us | median)
    r=$(paired open rate "$rate" p99_us)
    errors=$( (values echo open rate "$rate" errors; values gateway open rate "$rate" errors) | awk '{ s += $1 } END { print s }')
    printf '%-14s %10s %10s %10s %10s %9s %12s %9s %9s %7s  %s\n' "$rate/s" \
      "$(values echo open rate "$rate" p50_us | median)" "$(values gateway open rate "$rate" p50_us | median)" \
      "$ep99" "$gp99" "$r" "$(values gateway open rate "$rate" throughput | median)" \
      "$(values echo open rate "$rate" server_cpu_us "$CPU_CSV" | median)" \
      "$(values gateway open rate "$rate" server_cpu_us "$CPU_CSV" | median)" \
      "$errors" "$([[ "$rate" == "$HALF_RATE" ]] && if (( errors > 0 )); then
        echo "no verdict: requests failed, the machine could not keep this rate (<= 1.25 at half the echo's saturation)"
      else echo "$(verdict "$r" 1.25 '<=') (<= 1.25 at half the echo's saturation)"; fi)"
  done
  echo "(latencies in µs, from the intended send time; ratios: median over rounds of gateway / echo in the same" \
       "round; cpu: the server's CPU µs per answer; errors: failed requests over all rounds of both; echo" \
       "saturation $SATURATION/s at $MAX_C in flight)"
  echo "load average (1 min) after each run, min / median / max:" \
       "$(awk -F, 'NR > 1 { print $8 }' "$CPU_CSV" | sort -g | awk '{ a[NR] = $1 } END { print a[1], "/", a[int((NR + 1) / 2)], "/", a[NR] }')"
  echo
  echo "compute floor (in process, JMH): $COMPUTE_NOTE"
  echo "nginx split_clients + mirror: TODO"
  echo
  echo "every run: $CSV; .hgrm files and logs: $OUT"
} | tee "$OUT/summary.txt"

shopt -s nullglob
HGRMS=()
for f in "$OUT"/*-open-"$HALF_RATE"-*.hgrm; do HGRMS+=("$(basename "$f" .hgrm)=$f"); done
if (( ${#HGRMS[@]} )); then
  java -cp "$BENCH_JAR" io.scoring.bench.load.HtmlReport --out "$OUT/report.html" \
    --title "gateway vs echo, open loop at $HALF_RATE/s ($PROTOCOL)" "${HGRMS[@]}" >&2
  echo "report: $OUT/report.html"
fi
