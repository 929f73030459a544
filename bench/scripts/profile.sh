#!/usr/bin/env bash
# Where a server's CPU goes, per answer (issue 13, item 5): async-profiler's CPU profile of the echo server and
# of the gateway (the side-by-side leg (b): enrichment, champion 1, 10% canary, 100% shadow) under the same
# closed-loop load, for each protocol in PROTOCOLS, and of both while idle; then a table of CPU µs per answer
# (idle: CPU ms per second) by bucket:
#
#   transport   Netty and gRPC on the event loops (HTTP/2 framing, flow control, socket reads and writes, the
#               JDK and kernel work they call), everything on an event loop that is not project code
#   project     io.scoring code on the event loops: decode, route, look up, score, encode, meters (a sample
#               counts here when the innermost io.scoring / io.grpc / io.netty / protobuf frame is io.scoring)
#   poll        the event loops waiting for work (epoll_wait and the selector loop around it)
#   shadow      the shadow-scoring thread (shadow-*)
#   monitoring  the monitoring agent (its AgentRunner thread) and the Micrometer / metrics threads
#   gc, jit     GC threads (G1 / Parallel / ZGC / VM Thread), C1 / C2 compiler threads
#   other       any other thread (named in profile-summary.txt's detail)
#
# The profiler is async-profiler, from Maven Central (tools.profiler:async-profiler, whose jar carries
# libasyncProfiler.so for linux-x64), fetched once into bench/target/tools with the dependency plugin, and
# loaded into the running JVM with `jcmd PID JVMTI.agent_load LIB start,...` when the measured window opens
# (so the warm-up and the JIT's first compilations are not in it) and again with `stop,...` when it closes.
# EVENT=cpu uses perf_events (the kernel's part of each stack is seen); where the kernel refuses them it falls
# back to EVENT=itimer (process CPU time, user-space stacks). If the agent cannot be loaded at all, JFR's
# execution samples are recorded instead (JFR=1 forces it) and the summary says so: JFR samples only Java
# threads running Java code, so GC, JIT and native time are not in its buckets.
#
# CPU per answer: each bucket's samples x INTERVAL over the profiled window's answers (the generator's
# throughput x the window); beside it, the server's CPU time from /proc/PID/stat over the same window, so the
# profile's coverage shows.
#
# Usage: bench/scripts/profile.sh           (settings from the environment:)
#   PROTOCOLS="grpc grpc-v2" V2_CONTENTS=typed CONCURRENCY=32 SERVER_WARMUP=30s DURATION=20s IDLE=10s \
#   EVENT=cpu INTERVAL_US=200 JFR=0 BUILD=1 MVN_FLAGS="-o" PIN=0 ASYNC_PROFILER_VERSION=3.0 \
#   GATEWAY_FLAGS="" SERVER_JVM_OPTS="" OUT=bench/target/profile-<time> bench/scripts/profile.sh
# Everything it starts is stopped on exit (trap), by process id.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PROTOCOLS="${PROTOCOLS-grpc grpc-v2}"       # empty: idle only
V2_CONTENTS="${V2_CONTENTS:-typed}"
CONCURRENCY="${CONCURRENCY:-32}"
SERVER_WARMUP="${SERVER_WARMUP:-30s}"
DURATION="${DURATION:-20}"                # seconds profiled under load
IDLE="${IDLE:-10}"                        # seconds profiled idle; 0 skips
IDLE_SETTLE="${IDLE_SETTLE:-5}"           # seconds without load before the idle profile
EVENT="${EVENT:-cpu}"
INTERVAL_US="${INTERVAL_US:-200}"         # one sample per this much CPU time
JFR="${JFR:-0}"
BUILD="${BUILD:-1}"
MVN_FLAGS="${MVN_FLAGS:-}"
PIN="${PIN:-0}"
ASYNC_PROFILER_VERSION="${ASYNC_PROFILER_VERSION:-3.0}"
GATEWAY_FLAGS="${GATEWAY_FLAGS:-}"        # extra gateway flags, e.g. to profile a setting
SERVER_JVM_OPTS="${SERVER_JVM_OPTS:-}"
LG_JVM_OPTS="${LG_JVM_OPTS:--Xms512m -Xmx512m}"
# the generator's deadline per request, and for connecting: on a starved machine its JVM needs more than the
# default 5 s to connect
TIMEOUT="${TIMEOUT:-30s}"
OUT="${OUT:-$ROOT/bench/target/profile-$(date +%Y%m%d-%H%M%S)}"
DURATION="${DURATION%s}"; IDLE="${IDLE%s}"

