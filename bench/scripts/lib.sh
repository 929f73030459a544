# Shared by the benchmark scripts in this folder (sourced, not run): starting and stopping servers,
# running the load generator, and reading its CSV. The caller sets OUT, BENCH_JAR and LG_JVM_OPTS.

PIDS=()
LG_PID=""
# PIN=1: the servers on core 0, the load generator on core 1 (taskset), so the generator no longer takes
# CPU from the server it measures; each JVM then sees one core (one event loop, one GC thread)
SERVER_PIN=""
LG_PIN=""
if [[ "${PIN:-0}" == 1 ]]; then
  SERVER_PIN="taskset -c 0"
  LG_PIN="taskset -c 1"
fi
stop_all() {
  [[ -n "$LG_PID" ]] && kill "$LG_PID" 2>/dev/null
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  PIDS=()
}

log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2; }

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

# prepare_run: the output folder, the traps that stop everything started, the build (BUILD=1, with
# MVN_FLAGS), and copies of the two jars to run from, so a rebuild elsewhere cannot swap a jar mid-run;
# sets GATEWAY_JAR and BENCH_JAR. The caller sets ROOT, OUT, BUILD and MVN_FLAGS.
prepare_run() {
  mkdir -p "$OUT"
  trap stop_all EXIT
  trap 'exit 130' INT TERM
  if [[ "$BUILD" == 1 ]]; then
    log "building (mvn -B -q $MVN_FLAGS package -DskipTests)"
    (cd "$ROOT" && mvn -B -q $MVN_FLAGS package -DskipTests)   # the reactor; never install into the shared ~/.m2
  fi
  cp "$ROOT/gateway/target/scoring-gateway.jar" "$ROOT/bench/target/benchmarks.jar" "$OUT/"
  GATEWAY_JAR="$OUT/scoring-gateway.jar"
  BENCH_JAR="$OUT/benchmarks.jar"
}

# serving_port LOGFILE http|gRPC|admin: a port from the gateway's "serving: ..." log line
serving_port() {
  grep "serving: HTTP on port" "$1" | sed -n "s/.*$2 on port \([0-9,]*\).*/\1/p" | tr -d ,
}

# generate ARGS...: one load generator run, in the background so that a signal stops the script at once
# (CONNECTIONS, KEY_HEADER and LG_TIMEOUT, when set, go to every run; LG_TIMEOUT is the per-request deadline and
# how long the generator waits to connect: on a starved machine its JVM may need more than the default 5 s)
generate() {
  local status=0
  $LG_PIN java $LG_JVM_OPTS -cp "$BENCH_JAR" io.scoring.bench.load.LoadGenerator ${CONNECTIONS:+--connections "$CONNECTIONS"} \
    ${LG_TIMEOUT:+--timeout "$LG_TIMEOUT"} \
    ${KEY_HEADER:+--entity-key-header "$KEY_HEADER"} "$@" >"$OUT/loadgen.out" 2>>"$OUT/loadgen.stderr" &
  LG_PID=$!
  wait "$LG_PID" || status=$?
  LG_PID=""
  grep -v '^wrote\|^appended' "$OUT/loadgen.out" >&2 || true
  return "$status"
}

