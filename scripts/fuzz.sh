#!/usr/bin/env bash
# A long fuzzing campaign over every decoder of untrusted bytes: each @FuzzTest (one per *FuzzTest class) for
# DURATION in a JVM of its own (Jazzer fuzzes one test per JVM), with the corpus it grew before
# (<module>/.cifuzz-corpus/, not committed) and the committed seeds (src/test/resources/...Inputs/).
# A finding stops that target, is written to its Inputs directory (commit it: it becomes a regression input
# that every build replays) and is listed at the end; the campaign goes on with the other targets.
#
# Usage: DURATION=10m scripts/fuzz.sh                 # every target
#        DURATION=1h TARGETS="gateway:V2JsonFuzzTest" scripts/fuzz.sh
# Prints per target: executions, executions/s, coverage, corpus size, and the findings.
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DURATION="${DURATION:-5m}"
OUT="${OUT:-$ROOT/target/fuzz-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
if [[ -z "${TARGETS:-}" ]]; then
  TARGETS=""
  for module in gateway feature-lookup router; do
    for test in $(cd "$ROOT/$module/src/test/java" && grep -rl "@FuzzTest" . | xargs -n1 basename | sed 's/\.java$//' | sort); do
      TARGETS+="$module:$test "
    done
  done
fi


summary="$OUT/summary.txt"
printf '%-16s %-26s %12s %9s %7s %11s %s\n' module target executions "exec/s" cov corpus findings | tee "$summary"
for target in $TARGETS; do
  module="${target%%:*}"; test="${target#*:}"
  log="$OUT/$module-$test.log"
  before=$(find "$ROOT/$module/src/test/resources" -path "*${test}Inputs*" -type f 2>/dev/null | sort)
  # the build's fuzz execution (pom.xml), on this test only, for DURATION; its corpus replayed first
  (cd "$ROOT" && mvn -B -o -pl "$module" -am test -Dtest="$test" -Dfuzz.tests="$test" -Dfuzz.duration="$DURATION" \
    -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1)
  after=$(find "$ROOT/$module/src/test/resources" -path "*${test}Inputs*" -type f 2>/dev/null | sort)
  findings=$(comm -13 <(echo "$before") <(echo "$after") | xargs -r -n1 basename | paste -sd' ' -)
  done_line=$(grep -E '^#[0-9]+\s+DONE' "$log" | tail -1)
  [[ -z "$done_line" ]] && done_line=$(grep -E '^#[0-9]+\s+(pulse|NEW|REDUCE)' "$log" | tail -1)
  runs=$(sed -E 's/^#([0-9]+).*/\1/' <<<"$done_line")
  rate=$(grep -oE 'exec/s: [0-9]+' <<<"$done_line" | grep -oE '[0-9]+')
  cov=$(grep -oE 'cov: [0-9]+' <<<"$done_line" | grep -oE '[0-9]+')
  corpus=$(grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' <<<"$done_line" | sed 's/corp: //')
  if grep -q "FuzzTestFinding\|Tests run:.*Failures: [1-9]\|Tests run:.*Errors: [1-9]" "$log"; then
    findings="${findings:-see $log}"
  fi
  printf '%-16s %-26s %12s %9s %7s %11s %s\n' "$module" "$test" "${runs:-?}" "${rate:-?}" "${cov:-?}" "${corpus:-?}" \
    "${findings:-none}" | tee -a "$summary"
done
echo "duration per target: $DURATION; logs: $OUT; machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$summary"
