#!/usr/bin/env bash
# Side-by-side benchmark (issue 6, item 4): the gateway against the transport floor, the compute floor and
# an nginx traffic split, in one run on one machine, with the same load generator, settings and payload.
#
#   (a) echo     the bare gRPC echo server (io.scoring.bench.load.EchoServer): the transport floor
#   (b) gateway  the gateway on the demo: enrichment from the embedded store, champion 1, a 10% canary
#                (version 2) and a 100% shadow (version 3, a copy of version 2)
#   (c) compute  in-process scoring (the compute floor): JMH PredictPathBenchmark, not the load generator
#   (d) nginx    how many teams split traffic today: nginx in front of a gateway that only scores the
#                champion, `split_clients` on the entity key (10% to a canary upstream, like (b)) and
#                `mirror` (with `mirror_request_body on`) sending a copy of every request (100%) to a
#                shadow upstream. NGINX=0 skips it.
#
# (d) in detail:
# - nginx: the one on PATH, else Debian's package unpacked (not installed) into bench/target/tools, as
#   .ci/run does for promtool: `apt-get download nginx` (after `apt-get update` if that fails and we may)
#   and `dpkg -x`. The binary alone is enough (its libraries are libc, libcrypt, libpcre2, libssl and zlib,
#   all on a base Debian 12; nginx-common holds only /etc config and service files, which we do not use).
#   If it cannot be had, leg (d) is skipped with a message naming the command to run; the rest runs.
# - Protocol: the same as the other legs. gRPC goes through `listen ... http2` (cleartext HTTP/2) and
#   `grpc_pass`; mirror works with grpc_pass (checked on nginx 1.22.1: every request reaches the gateway
#   twice), but the mirror subrequest would call the gateway with its own URI (/_shadow), so the shadow
#   location puts the original path back (`rewrite ^ $request_uri break`). HTTP (PROTOCOL=http) goes
#   through `proxy_pass` with keep-alive upstream connections, the same way.
# - nginx runs unprivileged-style from the run's folder: `nginx -p $OUT/nginx -c nginx.conf -e stderr`,
#   `daemon off`, `master_process off` (one process that is the one worker: the script measures its CPU
#   time and stops it by its process id, and no orphaned worker can outlive a killed master), pid and temp
#   paths in $OUT/nginx, free ports, no access log on the measured port. worker_processes 1: the two cores
#   are already shared by the load generator and the gateway; a second worker would only add contention
#   and context switches at the rates two cores serve (a real front proxy runs one per core of its own box).
# - Upstreams: in a real deployment champion, canary and shadow are separate deployments, each scoring its
#   own version. Here all three upstreams point at ONE extra gateway process (policy: champion 1 only, no
#   canary, no shadow of its own): the split and the mirror are real nginx work, and the mirrored copy costs
#   a full request on the same two cores (as a shadow deployment would on this machine), but every copy
#   is scored by version 1: the version difference is not modelled (the gateway picks versions by its
#   policy or a `version` field in the body, which nginx cannot set in a protobuf body). In (b) the shadow
#   is scored in process off the response path; in (d) it is a second request through the transport.
# - Evidence: nginx also listens on a "check" port with the same routes and access logs (main requests by
#   bucket, mirror subrequests), used for its unrecorded warm-up; the summary prints those counts, and
#   over the whole run the requests the (d) gateway counted (scoring_requests_total on its /metrics)
#   against the client requests nginx accepted (stub_status): about 2x when every request is mirrored.
# - Every leg sends the entity key in the `x-entity-key` header / gRPC metadata (KEY_HEADER; the load
#   generator's --entity-key-header) while (d) runs, so all three legs carry identical requests.
#
# V2 legs (issue 13, item 5; V2=1, the default with PROTOCOL=grpc): the same echo and gateway loaded with the Open
# Inference Protocol's gRPC ModelInfer (named inputs; V2_CONTENTS=typed puts each input's values in its typed
# contents, raw in raw_input_contents), as the labels echo-v2 and gateway-v2, interleaved with the own API's
# Predict legs in every round. The gateway serves both protocols with the same enrichment, canary and shadow.
#
# Runs alternate between (a), (b), their V2 legs and (d), ROUNDS times, closed loop at each of CONCURRENCIES, then open loop
# at OPEN_FRACTIONS of the echo's saturation rate (the highest open-loop rate it keeps up with, from a rate
# sweep; SATURATION_FROM=closed: its median closed-loop throughput at the highest concurrency), or at OPEN_RATES, and always at half of it, where the issue's latency target is.
# Prints medians and the issue's ratios:
#   gateway / echo throughput at the same concurrency        target >= 0.8
#   gateway p99 / echo p99 at half the echo's saturation     target <= 1.25
# and for (d): gateway / nginx-proxied throughput and p99 (no target: how the two ways of splitting compare);
# with the V2 legs, issue 13's (each the median over rounds of the ratio within a round):
#   V2 ModelInfer / Predict throughput on the gateway           goal >= 0.95
#   gateway / echo throughput, Predict and V2 alike             goal >= 0.9
#   gateway / echo server CPU per answer, Predict and V2 alike  goal <= 1.2
# Server CPU per answer: the servers' user + system time from /proc/PID/stat over the measured window
# only (read by the generator at the window's edges: --server-pid), divided by the window's answers.
# OPEN=0 skips the rate sweep and every open-loop run.
#
# Usage: bench/scripts/side-by-side.sh            (from anywhere; settings from the environment:)
#   ROUNDS=3 WARMUP=10s SERVER_WARMUP=30s DURATION=15s CONCURRENCIES="8 32" OPEN_FRACTIONS="0.25 0.5 0.75" PROTOCOL=grpc \
#   OPEN_RATES="" CONNECTIONS="" BUILD=1 COMPUTE=1 NGINX=1 OPEN=1 V2=1 V2_CONTENTS=typed KEY_HEADER=x-entity-key \
#   SATURATION_FROM=sweep SATURATION_P99=5ms SWEEP_WARMUP=3s SWEEP_DURATION=8s PIN=0 \
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
NGINX="${NGINX:-1}"                       # 0 skips leg (d)
OPEN="${OPEN:-1}"                         # 0 skips the rate sweep and the open-loop runs
V2="${V2:-1}"                             # with PROTOCOL=grpc: also the V2 ModelInfer legs echo-v2 and gateway-v2
V2_CONTENTS="${V2_CONTENTS:-typed}"       # the V2 legs' tensors: typed contents or raw_input_contents
# the header (gRPC metadata) carrying each request's entity key, which nginx's split_clients hashes; sent
# to every leg so all carry the same requests; default x-entity-key when (d) runs, none otherwise
KEY_HEADER="${KEY_HEADER-$(if [[ "$NGINX" == 1 ]]; then echo x-entity-key; fi)}"
MVN_FLAGS="${MVN_FLAGS:-}"
OUT="${OUT:-$ROOT/bench/target/side-by-side-$(date +%Y%m%d-%H%M%S)}"
LG_JVM_OPTS="${LG_JVM_OPTS:--Xms512m -Xmx512m}"
SERVER_JVM_OPTS="${SERVER_JVM_OPTS:-}"    # the same for the echo and the gateway
GATEWAY_FLAGS="${GATEWAY_FLAGS:-}"        # extra flags for leg (b)'s gateway, e.g. --shadow-idle-sleep-us=5000
PIN="${PIN:-0}"                           # 1: servers on core 0, the generator on core 1 (see lib.sh)
SATURATION_FROM="${SATURATION_FROM:-sweep}"   # sweep: the echo's highest open-loop rate; closed: its closed-loop throughput
SATURATION_P99="${SATURATION_P99:-5ms}"       # the sweep's p99 target for the echo
SWEEP_WARMUP="${SWEEP_WARMUP:-3s}"
SWEEP_DURATION="${SWEEP_DURATION:-8s}"

