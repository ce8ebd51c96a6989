// The README's first command, as a newcomer runs it: the real process on embedded defaults.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { freePort } from '../support/free-port.ts';

function run(env: Record<string, string>, cwd: string): { child: ChildProcess; output: () => string } {
  let out = '';
  const child = spawn(process.execPath, ['--import', pathToFileURL(path.resolve('node_modules/tsx/dist/loader.mjs')).href, path.resolve('server/main.ts')], {
    cwd,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  return { child, output: () => out };
}

async function waitFor(predicate: () => boolean | Promise<boolean>, ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}

describe('gatehouse process', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-main-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts on embedded defaults, prints its URL and a one-time admin password, serves /healthz and /readyz, and stops on SIGTERM', async () => {
    const port = await freePort();
    const { child, output } = run({ PORT: String(port) }, dir);
    try {
      await waitFor(() => output().includes('Gatehouse is serving'), 30000);
      expect(output()).to.include(`http://localhost:${port}`);
      const password = /generated password \(shown once, change it\): (\S+)/.exec(output())?.[1];
      expect(password, output()).to.be.a('string');
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).to.equal(200);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).to.equal(200);
      const token = await fetch(`http://127.0.0.1:${port}/api/v1/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userName: 'admin', password }),
      });
      expect(token.status).to.equal(201);
      // The password is never logged.
      expect(output().split(password!).length - 1).to.equal(1);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    expect(child.exitCode).to.equal(0);

    // A second start on the same data directory keeps the admin and prints no new password.
    const again = run({ PORT: String(port) }, dir);
    try {
      await waitFor(() => again.output().includes('Gatehouse is serving'), 30000);
      expect(again.output()).to.not.include('generated password');
    } finally {
      again.child.kill('SIGTERM');
      await new Promise((r) => again.child.once('exit', r));
    }
  });

  it('logs every request as a JSON line on stdout, and loses none of them when stopped right after', async () => {
    const port = await freePort();
    const { child, output } = run({ PORT: String(port), LOG_LEVEL: 'info' }, dir);
    let ids: string[];
    try {
      await waitFor(() => output().includes('Gatehouse is serving'), 30000);
      // Logs are written asynchronously (server/logger.ts); the process is stopped at once.
      const answers = await Promise.all(Array.from({ length: 200 }, () => fetch(`http://127.0.0.1:${port}/healthz`)));
      ids = answers.map((a) => a.headers.get('x-request-id')!);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    expect(child.exitCode).to.equal(0);
    const lines = output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; reqId?: string; path?: string; status?: number });
    const logged = lines.filter((l) => l.msg === 'request' && l.path === '/healthz' && l.status === 200).map((l) => l.reqId);
    expect(logged).to.have.members(ids);
    expect(lines.at(-1)?.msg).to.equal('shutting down');
  });

  it('refuses a bad value at start, naming the variable', async () => {
    const { child, output } = run({ PORT: 'not-a-port' }, dir);
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).to.equal(2);
    expect(output()).to.include('PORT');
  });
});
