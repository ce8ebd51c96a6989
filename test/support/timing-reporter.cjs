// How long each test file took (its hooks included), slowest first, when files run one after
// another in one process:
//   npx mocha --reporter test/support/timing-reporter.cjs 'test/**/*.test.ts'
// prints the figures after mocha's dots; GATEHOUSE_TEST_TIMINGS=<file> also writes them there as
// "<seconds> <file>" lines (scripts/test.sh's reporter does that too). In parallel workers a
// reporter only sees a file's events replayed once it has finished: see file-timings.mjs.
const Mocha = require('mocha');
const fs = require('node:fs');
const path = require('node:path');

const { EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_RUN_END } = Mocha.Runner.constants;

/** Times each file's top-level suites; calls `report(lines)` at the end of the run. */
function recordFileTimings(runner, report) {
  const started = new Map();
  const took = new Map();
  runner.on(EVENT_SUITE_BEGIN, (suite) => {
    if (suite.file && suite.parent && suite.parent.root) started.set(suite, Date.now());
  });
  runner.on(EVENT_SUITE_END, (suite) => {
    const at = started.get(suite);
    if (at === undefined) return;
    const file = path.relative(process.cwd(), suite.file);
    took.set(file, (took.get(file) ?? 0) + (Date.now() - at));
  });
  runner.once(EVENT_RUN_END, () => {
    const lines = [...took].sort((a, b) => b[1] - a[1]).map(([file, ms]) => `${(ms / 1000).toFixed(1).padStart(6)} ${file}`);
    if (process.env.GATEHOUSE_TEST_TIMINGS && lines.length > 0) fs.writeFileSync(process.env.GATEHOUSE_TEST_TIMINGS, `${lines.join('\n')}\n`);
    report?.(lines);
  });
}

class TimingReporter extends Mocha.reporters.Dot {
  constructor(runner, options) {
    super(runner, options);
    recordFileTimings(runner, (lines) => process.stdout.write(`\nper file (s):\n${lines.join('\n')}\n`));
  }
}
module.exports = TimingReporter;
module.exports.recordFileTimings = recordFileTimings;