source "$ROOT/bench/scripts/lib.sh"
prepare_run

# ---- (a) the echo server, on free ports
start echo "$OUT/echo.log" "^echo: gRPC on port.*threads)" \
  $SERVER_PIN java $SERVER_JVM_OPTS -cp "$BENCH_JAR" io.scoring.bench.load.EchoServer --grpc-port 0 --http-port 0
ECHO_PID="${PIDS[-1]}"
ECHO_GRPC=$(sed -n 's/^echo: gRPC on port \([0-9]*\), HTTP on port \([0-9]*\).*/\1/p' "$OUT/echo.log")
ECHO_HTTP=$(sed -n 's/^echo: gRPC on port \([0-9]*\), HTTP on port \([0-9]*\).*/\2/p' "$OUT/echo.log")

# ---- (b) the gateway on the demo with a canary and a 100% shadow: version 3 is a copy of version 2
MODELS="$OUT/models"
demo_models "$GATEWAY_JAR" "$MODELS"
# shellcheck disable=SC2086  # GATEWAY_FLAGS is a list of flags
start_gateway GW gateway "$OUT/gateway.log" "$OUT/state" "$SERVER_JVM_OPTS" $GATEWAY_FLAGS
if set_policy "$GW_ADMIN" "$CANARY_AND_SHADOW" "$OUT/traffic.json"; then
  GATEWAY_SETUP="champion 1, canary 2 at 10%, shadow 3 at 100%"
else
  GATEWAY_SETUP="champion 1 only (setting the canary and shadow through the admin API failed; see $OUT/traffic.json)"
  log "WARNING: $GATEWAY_SETUP"
