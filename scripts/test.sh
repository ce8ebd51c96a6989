#!/usr/bin/env bash
# The whole test suite: installs what it needs, makes sure PostgreSQL and Redis answer, then runs
# typecheck, lint and mocha. Ends with the line `tests: N passed, M failed` (typecheck and lint
# each count as one test).
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "tests: 0 passed, 1 failed"; exit 1; }
bash scripts/services.sh || { echo "tests: 0 passed, 1 failed"; exit 1; }

passed=0
failed=0
step() {
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); else echo "FAILED: $name"; failed=$((failed + 1)); fi
}
step typecheck npx tsc -p tsconfig.json --noEmit
step lint npm run --silent lint

# Test files run one after another by default; GATEHOUSE_TEST_JOBS=N runs them in N worker
# processes. Each test starts its own servers and its own databases; servers a test restarts on the
# same port (slapd, Redis) get ports no other worker can be handed meanwhile (test/support/free-port.ts
# restartablePorts). Two workers were not faster on the shared 2-core machine they were measured on
# (docs/development.md, "How long the tests take"). GATEHOUSE_TEST_TIMINGS=<file> records how long
# each file took (with workers: test/support/file-timings.mjs).
jobs=${GATEHOUSE_TEST_JOBS:-1}
parallel=(--parallel --jobs "$jobs" --require test/support/file-timings.mjs)
[ "$jobs" -le 1 ] && parallel=()
counts=$(mktemp)
GATEHOUSE_TEST_COUNTS="$counts" npx mocha "${parallel[@]}" --reporter test/support/counting-reporter.cjs "${@:-test/**/*.test.ts}"
mocha_rc=$?
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
