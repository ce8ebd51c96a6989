// Mocha's spec reporter, plus a file with "<passed> <failed>" for scripts/test.sh to total up, and
// with GATEHOUSE_TEST_TIMINGS=<file>, each file's duration when files run in one process.
const Mocha = require('mocha');
const fs = require('node:fs');
const { recordFileTimings } = require('./timing-reporter.cjs');

class CountingReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    if (!options.parallel) recordFileTimings(runner);
    runner.once('end', () => {
      const out = process.env.GATEHOUSE_TEST_COUNTS;
      if (out) fs.writeFileSync(out, `${this.stats.passes} ${this.stats.failures}\n`);
    });
  }
}
module.exports = CountingReporter;