fi
log "echo: gRPC $ECHO_GRPC, HTTP $ECHO_HTTP; gateway: gRPC $GW_GRPC, HTTP $GW_HTTP, admin $GW_ADMIN ($GATEWAY_SETUP)"

# ---- (d) nginx split_clients + mirror in front of a champion-only gateway (see the header)
NGINX_PID=""
NGINX_NOTE="skipped (NGINX=0)"
NGX="$OUT/nginx"
# find_nginx: sets NGINX_BIN to nginx on PATH, or to Debian's package unpacked into bench/target/tools
find_nginx() {
  NGINX_BIN=""
  if command -v nginx >/dev/null 2>&1; then NGINX_BIN=$(command -v nginx); return 0; fi
  local tools="$ROOT/bench/target/tools"
  if [[ ! -x "$tools/usr/sbin/nginx" ]]; then
    log "nginx is not on PATH: unpacking Debian's package into $tools (apt-get download nginx; dpkg -x)"
    mkdir -p "$tools/debs"
    ( cd "$tools/debs" && rm -f nginx_*.deb \
        && { apt-get download nginx >>"$OUT/nginx-fetch.log" 2>&1 \
             || { [[ "$(id -u)" == 0 ]] && apt-get update -qq >>"$OUT/nginx-fetch.log" 2>&1 \
                  && apt-get download nginx >>"$OUT/nginx-fetch.log" 2>&1; }; } \
        && dpkg -x nginx_*.deb "$tools" ) || true
  fi
  if [[ -x "$tools/usr/sbin/nginx" ]] && "$tools/usr/sbin/nginx" -v >>"$OUT/nginx-fetch.log" 2>&1; then
    NGINX_BIN="$tools/usr/sbin/nginx"
  fi
  [[ -n "$NGINX_BIN" ]]
}
free_port() {  # a port nothing listens on (nginx's start is retried if another process takes it first)
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# nginx_routes ACCESS_LOG_MAIN ACCESS_LOG_SHADOW: the split and the mirror, for PROTOCOL
nginx_routes() {
  local pass shadow_pass
  if [[ "$PROTOCOL" == http ]]; then
    pass='proxy_http_version 1.1; proxy_set_header Connection ""; proxy_pass http://$bucket;'
    shadow_pass='proxy_http_version 1.1; proxy_set_header Connection ""; proxy_pass http://shadow;'
  else
    pass='grpc_pass grpc://$bucket;'
    shadow_pass='grpc_pass grpc://shadow;'
  fi
  cat <<CONF
    location / {
      $1
      mirror /_shadow;              # a copy of every request to the shadow upstream
      mirror_request_body on;
      $pass
    }
    location = /_shadow {
      internal;
      $2
      # the subrequest's URI is /_shadow: put the client's path back before passing it on
      rewrite ^ \$request_uri break;
      $shadow_pass
    }
CONF
}
# nginx_conf PORT CHECK_PORT STATUS_PORT GATEWAY_PORT
nginx_conf() {
  local http2="" upstream_port="$4"
  [[ "$PROTOCOL" != http ]] && http2=" http2"
  cat <<CONF
# generated by bench/scripts/side-by-side.sh, leg (d): split_clients + mirror in front of the gateway
daemon off;
master_process off;       # one process, the one worker: its CPU time is read and it is stopped by its pid
worker_processes 1;       # two cores shared with the load generator and the gateway
worker_rlimit_nofile 8192;
pid $NGX/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $NGX/tmp/body;
  proxy_temp_path $NGX/tmp/proxy;
  fastcgi_temp_path $NGX/tmp/fastcgi;
  uwsgi_temp_path $NGX/tmp/uwsgi;
  scgi_temp_path $NGX/tmp/scgi;
  keepalive_requests 1000000;   # else nginx closes a client connection (HTTP/2: GOAWAY) every 1,000 requests

  # 10% of entity keys to the canary, like leg (b); a request without the header hashes "" (one bucket)
  split_clients "\${http_x_entity_key}" \$bucket {
    10%  canary;
    *    champion;
  }
  # separate deployments in real life; here one champion-only gateway (see the script's header)
  upstream champion { server 127.0.0.1:$upstream_port; keepalive 256; keepalive_requests 1000000; }
  upstream canary   { server 127.0.0.1:$upstream_port; keepalive 256; keepalive_requests 1000000; }
  upstream shadow   { server 127.0.0.1:$upstream_port; keepalive 256; keepalive_requests 1000000; }
  log_format bucket '\$bucket \$status \$upstream_status';

  server {    # measured
    listen 127.0.0.1:$1$http2;
$(nginx_routes "" "")
  }
  server {    # the same routes with access logs: the warm-up goes here, as evidence of the split and mirror
    listen 127.0.0.1:$2$http2;
$(nginx_routes "access_log $NGX/check-main.log bucket;" "access_log $NGX/check-mirror.log bucket; log_subrequest on;")
  }
  server {    # request counts
    listen 127.0.0.1:$3;
    location / { stub_status; }
  }
}
CONF
}
# start_nginx GATEWAY_PORT: starts nginx on free ports (tries again if one is taken meanwhile)
start_nginx() {
  mkdir -p "$NGX/tmp"
  local pid
  for _ in 1 2 3 4 5; do
    NGINX_PORT=$(free_port); NGINX_CHECK_PORT=$(free_port); NGINX_STATUS_PORT=$(free_port)
    [[ "$NGINX_PORT" != "$NGINX_CHECK_PORT" && "$NGINX_PORT" != "$NGINX_STATUS_PORT" \
       && "$NGINX_CHECK_PORT" != "$NGINX_STATUS_PORT" ]] || continue
    nginx_conf "$NGINX_PORT" "$NGINX_CHECK_PORT" "$NGINX_STATUS_PORT" "$1" >"$NGX/nginx.conf"
    $SERVER_PIN "$NGINX_BIN" -p "$NGX" -c "$NGX/nginx.conf" -e stderr >>"$OUT/nginx.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    for _ in $(seq 100); do
      if listening "$NGINX_PORT" && listening "$NGINX_CHECK_PORT" && listening "$NGINX_STATUS_PORT"; then
        NGINX_PID="$pid"; return 0
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    grep -q "Address already in use" "$OUT/nginx.log" || break
  done
  return 1
}
# gateway_requests HTTP_PORT: every request the gateway counted (scoring_requests_total, all outcomes)
gateway_requests() {
  curl -sf "http://127.0.0.1:$1/metrics" | awk '/^scoring_requests_total/ { s += $NF } END { printf "%d\n", s }'
}
nginx_requests() {  # client requests nginx accepted (its stub_status), mirror subrequests not included
  curl -sf "http://127.0.0.1:$NGINX_STATUS_PORT/" | awk 'NR == 3 { print $3 }'
}
if [[ "$NGINX" == 1 ]]; then
  if ! find_nginx; then
    NGINX_NOTE="skipped: nginx is not on PATH and Debian's package could not be fetched (see $OUT/nginx-fetch.log);"
    NGINX_NOTE+=" run 'apt-get update' as root (or install it: apt-get install nginx), then run again"
    log "WARNING: leg (d) $NGINX_NOTE"
  else
    start_gateway GWN gateway-nginx "$OUT/gateway-nginx.log" "$OUT/state-nginx" "$SERVER_JVM_OPTS"
    if ! set_policy "$GWN_ADMIN" '{"champion":"1"}' "$OUT/traffic-nginx.json"; then
      log "the champion-only policy could not be set on the gateway behind nginx; see $OUT/traffic-nginx.json"; exit 1
    fi
    if start_nginx "$([[ "$PROTOCOL" == http ]] && echo "$GWN_HTTP" || echo "$GWN_GRPC")"; then
      NGINX_NOTE="$("$NGINX_BIN" -v 2>&1 | sed 's/.*: //') ($NGINX_BIN), 1 worker, split_clients on $KEY_HEADER:"
      NGINX_NOTE+=" 10% canary, mirror 100% to shadow; all three upstreams one gateway with champion 1 only"
      NGINX_REQUESTS_START=$(nginx_requests); GWN_REQUESTS_START=$(gateway_requests "$GWN_HTTP")
      log "nginx: $PROTOCOL on $NGINX_PORT (check $NGINX_CHECK_PORT, stub_status $NGINX_STATUS_PORT), config $NGX/nginx.conf;" \
          "its gateway: gRPC $GWN_GRPC, HTTP $GWN_HTTP, admin $GWN_ADMIN (champion 1 only)"
    else
      NGINX_NOTE="skipped: nginx did not start (see $OUT/nginx.log: $(grep -m1 -o 'emerg.*' "$OUT/nginx.log" || true))"
      log "WARNING: leg (d) $NGINX_NOTE"
    fi
  fi
