// The SAML signing key: generated once at first start and reused by every process sharing the
// directory, or taken from the environment as given (issue 3 item 4; DESIGN.md "State").
import { execFile } from 'node:child_process';
import { X509Certificate, createPublicKey, sign, verify } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { SIGNING_KEY_FILE, loadOrCreateSigningKey } from '../../idp/keys.ts';
import { fixtureSigningKeyPems } from '../support/signing-keys.ts';
import { ENTITY_ID, tempDir } from './fixtures.ts';

const run = promisify(execFile);
const childScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'load-signing-key.child.ts');
// DER of the sha256WithRSAEncryption OID, 1.2.840.113549.1.1.11.
const SHA256_WITH_RSA = Buffer.from('06092a864886f70d01010b', 'hex');

describe('idp/keys signing key', function () {
  this.timeout(60_000);
  const cleanups: (() => Promise<void>)[] = [];
  const dir = async () => {
    const t = await tempDir('certs');
    cleanups.push(t.remove);
    return t.dir;
  };
  after(async () => {
    await Promise.all(cleanups.map((c) => c()));
  });

  it('is generated at first start: RSA 3072, self-signed SHA-256 certificate for ~10 years, key file 0600', async () => {
    const certsDir = path.join(await dir(), 'nested', 'certs');
    const before = Date.now();
    const key = await loadOrCreateSigningKey({ certsDir, entityId: ENTITY_ID });
    expect(key.source).to.equal('created');
    expect(key.file).to.equal(path.join(certsDir, SIGNING_KEY_FILE));
    expect(key.privateKey.asymmetricKeyType).to.equal('rsa');
    expect(key.privateKey.asymmetricKeyDetails?.modulusLength).to.equal(3072);
    expect((await stat(key.file!)).mode & 0o777).to.equal(0o600);
    expect(await readdir(certsDir)).to.deep.equal([SIGNING_KEY_FILE]);

    const cert = new X509Certificate(key.certificatePem);
    expect(cert.subject).to.equal('CN=Gatehouse SAML signing');
    expect(cert.issuer).to.equal(cert.subject);
    expect(cert.verify(key.publicKey)).to.equal(true);
    expect(cert.checkPrivateKey(key.privateKey)).to.equal(true);
    expect(cert.raw.includes(SHA256_WITH_RSA)).to.equal(true);
    const years = (Date.parse(cert.validTo) - before) / (365.25 * 24 * 3600 * 1000);
    expect(years).to.be.within(9.9, 10.1);
    expect(Date.parse(cert.validFrom)).to.be.at.most(before);
    expect(key.certificateDer).to.equal(cert.raw.toString('base64'));
    expect(key.notAfter.getTime()).to.equal(Date.parse(cert.validTo));

    // The key signs and the published certificate verifies what it signed.
    const data = Buffer.from('SignedInfo');
    expect(verify('sha256', data, createPublicKey(key.certificatePem), sign('sha256', data, key.privateKey))).to.equal(true);
  });

  it('is reused on the next start, not regenerated', async () => {
    const certsDir = await dir();
    const first = await loadOrCreateSigningKey({ certsDir, entityId: ENTITY_ID });
    const contents = await readFile(first.file!, 'utf8');
    const second = await loadOrCreateSigningKey({ certsDir, entityId: ENTITY_ID });
    expect(second.source).to.equal('loaded');
    expect(second.certificateDer).to.equal(first.certificateDer);
    expect(second.publicKey.export({ type: 'spki', format: 'der' })).to.deep.equal(first.publicKey.export({ type: 'spki', format: 'der' }));
    expect(await readFile(first.file!, 'utf8')).to.equal(contents);
  });

  it('is the same key for concurrent first starts in one process, with no stray files left', async () => {
    const certsDir = await dir();
    const keys = await Promise.all([1, 2, 3].map(() => loadOrCreateSigningKey({ certsDir, entityId: ENTITY_ID })));
    expect(new Set(keys.map((k) => k.certificateDer)).size).to.equal(1);
    expect(keys.filter((k) => k.source === 'created')).to.have.length(1);
    expect(await readdir(certsDir)).to.deep.equal([SIGNING_KEY_FILE]);
  });

  it('is the same key for two processes starting at once on one directory', async () => {
    const certsDir = await dir();
    const results = await Promise.all(
      [1, 2].map(() => run(process.execPath, ['--import', 'tsx', childScript, certsDir]).then((r) => JSON.parse(r.stdout))),
    );
    expect(results[0].certificateDer).to.be.a('string').and.not.equal('');
    expect(results[1].certificateDer).to.equal(results[0].certificateDer);
    const onDisk = await loadOrCreateSigningKey({ certsDir, entityId: ENTITY_ID });
    expect(onDisk.source).to.equal('loaded');
    expect(onDisk.certificateDer).to.equal(results[0].certificateDer);
    expect(await readdir(certsDir)).to.deep.equal([SIGNING_KEY_FILE]);
  });

  it('uses PEMs from the environment as given and writes nothing', async () => {
    const certsDir = await dir();
    const pems = await fixtureSigningKeyPems();
    const key = await loadOrCreateSigningKey({ certsDir, entityId: ENTITY_ID, keyPem: pems.privateKeyPem, certPem: pems.certificatePem });
    expect(key.source).to.equal('environment');
    expect(key.file).to.equal(null);
    expect(key.certificateDer).to.equal(new X509Certificate(pems.certificatePem).raw.toString('base64'));
    expect(key.privateKey.export({ type: 'pkcs8', format: 'pem' })).to.equal(pems.privateKeyPem);
    expect(await readdir(certsDir)).to.deep.equal([]);
  });

  it('refuses an environment certificate that does not belong to the key, or only one of the two', async () => {
    const certsDir = await dir();
    const [a, b] = await Promise.all([fixtureSigningKeyPems(), fixtureSigningKeyPems('other')]);
    await expectRejection(
      loadOrCreateSigningKey({ certsDir, entityId: ENTITY_ID, keyPem: a.privateKeyPem, certPem: b.certificatePem }),
      /does not belong/,
    );
    await expectRejection(loadOrCreateSigningKey({ certsDir, entityId: ENTITY_ID, keyPem: a.privateKeyPem }), /both/);
    await expectRejection(loadOrCreateSigningKey({ certsDir, entityId: ENTITY_ID, keyPem: 'not a key', certPem: a.certificatePem }), /cannot be read/);
    expect(await readdir(certsDir)).to.deep.equal([]);
  });

  it('refuses a damaged key file instead of replacing it', async () => {
    const certsDir = await dir();
    const file = path.join(certsDir, SIGNING_KEY_FILE);
    await writeFile(file, 'garbage\n', { mode: 0o600 });
    await expectRejection(loadOrCreateSigningKey({ certsDir, entityId: ENTITY_ID }), /must hold a PEM private key/);
    expect(await readFile(file, 'utf8')).to.equal('garbage\n');
  });
});

async function expectRejection(p: Promise<unknown>, message: RegExp): Promise<void> {
  let error: unknown;
  try {
    await p;
  } catch (e) {
    error = e;
  }
  expect(error).to.be.instanceOf(Error);
  expect((error as Error).message).to.match(message);
}
