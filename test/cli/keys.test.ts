// `gatehouse keys` run as the host would run it (the command line of bin/gatehouse.js, run in the
// test process by test/support/cli.ts, and once as the binary itself), next to a running Gatehouse
// with the same environment: it stages, promotes and retires signing keys in the database the node
// reads, through the same use cases as the admin API, and refuses what the API refuses.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Writable } from 'node:stream';
import { generateSelfSignedSigningKey } from '../../idp/keys/self-signed-certificate.ts';
import { runGatehouse as gatehouse, type CliRun } from '../support/cli.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { runCommand } from '../support/gatehouse-process.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Runs `node bin/gatehouse.js <args>`, a process with the environment a node has (and nothing else of this process's). */
const binary = (args: string[], env: Record<string, string>): Promise<CliRun> => runCommand(REPO, args, REPO, env);

/** The signing certificates (DER, base64) /saml/metadata publishes, in order. */
async function published(gh: TestGatehouse): Promise<string[]> {
  const xml = await (await fetch(`${gh.baseUrl}/saml/metadata`)).text();
  return [...xml.matchAll(/<md:KeyDescriptor use="signing">.*?<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/g)].map((m) => m[1]!);
}

const der = (pem: string) => new X509Certificate(pem).raw.toString('base64');

describe('gatehouse keys (command line)', function () {
  this.timeout(180_000);
  let gh: TestGatehouse;
  let env: Record<string, string>;

  before(async () => {
    gh = await startGatehouse();
    env = { DATA_DIR: gh.config.dataDir, CERTS_DIR: gh.config.certsDir, BASE_URL: gh.baseUrl };
  });
  after(async () => {
    await gh?.close();
  });

  it('lists, stages, promotes and retires the keys the running node signs with', async () => {
    const listed = await gatehouse(['keys', 'list', '--json'], env);
    expect(listed.code, listed.stderr).to.equal(0);
    const [original] = JSON.parse(listed.stdout).items;
    // The harness puts its fixture key into the certs directory; first start imports that file.
    expect(original).to.include({ status: 'current', origin: 'file' });
    expect(await published(gh)).to.deep.equal([der(original.certificatePem)]);

    const staged = await gatehouse(['keys', 'stage'], env);
    expect(staged.code, staged.stderr).to.equal(0);
    const stagedId = /^(sk-[0-9a-f]{16})\s+next\s+generated/.exec(staged.stdout)?.[1];
    expect(stagedId, staged.stdout).to.be.a('string');
    expect(staged.stdout).to.include(`gatehouse keys promote ${stagedId}`);
    // The node sees the change when its copy is next re-read (test/access/signing-keys.test.ts moves that clock).
    await gh.services.signingKeyring.reload();
    const stagedKey = (await gh.api('GET', `/signing-keys/${stagedId}`)).body;
    expect(await published(gh)).to.deep.equal([der(original.certificatePem), der(stagedKey.certificatePem)]);

    const promoted = await gatehouse(['keys', 'promote', stagedId!], env);
    expect(promoted.code, promoted.stderr).to.equal(0);
    expect(promoted.stdout).to.match(new RegExp(`^${stagedId}\\s+current`));
    expect(promoted.stdout).to.include(`gatehouse keys retire ${original.id}`);
    await gh.services.signingKeyring.reload();
    expect(gh.services.saml.key.certificateDer).to.equal(der(stagedKey.certificatePem));
    expect(await published(gh)).to.deep.equal([der(stagedKey.certificatePem), der(original.certificatePem)]);

    const retired = await gatehouse(['keys', 'retire', original.id, '--json'], env);
    expect(retired.code, retired.stderr).to.equal(0);
    expect(JSON.parse(retired.stdout)).to.include({ id: original.id, status: 'retired' });
    await gh.services.signingKeyring.reload();
    expect(await published(gh)).to.deep.equal([der(stagedKey.certificatePem)]);

    const audit = (await gh.api('GET', '/audit?limit=100')).body.items.filter((e: any) => e.action.startsWith('signing-key.'));
    expect(audit.map((e: any) => [e.action, e.actor])).to.deep.include.members([
      ['signing-key.stage', `cli:${userInfo().username}`],
      ['signing-key.promote', `cli:${userInfo().username}`],
      ['signing-key.retire', `cli:${userInfo().username}`],
    ]);
  });

  it('stages a key pair of one\'s own from PEM files', async () => {
    const pems = await generateSelfSignedSigningKey(gh.services.saml.entityId);
    const keyFile = path.join(gh.config.dataDir, 'own-key.pem');
    const certFile = path.join(gh.config.dataDir, 'own-cert.pem');
    writeFileSync(keyFile, pems.privateKeyPem, { mode: 0o600 });
    writeFileSync(certFile, pems.certificatePem);
    try {
      const staged = await gatehouse(['keys', 'stage', '--key', keyFile, '--cert', certFile, '--json'], env);
      expect(staged.code, staged.stderr).to.equal(0);
      const key = JSON.parse(staged.stdout);
      expect(key).to.include({ status: 'next', origin: 'uploaded', fingerprintSha256: new X509Certificate(pems.certificatePem).fingerprint256 });
      expect((await gatehouse(['keys', 'retire', key.id], env)).code).to.equal(0);
    } finally {
      rmSync(keyFile, { force: true });
      rmSync(certFile, { force: true });
    }
  });

  it('refuses what the API refuses, with the reason, and exits non-zero', async () => {
    const current = JSON.parse((await gatehouse(['keys', 'list', '--json'], env)).stdout).items.find((k: any) => k.status === 'current');
    const retireCurrent = await gatehouse(['keys', 'retire', current.id], env);
    expect(retireCurrent.code).to.equal(1);
    expect(retireCurrent.stderr).to.match(/^gatehouse: Signing key sk-[0-9a-f]{16} is current/);
    const unknown = await gatehouse(['keys', 'promote', 'sk-0000000000000000'], env);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.include('was not found');
    const half = await gatehouse(['keys', 'stage', '--cert', path.join(REPO, 'package.json')], env);
    expect(half.code).to.equal(1);
    expect(half.stderr).to.include('certificatePem');
    expect((await gatehouse(['keys', 'promote'], env)).code).to.equal(2);
    expect((await gatehouse(['keys', 'rotate'], env)).code).to.equal(2);
    expect(JSON.parse((await gatehouse(['keys', 'list', '--json'], env)).stdout).items.filter((k: any) => k.status !== 'retired')).to.have.length(1);
  });

  it('never seals with a server key of its own: without the nodes\' secret or database it stops', async () => {
    const noSecret = await gatehouse(['keys', 'stage'], { ...env, CERTS_DIR: path.join(gh.config.dataDir, 'elsewhere') });
    expect(noSecret.code).to.equal(1);
    expect(noSecret.stderr).to.match(/No server secret at .*elsewhere.*GATEHOUSE_SECRET/);
    const otherSecret = await gatehouse(['keys', 'stage'], { ...env, GATEHOUSE_SECRET: 'x'.repeat(40) });
    expect(otherSecret.code).to.equal(1);
    expect(otherSecret.stderr).to.match(/cannot be decrypted with this server key/);
    const noDatabase = await gatehouse(['keys', 'list'], { ...env, DATA_DIR: path.join(gh.config.dataDir, 'elsewhere') });
    expect(noDatabase.code).to.equal(1);
    expect(noDatabase.stderr).to.match(/No database at/);
    expect(JSON.parse((await gatehouse(['keys', 'list', '--json'], env)).stdout).items.filter((k: any) => k.status === 'next')).to.have.length(0);
  });

  // The only test under test/cli/ that runs the binary (test/server/main.test.ts runs it in a fresh copy):
  // bin/gatehouse.js → dist/cli/run.js hands runCli this process's arguments, environment and
  // streams, and its answer becomes the exit status.
  it('runs as a process of its own from bin/gatehouse.js, with the same output and exit status', async () => {
    const inProcess = JSON.parse((await gatehouse(['keys', 'list', '--json'], env)).stdout);
    const listed = await binary(['keys', 'list', '--json'], env);
    expect(listed.code, listed.stderr).to.equal(0);
    expect(JSON.parse(listed.stdout)).to.deep.equal(inProcess);
    const current = inProcess.items.find((k: any) => k.status === 'current');
    const refused = await binary(['keys', 'retire', current.id], env);
    expect(refused.code).to.equal(1);
    expect(refused.stdout).to.equal('');
    expect(refused.stderr).to.match(/^gatehouse: Signing key sk-[0-9a-f]{16} is current/);
  });
});

describe('a signing key configured in the environment', function () {
  this.timeout(180_000);

  it('keeps signing until rolled over; afterwards the key set decides and the node says so', async () => {
    const pems = await generateSelfSignedSigningKey('https://gatehouse.test/saml/metadata');
    const keyEnv = { SIGNING_KEY_PEM: pems.privateKeyPem, SIGNING_CERT_PEM: pems.certificatePem };
    // A data directory of the test's own: it outlives the first node.
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-cli-'));
    const first = await startGatehouse({ env: keyEnv, dataDir });
    let second: TestGatehouse | undefined;
    try {
      expect(await published(first)).to.deep.equal([der(pems.certificatePem)]);
      expect(first.services.saml.key.certificateDer).to.equal(der(pems.certificatePem));
      expect((await first.api('GET', '/signing-keys')).body.items[0]).to.include({ origin: 'environment', status: 'current' });
      const cli = { DATA_DIR: dataDir, CERTS_DIR: first.config.certsDir, BASE_URL: first.baseUrl };
      const staged = JSON.parse((await gatehouse(['keys', 'stage', '--json'], cli)).stdout);
      expect((await gatehouse(['keys', 'promote', staged.id], cli)).code).to.equal(0);
      await first.close();

      // Restarted with the same environment: the promoted key signs, the configured one stays previous.
      const lines: string[] = [];
      const destination = new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      });
      second = await startGatehouse({ env: keyEnv, dataDir, log: { level: 'warn', destination } });
      expect(second.services.saml.key.certificateDer).to.equal(der(staged.certificatePem));
      expect(await published(second)).to.deep.equal([der(staged.certificatePem), der(pems.certificatePem)]);
      expect(lines.join('')).to.include('SIGNING_KEY_PEM is not the current signing key');
    } finally {
      await second?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