fi
TARGETS="echo gateway"
[[ "$V2" == 1 && "$PROTOCOL" == grpc ]] && TARGETS+=" echo-v2 gateway-v2"
[[ -n "$NGINX_PID" ]] && TARGETS+=" nginx"


port_of() {  # port_of echo|gateway|echo-v2|gateway-v2|nginx
  case "$1" in
    echo) [[ "$PROTOCOL" == http ]] && echo "$ECHO_HTTP" || echo "$ECHO_GRPC" ;;
    gateway) [[ "$PROTOCOL" == http ]] && echo "$GW_HTTP" || echo "$GW_GRPC" ;;
    echo-v2) echo "$ECHO_GRPC" ;;
    gateway-v2) echo "$GW_GRPC" ;;
    nginx) echo "$NGINX_PORT" ;;
  esac
}
server_pids() {  # the processes serving a target: for (d), nginx and the gateway behind it
  case "$1" in echo|echo-v2) echo "$ECHO_PID" ;; gateway|gateway-v2) echo "$GW_PID" ;; nginx) echo "$NGINX_PID $GWN_PID" ;; esac
}
protocol_of() {  # the generator's protocol flags for a target: the V2 legs speak ModelInfer
  case "$1" in *-v2) echo "--protocol grpc-v2 --v2-contents $V2_CONTENTS" ;; *) echo "--protocol $PROTOCOL" ;; esac
}