# column NAME [FILE]: the index of a CSV column (results.csv unless FILE)
column() { head -1 "${2:-$CSV}" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
# values LABEL MODE KEY VALUE FIELD [FILE]: FIELD of every row of LABEL and MODE whose KEY column is VALUE
values() {
  local file="${6:-$CSV}"
  awk -F, -v l="$1" -v m="$2" -v k="$(column "$3" "$file")" -v v="$4" -v f="$(column "$5" "$file")" \
    'NR > 1 && $1 == l && $4 == m && $k + 0 == v + 0 { print $f }' "$file"
}
# rounds_of CSV VARIANT GROUP_COL GROUP FIELD: FIELD of every round of VARIANT (column 1) whose column GROUP_COL is GROUP
rounds_of() { awk -F, -v v="$2" -v gc="$3" -v g="$4" -v f="$(column "$5" "$1")" 'NR > 1 && $1 == v && $gc == g { print $f }' "$1"; }
# ratio_to CSV BASELINE VARIANT GROUP_COL GROUP ROUND_COL FIELD: the median over rounds of VARIANT's FIELD over
# BASELINE's in the same round (rounds told apart by column ROUND_COL), two decimals
ratio_to() {
  awk -F, -v base="$2" -v v="$3" -v gc="$4" -v g="$5" -v rc="$6" -v f="$(column "$7" "$1")" \
    'NR > 1 && $gc == g { if ($1 == base) b[$rc] = $f; else if ($1 == v) x[$rc] = $f }
     END { for (r in x) if ((r in b) && b[r] > 0) print x[r] / b[r] }' "$1" | median | awk '{ printf "%.2f", $1 }'
}
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { local t=0 p; for p in "$@"; do
  t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo "$t"; }  # the processes' user + system time

# thread_cpu PID FILE: each second until PID ends, the share of a core (%) that each kind of thread of the JVM
# PID used in that second: scoring threads, event loops, the JIT's compilers, the collector, the rest (from
# /proc/PID/task/*/stat, one awk a second). Run it in the background.
thread_cpu() {
  local pid="$1" file="$2" start=$SECONDS before=""
  echo "second scoring event_loops jit gc other" >"$file"
  while [[ -d "/proc/$pid" ]]; do
    # one awk a second: sums each kind's ticks, appends the line of deltas since the last second, keeps the sums
    before=$(awk -v before="$before" -v second=$((SECONDS - start)) -v hz="$CLK_TCK" -v out="$file" '
      { name = $0; sub(/^[0-9]+ \(/, "", name); sub(/\) .*/, "", name)
        rest = $0; sub(/.*\) /, "", rest); split(rest, f, " ")
        kind = name ~ /^scoring-[0-9]/ ? 1 : name ~ /IoEv|epoll|grpc/ ? 2 : name ~ /^C[12] / ? 3 : name ~ /GC|G1|ZGC/ ? 4 : 5
        t[kind] += f[12] + f[13] }
      END { if (before != "") { split(before, b, " "); line = second
              for (k = 1; k <= 5; k++) line = line " " int(100 * (t[k] - b[k]) / hz); print line >> out }
            printf "%d %d %d %d %d", t[1], t[2], t[3], t[4], t[5] }' /proc/"$pid"/task/*/stat 2>/dev/null) || break
    sleep 1
  done
}

# demo_models GATEWAY_JAR DIR: the demo's model repository from the jar, plus version 3, a copy of
# version 2 to serve as the shadow
demo_models() {
  rm -rf "$2" && mkdir -p "$2"
  (cd "$(dirname "$2")" && unzip -q -o "$1" 'demo/models/*' && mv demo/models/* "$2/" && rm -rf demo)
  cp -r "$2/credit-risk/2" "$2/credit-risk/3"
}

# start_gateway PREFIX NAME LOGFILE STATE_DIR JVM_OPTS [GATEWAY FLAGS...]: the gateway on free ports with
# the demo models in $MODELS; sets ${PREFIX}_PID, _HTTP, _GRPC and _ADMIN
start_gateway() {
  local prefix="$1" name="$2" logfile="$3" state="$4" jvm="$5"; shift 5
  rm -rf "$state"
  start "$name" "$logfile" "serving: HTTP on port" \
    $SERVER_PIN env -u SCORING_ADMIN_TOKEN java $jvm -jar "$GATEWAY_JAR" --http-port 0 --grpc-port 0 --admin-port 0 \
      --models "$MODELS" --state-dir "$state" "$@"
  printf -v "${prefix}_PID" '%s' "${PIDS[-1]}"
  printf -v "${prefix}_HTTP" '%s' "$(serving_port "$logfile" HTTP)"
  printf -v "${prefix}_GRPC" '%s' "$(serving_port "$logfile" gRPC)"
  printf -v "${prefix}_ADMIN" '%s' "$(serving_port "$logfile" admin)"
}

# set_policy ADMIN_PORT JSON OUTFILE: the credit-risk model's traffic policy through the admin API
set_policy() {
  curl -sf -X PUT "http://127.0.0.1:$1/admin/models/credit-risk/traffic" \
    -H 'Content-Type: application/json' -d "$2" >"$3"
}
CANARY_AND_SHADOW='{"champion":"1","canary":{"version":"2","percent":10},"shadows":[{"version":"3","percent":100}]}'
