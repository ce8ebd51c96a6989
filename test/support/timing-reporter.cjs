// Mocha's dot reporter, plus how long each test file took (its hooks included), slowest first:
//   npx mocha --reporter test/support/timing-reporter.cjs 'test/**/*.test.ts'
// GATEHOUSE_TEST_TIMINGS=<file> also writes the figures there as "<seconds> <file>" lines.
const Mocha = require('mocha');
const fs = require('node:fs');
const path = require('node:path');

const { EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_RUN_END } = Mocha.Runner.constants;

class TimingReporter extends Mocha.reporters.Dot {
  constructor(runner, options) {
    super(runner, options);
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
      process.stdout.write(`\nper file (s):\n${lines.join('\n')}\n`);
      if (process.env.GATEHOUSE_TEST_TIMINGS) fs.writeFileSync(process.env.GATEHOUSE_TEST_TIMINGS, `${lines.join('\n')}\n`);
    });
  }
}
module.exports = TimingReporter;