CSV="$OUT/results.csv"
CPU_CSV="$OUT/server-cpu.csv"
echo "label,protocol,target,mode,concurrency,rate,server_cpu_us,load1,round,throughput,p99_us,proxy_cpu_us" >"$CPU_CSV"
# loadgen LABEL NAME ARGS...: one run of round $ROUND: one row of results.csv, one NAME.hgrm, and one row
# of server-cpu.csv: the round, the server's CPU time per answer (its user + system time over the measured
# window, read by the generator at the window's edges, over the window's answers: --server-pid; CPU time
# is far less disturbed by other work on the machine than latency is; for (d) nginx's and its gateway's
# together), nginx's alone as proxy_cpu_us (over the generator's whole run, warm-up included, over every
# answer of the run), the load average after the run, and the run's throughput and p99.
loadgen() {
  local label="$1" name="$2"; shift 2
  local pids; pids=$(server_pids "$label")
  local proxy_before=0
  [[ "$label" == nginx ]] && proxy_before=$(cpu_ticks "$NGINX_PID")
  generate --target "127.0.0.1:$(port_of "$label")" $(protocol_of "$label") --server-pid "${pids// /,}" \
    --warmup "$WARMUP" --duration "$DURATION" --label "$label" --csv "$CSV" --hgrm "$OUT/$name.hgrm" "$@"
  local proxy_after=0
  [[ "$label" == nginx ]] && proxy_after=$(cpu_ticks "$NGINX_PID")
  tail -1 "$CSV" | awk -F, -v a="$(column answered_all)" -v c="$(column server_cpu_us)" -v hz="$CLK_TCK" \
    -v load="$(cut -d' ' -f1 /proc/loadavg)" -v round="$ROUND" -v t="$(column throughput)" -v p="$(column p99_us)" \
    -v proxy="$([[ "$label" == nginx ]] && echo $((proxy_after - proxy_before)))" \
    '{ printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", $1, $2, $3, $4, $5, $6, $c, load, round, $t, $p,
       proxy == "" ? "" : sprintf("%.1f", proxy * 1e6 / hz / $a) }' \
    >>"$CPU_CSV"
}

# ---- warm every server once (not recorded): on two busy cores, compiling gRPC's and Netty's paths takes
# tens of seconds, and round 1 would otherwise measure the JIT. nginx's warm-up goes through its check
# port, whose access logs show the split and the mirror at work.
for target in $TARGETS; do
  log "warming $target for $SERVER_WARMUP (not recorded)"
  port=$(port_of "$target")
  if [[ "$target" == nginx ]]; then port="$NGINX_CHECK_PORT"; CHECK_GWN_BEFORE=$(gateway_requests "$GWN_HTTP"); fi
  generate --target "127.0.0.1:$port" $(protocol_of "$target") \
    --concurrency "$(tr ' ' '\n' <<<"$CONCURRENCIES" | sort -n | tail -1)" \
    --warmup 0s --duration "$SERVER_WARMUP" --label "$target-warm-up"
done
if [[ -n "$NGINX_PID" ]]; then
  # the check: requests by bucket (main requests), mirror subrequests, and what the gateway counted
  NGINX_CHECK="warm-up through the logged port: $(awk '{ n[$1]++; t++ } END { for (b in n) printf "%s %d (%.1f%%), ", b, n[b], 100 * n[b] / t }' \
    "$NGX/check-main.log" 2>/dev/null)mirrored $(wc -l <"$NGX/check-mirror.log" 2>/dev/null || echo 0)"
  NGINX_CHECK+=" of $(wc -l <"$NGX/check-main.log" 2>/dev/null || echo 0) requests;"
  NGINX_CHECK+=" the gateway behind nginx counted $(( $(gateway_requests "$GWN_HTTP") - CHECK_GWN_BEFORE ))"
  log "nginx check: $NGINX_CHECK"
fi

# order ROUND: the targets in this round's order, reversed every other round, so drift over time hits all
# alike (with two targets: echo gateway, gateway echo, ...)
order() { if (( $1 % 2 )); then echo $TARGETS; else tr ' ' '\n' <<<"$TARGETS" | tac | tr '\n' ' '; fi; }

