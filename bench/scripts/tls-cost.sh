#!/usr/bin/env bash
# The cost of TLS (docs/PERFORMANCE.md, "TLS"): the gateway (demo, champion only) in plaintext, over TLS
# through OpenSSL (BoringSSL, netty-tcnative) and over TLS through the JDK's engine
# (-Dio.netty.handler.ssl.noOpenSsl=true), one server process per run, the variants' order rotating every
# round. Each run: warm-up (not recorded), then a closed loop at CONCURRENCY on long-lived connections
# (the load generator's --tls-ca: its client is OpenSSL where it loads). Reported per variant and protocol:
# medians over rounds of throughput and of the gateway's CPU µs per answer, and their ratio to plaintext in
# the same round. Handshakes are not in these figures (the connections stay open); a certificate is EC P-256.
#
# Usage: ROUNDS=3 SERVER_WARMUP=10s DURATION=10s CONCURRENCY=32 PROTOCOLS="grpc http" BUILD=0 \
#   bench/scripts/tls-cost.sh
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/bench/scripts/lib.sh"
ROUNDS="${ROUNDS:-3}"
SERVER_WARMUP="${SERVER_WARMUP:-10s}"
DURATION="${DURATION:-10s}"
CONCURRENCY="${CONCURRENCY:-32}"
PROTOCOLS="${PROTOCOLS:-grpc http}"
BUILD="${BUILD:-1}"
MVN_FLAGS="${MVN_FLAGS:-}"
BASE_JVM_OPTS="${BASE_JVM_OPTS:--Xms1g -Xmx1g}"
LG_JVM_OPTS="${LG_JVM_OPTS:--Xms512m -Xmx512m}"
OUT="${OUT:-$ROOT/bench/target/tls-cost-$(date +%Y%m%d-%H%M%S)}"
VARIANTS=(plaintext tls-openssl tls-jdk)

prepare_run
MODELS="$OUT/models"
demo_models "$GATEWAY_JAR" "$MODELS"
CERTS="$OUT/certs"
mkdir -p "$CERTS"
(
  cd "$CERTS"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 2 \
    -subj /CN=bench-ca -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr \
    -subj /CN=localhost 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 \
    -extfile server.ext 2>/dev/null
)
CSV="$OUT/results.csv"
RUNS="$OUT/runs.csv"
echo "variant,protocol,round,throughput,server_cpu_us,errors,load1" >"$RUNS"

for ROUND in $(seq "$ROUNDS"); do
  for i in "${!VARIANTS[@]}"; do
    name="${VARIANTS[$(( (i + ROUND - 1) % ${#VARIANTS[@]} ))]}"
    jvm="$BASE_JVM_OPTS"; tls_flags=(); lg_tls=()
    if [[ "$name" != plaintext ]]; then
      tls_flags=(--tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key")
      lg_tls=(--tls-ca "$CERTS/ca.pem")
    fi
    [[ "$name" == tls-jdk ]] && jvm="$jvm -Dio.netty.handler.ssl.noOpenSsl=true"
    log "round $ROUND/$ROUNDS: $name"
    # shellcheck disable=SC2086 # the JVM options are words
    start_gateway GW "$name" "$OUT/$name-r$ROUND.log" "$OUT/state" "$jvm" "${tls_flags[@]}"
    grep -o 'TLS on every listener through [^,]*' "$OUT/$name-r$ROUND.log" >&2 || true
    for protocol in $PROTOCOLS; do
      port="$GW_GRPC"; [[ "$protocol" == http ]] && port="$GW_HTTP"
      generate --target "127.0.0.1:$port" --protocol "$protocol" "${lg_tls[@]}" --mode closed \
        --concurrency "$CONCURRENCY" --warmup 0s --duration "$SERVER_WARMUP" --label "$name-warm-up"
      before=$(cpu_ticks "$GW_PID")
      generate --target "127.0.0.1:$port" --protocol "$protocol" "${lg_tls[@]}" --mode closed \
        --concurrency "$CONCURRENCY" --warmup 0s --duration "$DURATION" --label "$name" --csv "$CSV"
      after=$(cpu_ticks "$GW_PID")
      tail -1 "$CSV" | awk -F, -v v="$name" -v p="$protocol" -v r="$ROUND" -v d="$((after - before))" -v hz="$CLK_TCK" \
        -v all="$(column answered_all)" -v t="$(column throughput)" -v e="$(column errors)" \
        -v load="$(cut -d' ' -f1 /proc/loadavg)" \
        '{ printf "%s,%s,%s,%s,%.1f,%s,%s\n", v, p, r, $t, d * 1e6 / hz / $all, $e, load }' >>"$RUNS"
    done
    stop_all
  done
done

# field VARIANT PROTOCOL FIELD: FIELD of every round; vs_plaintext VARIANT PROTOCOL FIELD: its median ratio to plaintext
field() { rounds_of "$RUNS" "$1" 2 "$2" "$3"; }
vs_plaintext() { ratio_to "$RUNS" plaintext "$1" 2 "$2" 3 "$3"; }
{
  echo
  echo "TLS cost: closed loop at $CONCURRENCY in flight, $ROUNDS round(s) of $DURATION after $SERVER_WARMUP of warm-up; medians"
  echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "loads during the runs: $(awk -F, 'NR > 1 { print $7 }' "$RUNS" | sort -g | sed -n '1p;$p' | paste -sd- -)"
  echo
  printf '%-12s %-6s %10s %7s %9s %7s %7s\n' variant proto "req/s" "ratio" "cpu µs" "ratio" errors
  for protocol in $PROTOCOLS; do
    for name in "${VARIANTS[@]}"; do
      printf '%-12s %-6s %10.0f %7s %9s %7s %7s\n' "$name" "$protocol" \
        "$(field "$name" "$protocol" throughput | median)" "$(vs_plaintext "$name" "$protocol" throughput)" \
        "$(field "$name" "$protocol" server_cpu_us | median)" "$(vs_plaintext "$name" "$protocol" server_cpu_us)" \
        "$(field "$name" "$protocol" errors | awk '{ s += $1 } END { print s + 0 }')"
    done
  done
  echo "(ratios: median over rounds of the variant over plaintext in the same round; cpu: the gateway's CPU µs per"
  echo " answer; every run: $RUNS)"
} | tee "$OUT/summary.txt"