source "$ROOT/bench/scripts/lib.sh"
prepare_run

# ---- async-profiler's library, from Maven Central
TOOLS="$ROOT/bench/target/tools"
LIB="$TOOLS/async-profiler-$ASYNC_PROFILER_VERSION/linux-x64/libasyncProfiler.so"
if [[ "$JFR" != 1 && ! -f "$LIB" ]]; then
  log "fetching tools.profiler:async-profiler:$ASYNC_PROFILER_VERSION from Maven Central"
  mkdir -p "$TOOLS"
  (cd "$TOOLS" && mvn -B -q $MVN_FLAGS org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
      -Dartifact="tools.profiler:async-profiler:$ASYNC_PROFILER_VERSION" -DoutputDirectory="$TOOLS" >"$OUT/fetch.log" 2>&1 \
    && unzip -q -o "$TOOLS/async-profiler-$ASYNC_PROFILER_VERSION.jar" 'linux-x64/*' -d "$TOOLS/async-profiler-$ASYNC_PROFILER_VERSION") \
    || log "WARNING: could not fetch async-profiler (see $OUT/fetch.log); JFR instead"
fi
[[ -f "$LIB" ]] || JFR=1

# ---- the servers, as in side-by-side.sh: the echo, and the gateway with a canary and a 100% shadow
start echo "$OUT/echo.log" "^echo: gRPC on port.*threads)" \
  $SERVER_PIN java $SERVER_JVM_OPTS -cp "$BENCH_JAR" io.scoring.bench.load.EchoServer --grpc-port 0 --http-port -1
ECHO_PID="${PIDS[-1]}"
ECHO_GRPC=$(sed -n 's/^echo: gRPC on port \([0-9]*\),.*/\1/p' "$OUT/echo.log")
MODELS="$OUT/models"
demo_models "$GATEWAY_JAR" "$MODELS"
start_gateway GW gateway "$OUT/gateway.log" "$OUT/state" "$SERVER_JVM_OPTS" $GATEWAY_FLAGS
set_policy "$GW_ADMIN" "$CANARY_AND_SHADOW" "$OUT/traffic.json" || { log "could not set the canary and shadow"; exit 1; }
pid_of() { [[ "$1" == echo ]] && echo "$ECHO_PID" || echo "$GW_PID"; }
port_of() { [[ "$1" == echo ]] && echo "$ECHO_GRPC" || echo "$GW_GRPC"; }
protocol_flags() { [[ "$1" == grpc-v2 ]] && echo "--protocol grpc-v2 --v2-contents $V2_CONTENTS" || echo "--protocol $1"; }

