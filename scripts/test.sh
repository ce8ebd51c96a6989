#!/usr/bin/env bash
# The whole test suite: installs what it needs, makes sure PostgreSQL and Redis answer, then runs
# typecheck, lint, the build and mocha. Ends with the line `tests: N passed, M failed` (typecheck,
# lint and the build each count as one test).
set -uo pipefail
cd "$(dirname "$0")/.."

# Test files run in two worker processes when the machine has two idle cores, else one after
# another; GATEHOUSE_TEST_JOBS=N forces N workers (1: one process). Each test starts its own servers
# and its own databases; servers a test restarts on the same port (slapd, Redis) get ports no other
# worker can be handed meanwhile (test/support/free-port.ts restartablePorts). Workers only pay
# when the cores are otherwise idle (docs/development.md, "How long the tests take").
# GATEHOUSE_TEST_TIMINGS=<file> records how long each file took (with workers:
# test/support/file-timings.mjs).
jobs=${GATEHOUSE_TEST_JOBS:-auto}
if [ "$jobs" = auto ]; then
  cores=$(nproc)
  # Read before the type check and the linter below load the cores themselves.
  load=$(cut -d' ' -f1 /proc/loadavg)
  if [ "$cores" -ge 2 ] && awk -v l="$load" -v c="$cores" 'BEGIN { exit !(l < c / 2) }'; then jobs=2; else jobs=1; fi
  echo "test files: $jobs worker(s) (cores: $cores, load average: $load; set GATEHOUSE_TEST_JOBS to choose)"
fi

bash scripts/setup.sh || { echo "tests: 0 passed, 1 failed"; exit 1; }
bash scripts/services.sh || { echo "tests: 0 passed, 1 failed"; exit 1; }

passed=0
failed=0
# The type check, the linter and the build each use one core and need nothing from each other:
# they run at the same time, each into its own log, printed in order once all three are done.
checks=$(mktemp -d)
check() {
  local name=$1; shift
  if "$@" > "$checks/$name.log" 2>&1; then echo 0 > "$checks/$name.rc"; else echo 1 > "$checks/$name.rc"; fi
}
check typecheck npm run --silent typecheck &
check lint npm run --silent lint &
# The command line (bin/gatehouse.js) runs compiled JavaScript: build dist/ once here, so that the
# tests running it find it current instead of each building it.
check build node --input-type=module -e "const b = await import('./scripts/build.mjs'); if (!b.distIsCurrent() && !b.build()) process.exit(1);" &
wait
for name in typecheck lint build; do
  cat "$checks/$name.log"
  if [ "$(cat "$checks/$name.rc")" = 0 ]; then passed=$((passed + 1)); else echo "FAILED: $name"; failed=$((failed + 1)); fi
done
rm -rf "$checks"

parallel=(--parallel --jobs "$jobs" --require test/support/file-timings.mjs)
[ "$jobs" -le 1 ] && parallel=()
# Test files go to the workers longest first (test/support/file-order.mjs); a full run records how
# long each took, for the next run's order.
record=
full=$(( $# == 0 ))
mapfile -t files < <(node test/support/file-order.mjs "$@")
set -- "${files[@]}"
if [ $full = 1 ]; then
  if [ -z "${GATEHOUSE_TEST_TIMINGS:-}" ]; then
    mkdir -p .test-tmp
    record=$(mktemp .test-tmp/durations.XXXXXX)
    export GATEHOUSE_TEST_TIMINGS=$record
  fi
fi
counts=$(mktemp)
GATEHOUSE_TEST_COUNTS="$counts" npx mocha "${parallel[@]}" --reporter test/support/counting-reporter.cjs "$@"
mocha_rc=$?
if [ -n "$record" ]; then
  # Only a run that reached every file replaces the record.
  if [ "$(wc -l < "$record")" -ge $# ]; then mv "$record" .test-tmp/file-durations.txt; else rm -f "$record"; fi
fi
if [ -s "$counts" ]; then
  read -r p f < "$counts"
  passed=$((passed + p))
  failed=$((failed + f))
else
  failed=$((failed + 1))
fi
[ $mocha_rc -ne 0 ] && [ "${f:-0}" = 0 ] && failed=$((failed + 1))
rm -f "$counts"
echo "tests: $passed passed, $failed failed"
[ $failed -eq 0 ]
