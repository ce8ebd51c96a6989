// Mocha's spec reporter, plus a file with "<passed> <failed>" for scripts/test.sh to total up.
const Mocha = require('mocha');
const fs = require('node:fs');

class CountingReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once('end', () => {
      const out = process.env.GATEHOUSE_TEST_COUNTS;
      if (out) fs.writeFileSync(out, `${this.stats.passes} ${this.stats.failures}\n`);
    });
  }
}
module.exports = CountingReporter;
