// The order `npm test` hands test files to mocha's workers: longest first, so that the last file
// to start is a short one and no worker idles while the other finishes a long file (longest
// processing time first scheduling). Durations come from the last full run in this checkout
// (.test-tmp/file-durations.txt, written by scripts/test.sh), else from the record kept in the
// repository (test/file-durations.txt). A file in neither comes first: nothing says it is short.
// Prints one path per line: every test file, or the files given as arguments (arguments that are
// not all files, such as a glob for mocha to expand, are printed as given).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RECORDS = ['.test-tmp/file-durations.txt', 'test/file-durations.txt'].map((f) => path.join(ROOT, f));

function durations(file) {
  const seconds = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([\d.]+)\s+(\S+)$/.exec(line);
    if (m) seconds.set(m[2], Number(m[1]));
  }
  return seconds;
}

const given = process.argv.slice(2);
if (given.length && !given.every((f) => existsSync(f) && statSync(f).isFile())) {
  process.stdout.write(`${given.join('\n')}\n`);
  process.exit(0);
}
const files = given.length
  ? given.map((f) => path.relative(ROOT, path.resolve(f)))
  : readdirSync(path.join(ROOT, 'test'), { recursive: true })
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => path.join('test', f))
      .sort();
const record = RECORDS.find((f) => existsSync(f));
const seconds = record ? durations(record) : new Map();
const order = (f) => seconds.get(f) ?? Infinity;
files.sort((a, b) => order(b) - order(a));
process.stdout.write(`${files.join('\n')}\n`);
