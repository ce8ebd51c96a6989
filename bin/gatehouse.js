#!/usr/bin/env node
// `npx gatehouse …` (package.json "bin"): the command line in cli/main.ts, run with this process's
// streams by cli/run.ts, as compiled JavaScript from dist/ like `npm start` (scripts/start.mjs):
// built first when dist/ is missing or older than the sources, and never run from older code when
// that build fails.
import process from 'node:process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST, build, distIsCurrent } from '../scripts/build.mjs';

if (!distIsCurrent()) {
  process.stderr.write('gatehouse: building dist/ (missing or older than the sources)\n');
  if (!build()) {
    process.stderr.write('gatehouse: the build failed (see above); not running\n');
    process.exit(1);
  }
}
await import(pathToFileURL(path.join(DIST, 'cli', 'run.js')).href);
