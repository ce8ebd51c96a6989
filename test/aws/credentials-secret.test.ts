// The server secret behind the credential cache key: GATEHOUSE_SECRET when configured, otherwise
// generated once under certsDir (0600) and the same for every process sharing that directory.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { loadOrCreateServerSecret, SERVER_SECRET_FILE } from '../../access/server-secret.ts';

const run = promisify(execFile);
const modulePath = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../access/server-secret.ts');
const PURPOSE = 'role-credential-cache';

describe('server secret', function () {
  this.timeout(30_000);
  const dirs: string[] = [];
  const dir = async () => {
    const d = await mkdtemp(path.join(os.tmpdir(), 'gatehouse-secret-'));
    dirs.push(d);
    return path.join(d, 'certs');
  };
  after(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('is generated at first start (0600, 32 random bytes) and read back unchanged afterwards', async () => {
    const certsDir = await dir();
    const first = await loadOrCreateServerSecret({ certsDir, secret: null });
    expect(first.source).to.equal('created');
    const file = path.join(certsDir, SERVER_SECRET_FILE);
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
    expect(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url')).to.have.length(32);
    expect(await readdir(certsDir)).to.deep.equal([SERVER_SECRET_FILE]);

    const again = await loadOrCreateServerSecret({ certsDir, secret: null });
    expect(again.source).to.equal('loaded');
    expect(again.deriveKey(PURPOSE).equals(first.deriveKey(PURPOSE))).to.equal(true);
    expect(first.deriveKey(PURPOSE)).to.have.length(32);
    expect(first.deriveKey(PURPOSE).equals(first.deriveKey('another purpose'))).to.equal(false);

    const elsewhere = await loadOrCreateServerSecret({ certsDir: await dir(), secret: null });
    expect(elsewhere.deriveKey(PURPOSE).equals(first.deriveKey(PURPOSE))).to.equal(false);
  });

  it('one secret for concurrent first starts, in one process and in several', async () => {
    const certsDir = await dir();
    const loaded = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateServerSecret({ certsDir, secret: null })));
    expect(loaded.filter((s) => s.source === 'created')).to.have.length(1);
    expect(new Set(loaded.map((s) => s.deriveKey(PURPOSE).toString('hex'))).size).to.equal(1);

    const shared = await dir();
    const script = `const m = await import(${JSON.stringify(modulePath)}); const s = await m.loadOrCreateServerSecret({ certsDir: ${JSON.stringify(shared)}, secret: null }); console.log(s.deriveKey(${JSON.stringify(PURPOSE)}).toString('hex'));`;
    const outputs = await Promise.all(
      Array.from({ length: 3 }, () => run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]).then((r) => r.stdout.trim())),
    );
    expect(outputs[0]).to.match(/^[0-9a-f]{64}$/);
    expect(new Set(outputs).size).to.equal(1);
    expect((await loadOrCreateServerSecret({ certsDir: shared, secret: null })).deriveKey(PURPOSE).toString('hex')).to.equal(outputs[0]);
  });

  it('uses GATEHOUSE_SECRET as given, without touching certsDir', async () => {
    const certsDir = await dir();
    const a = await loadOrCreateServerSecret({ certsDir, secret: 'a configured secret of at least thirty-two characters' });
    const b = await loadOrCreateServerSecret({ certsDir: await dir(), secret: 'a configured secret of at least thirty-two characters' });
    const c = await loadOrCreateServerSecret({ certsDir, secret: 'another configured secret of at least thirty-two chars' });
    expect(a.source).to.equal('environment');
    expect(a.deriveKey(PURPOSE).equals(b.deriveKey(PURPOSE))).to.equal(true);
    expect(a.deriveKey(PURPOSE).equals(c.deriveKey(PURPOSE))).to.equal(false);
    expect(await readdir(certsDir).catch((e: NodeJS.ErrnoException) => e.code)).to.equal('ENOENT');
  });

  it('refuses a damaged secret file instead of quietly replacing it', async () => {
    const certsDir = await dir();
    await loadOrCreateServerSecret({ certsDir, secret: null });
    await writeFile(path.join(certsDir, SERVER_SECRET_FILE), 'short\n');
    let error: Error | null = null;
    await loadOrCreateServerSecret({ certsDir, secret: null }).catch((e: Error) => (error = e));
    expect(error).to.be.an('error');
    expect(error!.message).to.match(/must hold at least 32 random bytes/);
  });
});
