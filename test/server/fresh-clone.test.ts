// The README's first command, as a newcomer runs it: `npm start` in a fresh clone compiles the
// server to dist/ (scripts/build.mjs) and runs the compiled JavaScript on embedded defaults; a
// source changed later is built again, and a change that does not compile is not started. How the
// process itself starts and stops is in process.test.ts.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { freshCheckout, type Checkout } from '../support/checkout.ts';
import { freePort } from '../support/free-port.ts';
import { startProcess, stopProcess, waitFor } from '../support/gatehouse-process.ts';
import { placeFixtureSigningKey } from '../support/signing-keys.ts';

let checkout: Checkout;
const run = (env: Record<string, string>, cwd: string) => startProcess(checkout.dir, env, cwd);
const stop = stopProcess;

// The first start in the checkout builds dist/; every test waits for it, so none depends on order.
// The start finds a test signing key already in its certs directory (test/support/signing-keys.ts)
// instead of generating one.
let firstStart: Promise<{ output: string; healthz: number; exitCode: number | null }> | null = null;
function built() {
  firstStart ??= (async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-main-'));
    await placeFixtureSigningKey(path.join(dir, 'certs'));
    const port = await freePort();
    const { child, output } = run({ PORT: String(port) }, dir);
    try {
      await waitFor(() => output().includes('Gatehouse is serving') || child.exitCode !== null, 180000);
      const healthz = child.exitCode === null ? (await fetch(`http://127.0.0.1:${port}/healthz`)).status : 0;
      await stop(child);
      return { output: output(), healthz, exitCode: child.exitCode };
    } finally {
      await stop(child);
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return firstStart;
}

describe('npm start on a fresh clone', function () {
  this.timeout(240000);
  let dir: string;
  before(() => {
    checkout = freshCheckout();
  });
  after(() => checkout?.remove());
  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-main-'));
    await built();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('npm start on a fresh clone builds dist/ first, then runs the compiled server', async () => {
    const first = await built();
    expect(first.output).to.include('gatehouse: building dist/');
    expect(first.healthz, first.output).to.equal(200);
    expect(first.exitCode).to.equal(0);
    expect(existsSync(path.join(checkout.dir, 'dist/server/main.js'))).to.equal(true);
    // The next start finds dist/ current and does not build again.
    await placeFixtureSigningKey(path.join(dir, 'certs'));
    const port = await freePort();
    const again = run({ PORT: String(port) }, dir);
    try {
      await waitFor(() => again.output().includes('Gatehouse is serving'), 30000);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).to.equal(200);
      expect(again.output()).to.not.include('building');
    } finally {
      await stop(again.child);
    }
  });

  it('builds again when a source changed, and does not start when the change does not compile', async () => {
    const source = path.join(checkout.dir, 'server/health.ts');
    const original = readFileSync(source, 'utf8');
    const { atime, mtime } = statSync(source);
    const compiled = readFileSync(path.join(checkout.dir, 'dist/server/main.js'), 'utf8');
    try {
      writeFileSync(source, `${original}\nexport const notANumber: number = 'text';\n`);
      const { child, output } = run({ PORT: String(await freePort()) }, dir);
      const code = await new Promise((r) => child.once('exit', r));
      expect(code, output()).to.equal(1);
      expect(output()).to.include('gatehouse: building dist/');
      expect(output()).to.match(/server\/health\.ts.*TS2322/);
      expect(output()).to.include('not starting');
      expect(output()).to.not.include('Gatehouse is serving');
      // The previous build is left as it was.
      expect(readFileSync(path.join(checkout.dir, 'dist/server/main.js'), 'utf8')).to.equal(compiled);
    } finally {
      writeFileSync(source, original);
      utimesSync(source, atime, mtime);
    }
  });
});