# ---- closed loop: throughput at each concurrency
for ROUND in $(seq "$ROUNDS"); do
  for c in $CONCURRENCIES; do
    for target in $(order "$ROUND"); do
      log "round $ROUND/$ROUNDS: $target, closed loop, $c in flight"
      loadgen "$target" "$target-closed-c$c-r$ROUND" --mode closed --concurrency "$c"
    done
  done
done


MAX_C=$(tr ' ' '\n' <<<"$CONCURRENCIES" | sort -n | tail -1)
CLOSED_SATURATION=$(values echo closed concurrency "$MAX_C" throughput | median)
# The echo's saturation rate: by default the highest open-loop rate it keeps up with (an open-loop rate
# sweep: answers >= 95% of the rate, no errors, p99 <= SATURATION_P99), which is what "half the echo's
# saturation rate" must be a fraction of for the open-loop comparison to mean anything; with
# SATURATION_FROM=closed, its closed-loop throughput at the highest concurrency (cheaper, often higher
# than any open-loop rate the two cores keep up with, since the generator's own cost differs).
SATURATION="$CLOSED_SATURATION"
if [[ "$OPEN" == 1 && "$SATURATION_FROM" == sweep ]]; then
  log "echo saturation: open-loop rate sweep from $(awk -v s="$CLOSED_SATURATION" 'BEGIN { printf "%d", s / 2 }')/s," \
      "p99 target $SATURATION_P99"
  generate --target "127.0.0.1:$(port_of echo)" --protocol "$PROTOCOL" --mode sweep \
    --rate "$(awk -v s="$CLOSED_SATURATION" 'BEGIN { printf "%d", s / 2 }')" --max-rate "$(awk -v s="$CLOSED_SATURATION" \
    'BEGIN { printf "%d", s * 2 }')" --p99-target "$SATURATION_P99" --resolution 5 \
    --warmup "$SWEEP_WARMUP" --duration "$SWEEP_DURATION" --label echo-sweep --csv "$OUT/sweep.csv"
  cp "$OUT/loadgen.out" "$OUT/sweep.txt"
  SWEPT=$(sed -n 's/^highest rate meeting p99 <= [0-9]* µs: \([0-9]*\)\/s.*/\1/p' "$OUT/sweep.txt")
  if [[ -n "$SWEPT" ]]; then SATURATION="$SWEPT"
  else log "WARNING: the sweep found no rate meeting the target; using the closed-loop saturation"; fi
fi
rate_at() { awk -v s="$SATURATION" -v f="$1" 'BEGIN { printf "%d\n", s * f }'; }
HALF_RATE=$(rate_at 0.5)
if [[ "$OPEN" != 1 ]]; then
  RATES=""
elif [[ -n "$OPEN_RATES" ]]; then
  RATES=$(tr ' ' '\n' <<<"$OPEN_RATES $HALF_RATE" | sort -n | uniq)
else
  RATES=$( (for f in $OPEN_FRACTIONS; do rate_at "$f"; done; echo "$HALF_RATE") | sort -n | uniq)
fi
[[ "$OPEN" == 1 ]] && log "echo saturation: $SATURATION/s ($SATURATION_FROM; closed loop at $MAX_C in flight: $CLOSED_SATURATION/s);" \
    "open loop at" $RATES "/s"

# ---- open loop at fractions of the echo's saturation rate: p99 from the intended send time
for ROUND in $(seq "$ROUNDS"); do
  for rate in $RATES; do
    for target in $(order "$ROUND"); do
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

# ---- (d) evidence over the whole run: requests the gateway behind nginx counted against nginx's requests
if [[ -n "$NGINX_PID" ]]; then
  NGINX_REQUESTS=$(( $(nginx_requests) - NGINX_REQUESTS_START - 1 ))   # minus this status read
  GWN_REQUESTS=$(( $(gateway_requests "$GWN_HTTP") - GWN_REQUESTS_START ))
  NGINX_TOTALS="whole run: nginx accepted $NGINX_REQUESTS client requests (stub_status), the gateway behind it counted"
  NGINX_TOTALS+=" $GWN_REQUESTS (scoring_requests_total): $(awk -v g="$GWN_REQUESTS" -v n="$NGINX_REQUESTS" \
    'BEGIN { printf "%.3f", (n > 0) ? g / n : 0 }')x (2x when every request is mirrored)"
fi

