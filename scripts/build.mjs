// Compiles the product to dist/ with tsc (tsconfig.build.json) and tells whether dist/ is current.
// Plain JavaScript so that `npm start` can run it without any TypeScript loader.
//
// `node scripts/build.mjs` (npm run build) builds. dist/ is current when its stamp is at least as
// new as every input of the build: the .ts files tsconfig.build.json compiles, the tsconfig files
// and package.json. The stamp carries the time the build began, so a file saved during a build
// makes the next start build again. A build with a type error emits nothing (noEmitOnError) and
// leaves the previous dist/ and its stamp as they were. Builds are incremental: tsc keeps what it
// learnt in dist/.tsbuildinfo and checks again only what a change can affect.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');
export const ENTRY = path.join(DIST, 'server', 'main.js');
const STAMP = path.join(DIST, '.build-stamp');
const BUILD_INFO = path.join(DIST, '.tsbuildinfo');
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

/** Newest modification time (ms) among the build's inputs. */
export function newestInput() {
  // tsconfig.build.json includes every .ts file except under the folders it excludes.
  const excluded = new Set(JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')).exclude);
  let newest = 0;
  const visit = (dir, top) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || (top && excluded.has(entry.name)) || entry.name === 'node_modules') continue;
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(file, false);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(file).mtimeMs);
    }
  };
  visit(ROOT, true);
  for (const name of CONFIGS) newest = Math.max(newest, statSync(path.join(ROOT, name)).mtimeMs);
  return newest;
}

/** Whether dist/ holds a build of the sources as they are now. */
export function distIsCurrent() {
  if (!existsSync(STAMP) || !existsSync(ENTRY)) return false;
  return statSync(STAMP).mtimeMs >= newestInput();
}

/** Runs tsc; on success stamps dist/ and returns true, on a compile error returns false (tsc printed why). */
export function build() {
  const began = new Date();
  // tsc trusts its build info about what it emitted; without the entry point, start from nothing.
  if (!existsSync(ENTRY)) rmSync(BUILD_INFO, { force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: ['ignore', 2, 2] });
  if (result.status !== 0) return false;
  mkdirSync(DIST, { recursive: true });
  writeFileSync(STAMP, `${began.toISOString()}\n`);
  utimesSync(STAMP, began, began);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = build() ? 0 : 1;
}
