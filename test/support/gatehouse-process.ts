// Gatehouse as a user runs it: `node scripts/start.mjs` (what `npm start` runs) and
// `node bin/gatehouse.js` (what `npx --no-install gatehouse` runs) as child processes of a given
// copy of the product, from a data directory, with the environment a test gives and nothing else.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface GatehouseProcess {
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
}

/** `node scripts/start.mjs` in `root`, from the data directory `cwd`. */
export function startProcess(root: string, env: Record<string, string>, cwd: string): GatehouseProcess {
  let out = '';
  const child = spawn(process.execPath, [path.join(root, 'scripts/start.mjs')], {
    cwd,
    // No drain unless a test asks for one: the tests that are not about shutdown stop at once.
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', SHUTDOWN_DRAIN_SECONDS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  return { child, output: () => out };
}

/** `node bin/gatehouse.js <args>` in `root`, from `cwd` (e.g. the data directory of `startProcess`), with `env` and PATH as its whole environment. */
export function runCommand(root: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(root, 'bin/gatehouse.js'), ...args], { cwd, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

export async function waitFor(predicate: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}

/** SIGTERM, then waits for the exit; nothing when it has already exited. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}
