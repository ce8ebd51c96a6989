// `npm start`: runs the compiled server (dist/server/main.js), building it first when dist/ is
// missing or older than the sources, so that `npm install && npm start` works on a fresh clone.
// A build that fails to compile stops here: older compiled code is never started in its place.
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { ENTRY, build, distIsCurrent } from './build.mjs';

if (!distIsCurrent()) {
  process.stderr.write('gatehouse: building dist/ (missing or older than the sources)\n');
  if (!build()) {
    process.stderr.write('gatehouse: the build failed (see above); not starting\n');
    process.exit(1);
  }
}
await import(pathToFileURL(ENTRY).href);
