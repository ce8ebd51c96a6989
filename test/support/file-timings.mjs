// How long each test file takes when files run in parallel workers (mocha --parallel), where a
// reporter only sees a file's events replayed once it has finished. In a worker, root hooks run
// once per file, so beforeAll/afterAll bracket the whole file, its own hooks included:
//   GATEHOUSE_TEST_TIMINGS=/tmp/t.txt npx mocha --parallel --jobs 2 --require test/support/file-timings.mjs
// appends "<seconds> <file>" lines to the file named. (Serial runs: test/support/timing-reporter.cjs.)
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const out = process.env.GATEHOUSE_TEST_TIMINGS;
let started = 0;

export const mochaHooks = out
  ? {
      beforeAll() {
        started = Date.now();
      },
      afterAll() {
        const file = this.test?.parent?.suites?.[0]?.file;
        if (!file) return;
        appendFileSync(out, `${((Date.now() - started) / 1000).toFixed(1).padStart(6)} ${path.relative(process.cwd(), file)}\n`);
      },
    }
  : {};