# ---- report
# paired MODE KEY VALUE FIELD [OVER [OF]]: the median over rounds of OF's (default gateway) FIELD over OVER's
# (default echo) in the same round (they ran back to back, so a noisy neighbour disturbs the pair less than
# the medians)
paired() {
  awk -F, -v m="$1" -v k="$(column "$2" "$CPU_CSV")" -v v="$3" -v f="$(column "$4" "$CPU_CSV")" \
    -v r="$(column round "$CPU_CSV")" -v over="${5:-echo}" -v of="${6:-gateway}" \
    'NR > 1 && $4 == m && $k + 0 == v + 0 { if ($1 == over) e[$r] = $f; else if ($1 == of) g[$r] = $f }
     END { for (x in e) if ((x in g) && e[x] > 0) print g[x] / e[x] }' "$CPU_CSV" | median | awk '{ printf "%.2f", $1 }'
}
verdict() { awk -v r="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? r >= t : r <= t; print ok ? "meets" : "MISSES" }'; }
{
  echo
  echo "side by side: $PROTOCOL, ${CONNECTIONS:-default} connection(s), warm-up $WARMUP, measured $DURATION, $ROUNDS round(s), medians"
  echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)$(
    [[ "$PIN" == 1 ]] && echo "; servers pinned to core 0, the generator to core 1")"
  echo "gateway: $GATEWAY_SETUP; request $(values echo closed concurrency "$MAX_C" request_bytes | head -1) B," \
       "response echo $(values echo closed concurrency "$MAX_C" response_bytes | head -1) B," \
       "gateway $(values gateway closed concurrency "$MAX_C" response_bytes | head -1) B" \
       "${KEY_HEADER:+(each with its entity key in $KEY_HEADER)}"
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
  if [[ " $TARGETS " == *" gateway-v2 "* ]]; then
    echo
    echo "issue 13, V2 on the fast codecs: V2 ModelInfer ($V2_CONTENTS contents, $(values echo-v2 closed concurrency \
      "$MAX_C" request_bytes | head -1) B request) against Predict, gateway against echo; medians over rounds of the ratio in each round"
    printf '%-14s %11s %11s %9s %9s %9s %9s %9s %9s %9s %9s %9s\n' "closed loop" "echo-v2 r/s" "gw-v2 r/s" \
      "V2/Pred" "gw/echo" "gw/echo" "echo cpu" "gw cpu" "echo-v2" "gw-v2" "cpu g/e" "cpu g/e"
    printf '%-14s %11s %11s %9s %9s %9s %9s %9s %9s %9s %9s %9s\n' "" "" "" "gateway" "Predict" "V2" "Predict" \
      "Predict" "cpu" "cpu" "Predict" "V2"
    for c in $CONCURRENCIES; do
      vp=$(paired closed concurrency "$c" throughput gateway gateway-v2)
      ge=$(paired closed concurrency "$c" throughput)
      ge2=$(paired closed concurrency "$c" throughput echo-v2 gateway-v2)
      ce=$(paired closed concurrency "$c" server_cpu_us)
      ce2=$(paired closed concurrency "$c" server_cpu_us echo-v2 gateway-v2)
      printf '%-14s %11.0f %11.0f %9s %9s %9s %9s %9s %9s %9s %9s %9s\n' "$c in flight" \
        "$(values echo-v2 closed concurrency "$c" throughput | median)" \
        "$(values gateway-v2 closed concurrency "$c" throughput | median)" "$vp" "$ge" "$ge2" \
        "$(values echo closed concurrency "$c" server_cpu_us "$CPU_CSV" | median)" \
        "$(values gateway closed concurrency "$c" server_cpu_us "$CPU_CSV" | median)" \
        "$(values echo-v2 closed concurrency "$c" server_cpu_us "$CPU_CSV" | median)" \
        "$(values gateway-v2 closed concurrency "$c" server_cpu_us "$CPU_CSV" | median)" "$ce" "$ce2"
      echo "  $c in flight: V2/Predict $vp $(verdict "$vp" 0.95 '>=') (>= 0.95); gateway/echo Predict $ge" \
           "$(verdict "$ge" 0.9 '>=') and V2 $ge2 $(verdict "$ge2" 0.9 '>=') (>= 0.9); CPU per answer gateway/echo" \
           "Predict $ce $(verdict "$ce" 1.2 '<=') and V2 $ce2 $(verdict "$ce2" 1.2 '<=') (<= 1.2)"
    done
    for rate in $RATES; do
      # at one offered rate both servers answer alike, so CPU per answer compares the same work (in closed loop
      # a server that answers more per second also batches more per wake-up)
      ce=$(paired open rate "$rate" server_cpu_us)
      ce2=$(paired open rate "$rate" server_cpu_us echo-v2 gateway-v2)
      echo "  open loop at $rate/s: CPU per answer echo $(values echo open rate "$rate" server_cpu_us "$CPU_CSV" | median)," \
           "gateway $(values gateway open rate "$rate" server_cpu_us "$CPU_CSV" | median), echo-v2" \
           "$(values echo-v2 open rate "$rate" server_cpu_us "$CPU_CSV" | median), gateway-v2" \
           "$(values gateway-v2 open rate "$rate" server_cpu_us "$CPU_CSV" | median) µs; gateway/echo Predict $ce" \
           "$(verdict "$ce" 1.2 '<=') and V2 $ce2 $(verdict "$ce2" 1.2 '<=') (<= 1.2); V2/Predict on the gateway" \
           "$(paired open rate "$rate" server_cpu_us gateway gateway-v2); p99 gateway-v2 / gateway" \
           "$(paired open rate "$rate" p99_us gateway gateway-v2)"
    done
    echo "(cpu: the server's CPU µs per answer over the measured window)"
  fi
  [[ -n "$RATES" ]] && echo && printf '%-14s %10s %10s %10s %10s %9s %12s %9s %9s %7s\n' "open loop" "echo p50" "gw p50" "echo p99" "gw p99" \
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
       "round; cpu: the server's CPU µs per answer; errors: failed requests over all rounds of both$(
       [[ -n "$RATES" ]] && echo "; echo saturation $SATURATION/s ($SATURATION_FROM)"))"
  echo "load average (1 min) after each run, min / median / max:" \
       "$(awk -F, 'NR > 1 { print $8 }' "$CPU_CSV" | sort -g | awk '{ a[NR] = $1 } END { print a[1], "/", a[int((NR + 1) / 2)], "/", a[NR] }')"
  echo
  echo "compute floor (in process, JMH): $COMPUTE_NOTE"
  echo "nginx split_clients + mirror (d): $NGINX_NOTE"
  if [[ -n "$NGINX_PID" ]]; then
    echo "  $NGINX_CHECK"
    echo "  $NGINX_TOTALS"
    echo
    printf '%-14s %12s %14s %9s %10s %10s %10s %13s %10s\n' "(d) closed" "nginx req/s" "gateway req/s" "gw/nginx" \
      "nginx p50" "nginx p99" "gw p99" "nginx+gw cpu" "nginx cpu"
    for c in $CONCURRENCIES; do
      printf '%-14s %12.0f %14.0f %9s %10s %10s %10s %13s %10s\n' "$c in flight" \
        "$(values nginx closed concurrency "$c" throughput | median)" \
        "$(values gateway closed concurrency "$c" throughput | median)" "$(paired closed concurrency "$c" throughput nginx)" \
        "$(values nginx closed concurrency "$c" p50_us | median)" "$(values nginx closed concurrency "$c" p99_us | median)" \
        "$(values gateway closed concurrency "$c" p99_us | median)" \
        "$(values nginx closed concurrency "$c" server_cpu_us "$CPU_CSV" | median)" \
        "$(values nginx closed concurrency "$c" proxy_cpu_us "$CPU_CSV" | median)"
    done
    printf '%-14s %10s %10s %10s %10s %12s %13s %10s %7s\n' "(d) open" "nginx p50" "nginx p99" "gw p99" "gw/nginx p99" \
      "nginx achvd" "nginx+gw cpu" "nginx cpu" "errors"
    for rate in $RATES; do
      printf '%-14s %10s %10s %10s %10s %12s %13s %10s %7s\n' "$rate/s" \
        "$(values nginx open rate "$rate" p50_us | median)" "$(values nginx open rate "$rate" p99_us | median)" \
        "$(values gateway open rate "$rate" p99_us | median)" "$(paired open rate "$rate" p99_us nginx)" \
        "$(values nginx open rate "$rate" throughput | median)" \
        "$(values nginx open rate "$rate" server_cpu_us "$CPU_CSV" | median)" \
        "$(values nginx open rate "$rate" proxy_cpu_us "$CPU_CSV" | median)" \
        "$(values nginx open rate "$rate" errors | awk '{ s += $1 } END { print s + 0 }')"
    done
    echo "(gw/nginx: median over rounds of gateway (b) / nginx (d) in the same round: throughput above 1 and p99" \
         "below 1 favour the gateway; cpu: µs per answer of nginx and the gateway behind it together, and of nginx" \
         "alone; errors: failed requests through nginx over all rounds)"
  fi
  echo
  echo "every run: $CSV; .hgrm files and logs: $OUT"
} | tee "$OUT/summary.txt"

shopt -s nullglob
HGRMS=()
for f in "$OUT"/*-open-"$HALF_RATE"-*.hgrm; do HGRMS+=("$(basename "$f" .hgrm)=$f"); done
if (( ${#HGRMS[@]} )); then
  java -cp "$BENCH_JAR" io.scoring.bench.load.HtmlReport --out "$OUT/report.html" \
    --title "gateway vs echo${NGINX_PID:+ vs nginx}, open loop at $HALF_RATE/s ($PROTOCOL)" "${HGRMS[@]}" >&2
  echo "report: $OUT/report.html"
fi