# profile_start PID / profile_stop PID FILE: async-profiler through jcmd (collapsed stacks with thread names),
# or a JFR recording
profile_start() {
  if [[ "$JFR" == 1 ]]; then
    jcmd "$1" JFR.start name=profile settings=profile >>"$OUT/jcmd.log" 2>&1
  else
    # jcmd would split an unquoted option at its '=': the agent's options go in quotes
    jcmd "$1" JVMTI.agent_load "$LIB" "\"start,event=$EVENT,interval=$((INTERVAL_US * 1000)),threads\"" >"$OUT/jcmd.last" 2>&1
    cat "$OUT/jcmd.last" >>"$OUT/jcmd.log"
    if ! grep -q "return code: 0" "$OUT/jcmd.last" && [[ "$EVENT" == cpu ]]; then
      log "async-profiler could not start with perf_events (event cpu): itimer instead"
      EVENT=itimer
      jcmd "$1" JVMTI.agent_load "$LIB" "\"start,event=$EVENT,interval=$((INTERVAL_US * 1000)),threads\"" >>"$OUT/jcmd.log" 2>&1
    fi
  fi
}
profile_stop() {
  if [[ "$JFR" == 1 ]]; then
    jcmd "$1" JFR.stop name=profile filename="$2.jfr" >>"$OUT/jcmd.log" 2>&1
    # execution samples as collapsed stacks: thread;frames (root first) count
    jfr print --events jdk.ExecutionSample "$2.jfr" | awk '
      /sampledThread = / { t = $0; sub(/.*sampledThread = "/, "", t); sub(/".*/, "", t) }
      /stackTrace = \[/ { n = 0; inside = 1; next }
      inside && /^[ \t]*\]/ { s = "[" t "]"; for (i = n; i >= 1; i--) s = s ";" f[i]; c[s]++; inside = 0; next }
      inside { l = $0; sub(/^[ \t]+/, "", l); sub(/\(.*/, "", l); if (l != "...") f[++n] = l }
      END { for (s in c) print s, c[s] }' >"$2"
  else
    jcmd "$1" JVMTI.agent_load "$LIB" "\"stop,file=$2,collapsed\"" >>"$OUT/jcmd.log" 2>&1
  fi
}
# JFR samples Java threads every 10 or 20 ms (settings=profile: 10 ms), not by CPU time
sample_us() { if [[ "$JFR" == 1 ]]; then echo 10000; else echo "$INTERVAL_US"; fi; }

# bucket FILE: "bucket samples" lines for a collapsed profile (see the header for the buckets)
bucket() {
  awk '{
    n = $NF; line = $0; sub(/ [0-9]+$/, "", line)
    split(line, f, ";"); t = f[1]; b = ""
    if (t ~ /shadow-/) b = "shadow"
    else if (t ~ /monitoring|[Aa]gent|micrometer|metrics|prometheus/) b = "monitoring"
    else if (t ~ /GC|G1|Parallel|ZGC|Z Driver|VM Thread|Conc|Refine|Service Thread/) b = "gc"
    else if (t ~ /Compiler|C1 |C2 |Sweeper/) b = "jit"
    else if (t ~ /epoll|nio|worker|grpc|netty|eventloop|EventLoop|ioEventLoop|-[0-9]+-[0-9]+/) {
      leaf = ""; poll = 0
      for (i = 2; i <= length(f); i++) {
        if (f[i] ~ /^io[.\/]scoring[.\/]/) leaf = "project"
        else if (f[i] ~ /^(io[.\/]grpc|io[.\/]netty|com[.\/]google[.\/]protobuf|io[.\/]perfmark)/) leaf = "transport"
        if (f[i] ~ /epollWait|epoll_wait|epollBusyWait|Native.epoll|EpollIoHandler.run|SingleThreadIoEventLoop.run$|NioIoHandler.select|select$/) poll = i
      }
      b = (leaf == "project") ? "project" : "transport"
      # innermost frames in the wait and nothing of the work below it: the loop is polling
      if (poll > 0 && (poll == length(f) || f[length(f)] ~ /epoll_wait|epoll_pwait|do_epoll|ep_poll|__x64_sys|entry_SYSCALL|syscall/ && leaf == "transport")) {
        work = 0; for (i = poll + 1; i <= length(f); i++) if (f[i] ~ /^(io[.\/]|java[.\/]|sun[.\/]|jdk[.\/])/) work = 1
        if (!work) b = "poll"
      }
    }
    else b = "other"
    s[b] += n; if (b == "other") { sub(/ tid=[0-9]+\]$/, "]", t); o[t] += n }
  } END { for (k in s) print k, s[k]; for (k in o) print "other-thread", k, o[k] }' "$1"
}

