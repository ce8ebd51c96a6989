// The server as a process, the way `npm start` runs it (scripts/start.mjs, the compiled dist/ of
// this repository; the test run builds it first, and a start finds it current): the first start on
// embedded defaults, the request log, and how the process stops (server/shutdown.ts).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { ROOT, build, distIsCurrent } from '../../scripts/build.mjs';
import { freePort } from '../support/free-port.ts';
import { runCommand, startProcess, stopProcess, waitFor } from '../support/gatehouse-process.ts';
import { secretOnPage, totpCodeAt } from '../support/mfa.ts';
import { PortalClient } from '../support/portal-client.ts';
import { placeFixtureSigningKey } from '../support/signing-keys.ts';

const ADMIN_PASSWORD = 'correct-horse-battery-staple';
const run = (env: Record<string, string>, cwd: string) => startProcess(ROOT, env, cwd);
const cli = (args: string[], cwd: string) => runCommand(ROOT, args, cwd);
const stop = stopProcess;

describe('gatehouse process', function () {
  this.timeout(240000);
  let dir: string;
  before(function () {
    // `npm test` builds dist/ before any test; run alone, this file builds it once, as npm start would.
    if (!distIsCurrent() && !build()) throw new Error('the build failed');
  });
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
      // A new instance asks for a second factor, so the password alone buys no admin API token:
      // the refusal says what to do instead, and the banner's host command does it.
      expect(output()).to.include('admin API token: npx --no-install gatehouse admin token admin (in this directory, on this host)');
      const byPassword = await fetch(`http://127.0.0.1:${port}/api/v1/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userName: 'admin', password }),
      });
      expect(byPassword.status).to.equal(401);
      expect(((await byPassword.json()) as { detail: string }).detail).to.include('npx --no-install gatehouse admin token');
      const minted = await cli(['admin', 'token', 'admin'], dir);
      expect(minted.code, minted.stderr).to.equal(0);
      const token = minted.stdout.trim();
      const users = await fetch(`http://127.0.0.1:${port}/api/v1/users`, { headers: { authorization: `Bearer ${token}` } });
      expect(users.status).to.equal(200);
      // The password is never logged.
      expect(output().split(password!).length - 1).to.equal(1);
    } finally {
      await stop(child);
    }
    expect(child.exitCode).to.equal(0);
    // The server hashes at the production argon2id cost (tests inject a cheaper one in-process).
    const db = new Database(path.join(dir, 'data/gatehouse.db'), { readonly: true });
    try {
      const { hash } = db.prepare('SELECT hash FROM user_passwords').get() as { hash: string };
      expect(hash).to.match(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    } finally {
      db.close();
    }

    // A second start on the same data directory keeps the admin and prints no new password.
    const again = run({ PORT: String(port) }, dir);
    try {
      await waitFor(() => again.output().includes('Gatehouse is serving'), 30000);
      expect(again.output()).to.not.include('generated password');
    } finally {
      await stop(again.child);
    }
  });

  it('logs every request as a JSON line on stdout, and loses none of them when stopped right after', async () => {
    await placeFixtureSigningKey(path.join(dir, 'certs'));
    const port = await freePort();
    const { child, output } = run({ PORT: String(port), LOG_LEVEL: 'info' }, dir);
    let ids: string[];
    try {
      await waitFor(() => output().includes('Gatehouse is serving'), 30000);
      // Logs are written asynchronously (server/logger.ts); the process is stopped at once.
      const answers = await Promise.all(Array.from({ length: 200 }, () => fetch(`http://127.0.0.1:${port}/healthz`)));
      ids = answers.map((a) => a.headers.get('x-request-id')!);
    } finally {
      await stop(child);
    }
    expect(child.exitCode).to.equal(0);
    const lines = output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; reqId?: string; path?: string; status?: number });
    const logged = lines.filter((l) => l.msg === 'request' && l.path === '/healthz' && l.status === 200).map((l) => l.reqId);
    expect(logged).to.have.members(ids);
    expect(lines.at(-1)?.msg).to.equal('stopped');
  });

  describe('on SIGTERM', () => {
    const exited = (child: ChildProcess) =>
      new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
    const messages = (output: string) =>
      output
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg: string; inFlight?: number });
    /** Browsers with the sign-in form loaded, ready to post it. */
    async function signInForms(baseUrl: string, n: number): Promise<PortalClient[]> {
      const browsers = Array.from({ length: n }, () => new PortalClient(baseUrl));
      for (const page of await Promise.all(browsers.map((b) => b.request('GET', '/start')))) expect(page.status).to.equal(200);
      return browsers;
    }
    const postSignIn = (b: PortalClient) => b.request('POST', '/start/login', { csrf: b.csrf(), userName: 'admin', password: ADMIN_PASSWORD });

    it('says not ready at once, keeps answering through the drain period, finishes sign-ins under way, then exits 0', async () => {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const { child, output } = run({ PORT: String(port), LOG_LEVEL: 'info', GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD, SHUTDOWN_DRAIN_SECONDS: '3' }, dir);
      try {
        await waitFor(() => output().includes('Gatehouse is serving'), 30000);
        const browsers = await signInForms(base, 4);
        // Four sign-ins, and SIGTERM 15 ms later, while they are being answered.
        const signIns = Promise.all(browsers.map(postSignIn));
        await new Promise((r) => setTimeout(r, 15));
        child.kill('SIGTERM');
        await waitFor(() => output().includes('"msg":"shutting down'), 10000);

        // During the drain: not ready, yet everything else is served, a new sign-in included.
        const [ready, health, page, [late]] = await Promise.all([fetch(`${base}/readyz`), fetch(`${base}/healthz`), fetch(`${base}/start`), signInForms(base, 1)]);
        expect(ready.status).to.equal(503);
        expect(await ready.json()).to.deep.include({ status: 'unavailable' }).and.have.property('down').that.includes('shutting-down');
        expect(health.status).to.equal(200);
        expect(page.status).to.equal(200);
        // A new instance asks for a second factor: the password step leads to it, and the late
        // sign-in completes by registering an authenticator app, all during the drain.
        const lateSignIn = await postSignIn(late!);
        expect(lateSignIn.status, lateSignIn.text).to.equal(303);
        expect(lateSignIn.location).to.equal('/start/mfa');
        const setup = await late!.request('GET', '/start/mfa');
        const registered = await late!.request('POST', '/start/mfa/register', { csrf: late!.csrf(), code: totpCodeAt(secretOnPage(setup.text), Date.now()), name: 'Phone' });
        expect(registered.status, registered.text).to.equal(200);
        expect(late!.cookies.has('gh_session')).to.equal(true);

        for (const answer of await signIns) expect([answer.status, answer.location], answer.text).to.deep.equal([303, '/start/mfa']);
        for (const b of browsers) expect(b.cookies.has('gh_mfa')).to.equal(true);
        expect(await exited(child), output()).to.equal(0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      const phases = messages(output()).map((l) => l.msg).filter((m) => m.startsWith('shutting down') || m === 'stopped');
      expect(phases).to.deep.equal([
        'shutting down: not ready, draining',
        'shutting down: listener closed, finishing requests in flight',
        'shutting down: stopping background work, closing SQL and the ephemeral store',
        'stopped',
      ]);
    });

    it('exits at once on a second SIGTERM during the drain', async () => {
      const port = await freePort();
      const { child, output } = run({ PORT: String(port), LOG_LEVEL: 'info', SHUTDOWN_DRAIN_SECONDS: '600' }, dir);
      try {
        await waitFor(() => output().includes('Gatehouse is serving'), 30000);
        child.kill('SIGTERM');
        await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 503, 10000);
        child.kill('SIGTERM');
        // 128 + 15, as a shell reports a process ended by SIGTERM; long before the drain's 600 s.
        expect(await exited(child), output()).to.equal(143);
        expect(messages(output()).map((l) => l.msg)).to.include('second signal during shutdown: exiting now');
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    });
  });

  it('refuses a bad value at start, naming the variable', async () => {
    const { child, output } = run({ PORT: 'not-a-port' }, dir);
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).to.equal(2);
    expect(output()).to.include('PORT');
  });
});