SUMMARY="$OUT/profile-summary.txt"
: >"$OUT/rows.txt"
BUCKETS="transport project poll shadow monitoring gc jit other"
# profile_load TARGET PROTOCOL: closed loop; profiles DURATION seconds inside the generator's measured window
profile_load() {
  local target="$1" protocol="$2" pid; pid=$(pid_of "$1")
  local name="$target-$protocol"
  log "$name: warming (${SERVER_WARMUP}, not recorded)"
  generate --target "127.0.0.1:$(port_of "$target")" $(protocol_flags "$protocol") --mode closed \
    --concurrency "$CONCURRENCY" --warmup 0s --duration "$SERVER_WARMUP" --timeout "$TIMEOUT" --label "$name-warm-up"
  log "$name: closed loop at $CONCURRENCY in flight, profiling ${DURATION}s"
  $LG_PIN java $LG_JVM_OPTS -cp "$BENCH_JAR" io.scoring.bench.load.LoadGenerator --target "127.0.0.1:$(port_of "$target")" \
    $(protocol_flags "$protocol") --mode closed --concurrency "$CONCURRENCY" --warmup 2s --duration "$((DURATION + 3))s" \
    --timeout "$TIMEOUT" --label "$name" --csv "$OUT/results.csv" >"$OUT/$name.loadgen.out" 2>&1 &
  LG_PID=$!
  sleep 3
  profile_window "$pid" "$name" "$DURATION"
  wait "$LG_PID"; LG_PID=""
  local throughput; throughput=$(tail -1 "$OUT/results.csv" | cut -d, -f"$(column throughput "$OUT/results.csv")")
  row "$name" "$(printf '%.0f' "$throughput")" "$(awk -v t="$throughput" -v d="$DURATION" 'BEGIN { print t * d }')" 1
}
# profile_window PID NAME SECONDS: profiles SECONDS into NAME.collapsed and NAME.buckets; WINDOW_TICKS: the
# process's CPU clock ticks (/proc) over the same window
profile_window() {
  local before; before=$(cpu_ticks "$1")
  profile_start "$1"
  sleep "$3"
  profile_stop "$1" "$OUT/$2.collapsed"
  WINDOW_TICKS=$(( $(cpu_ticks "$1") - before ))
  bucket "$OUT/$2.collapsed" >"$OUT/$2.buckets"
}
# row NAME COLUMN PER UNIT_US: a line of rows.txt: each bucket's CPU time, the buckets' sum and /proc's, in
# UNIT_US µs per PER (µs per answer: PER answers, UNIT_US 1; ms per second: PER seconds, UNIT_US 1000)
row() {
  awk -v name="$1" -v col="$2" -v per="$3" -v unit="$4" -v us="$(sample_us)" -v ticks="$WINDOW_TICKS" \
    -v hz="$CLK_TCK" -v order="$BUCKETS" '
    $1 != "other-thread" { s[$1] = $2; total += $2 }
    END { split(order, b, " "); line = sprintf("%-22s %9s", name, col)
      for (i = 1; i <= length(b); i++) line = line sprintf(" %9.2f", s[b[i]] * us / unit / per)
      printf "%s %9.2f %9.2f\n", line, total * us / unit / per, ticks * 1e6 / hz / unit / per }' "$OUT/$1.buckets" >>"$OUT/rows.txt"
}
# profile_idle TARGET: IDLE seconds without load; CPU ms per second
profile_idle() {
  log "$1: idle, profiling ${IDLE}s after ${IDLE_SETTLE}s"
  sleep "$IDLE_SETTLE"
  profile_window "$(pid_of "$1")" "$1-idle" "$IDLE"
  row "$1-idle" idle "$IDLE" 1000
}

for protocol in $PROTOCOLS; do
  profile_load echo "$protocol"
  profile_load gateway "$protocol"
done
# idle last, when start-up's class loading and the JIT's compilations are over
if (( IDLE > 0 )); then profile_idle echo; profile_idle gateway; fi

{
  echo
  echo "CPU profile: $([[ "$JFR" == 1 ]] && echo "JFR execution samples (async-profiler could not be loaded; Java code only)" \
    || echo "async-profiler $ASYNC_PROFILER_VERSION, event $EVENT, one sample every ${INTERVAL_US} µs of CPU")"
  grep -i "fall\|warn\|error" "$OUT/jcmd.log" | sort -u | head -3 | sed 's/^/  profiler said: /' || true
  echo "load: closed loop, $CONCURRENCY in flight, ${DURATION}s profiled per run; V2: $V2_CONTENTS contents; gateway: champion 1," \
       "canary 2 at 10%, shadow 3 at 100%${GATEWAY_FLAGS:+, flags $GATEWAY_FLAGS}"
  echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)$(
    [[ "$PIN" == 1 ]] && echo "; servers pinned to core 0, the generator to core 1")"
  echo
  printf '%-22s %9s' "CPU µs per answer" "answers/s"; for b in $BUCKETS; do printf ' %9s' "$b"; done
  printf ' %9s %9s\n' "profiled" "/proc"
  grep -v -- '-idle ' "$OUT/rows.txt" || true
  if (( IDLE > 0 )); then
    echo
    printf '%-22s %9s' "idle: CPU ms per s" ""; for b in $BUCKETS; do printf ' %9s' "$b"; done
    printf ' %9s %9s\n' "profiled" "/proc"
    grep -- '-idle ' "$OUT/rows.txt" || true
  fi
  echo
  echo "(profiled: the buckets' sum; /proc: the server's user + system time over the same window, per answer or per"
  echo " second; samples in other threads, all runs: $(cat "$OUT"/*.buckets | awk '$1 == "other-thread" { n = $NF; $1 = ""; $NF = "";
    o[$0] += n } END { for (t in o) print o[t], t }' | sort -nr | head -5 | tr '\n' ';'))"
  echo "collapsed stacks (flame graph input): $OUT/*.collapsed"
} | tee "$SUMMARY"
