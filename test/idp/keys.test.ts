// The SAML signing key: generated as RSA 3072 with a self-signed SHA-256 certificate, or taken as
// configured (SIGNING_KEY_PEM / SIGNING_CERT_PEM as given, or the key file earlier versions wrote).
// Which key signs is decided by the key set in SQL: test/access/signing-keys.test.ts.
import { X509Certificate, createPublicKey, sign, verify } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { SIGNING_KEY_FILE, generateSigningKey, readConfiguredSigningKey } from '../../idp/keys.ts';
import { generateSelfSignedSigningKey } from '../../idp/keys/self-signed-certificate.ts';
import { ENTITY_ID, tempDir } from './fixtures.ts';

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

  it('is generated as RSA 3072 with a self-signed SHA-256 certificate for ~10 years', async () => {
    const before = Date.now();
    const { key, privateKeyPem } = await generateSigningKey(ENTITY_ID);
    expect(key.privateKey.asymmetricKeyType).to.equal('rsa');
    expect(key.privateKey.asymmetricKeyDetails?.modulusLength).to.equal(3072);
    expect(key.privateKey.export({ type: 'pkcs8', format: 'pem' })).to.equal(privateKeyPem);

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
    expect(key.fingerprintSha256).to.equal(cert.fingerprint256).and.match(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(key.notAfter.getTime()).to.equal(Date.parse(cert.validTo));
    expect(key.notBefore.getTime()).to.equal(Date.parse(cert.validFrom));

    // The key signs and the published certificate verifies what it signed.
    const data = Buffer.from('SignedInfo');
    expect(verify('sha256', data, createPublicKey(key.certificatePem), sign('sha256', data, key.privateKey))).to.equal(true);
  });

  it('is nothing when neither the environment nor a key file gives one, and reading writes nothing', async () => {
    const certsDir = await dir();
    expect(await readConfiguredSigningKey({ certsDir })).to.equal(null);
    expect(await readdir(certsDir)).to.deep.equal([]);
  });

  it('reads the key file an earlier version generated under CERTS_DIR', async () => {
    const certsDir = await dir();
    const pems = await generateSelfSignedSigningKey(ENTITY_ID);
    await writeFile(path.join(certsDir, SIGNING_KEY_FILE), pems.privateKeyPem + pems.certificatePem, { mode: 0o600 });
    const read = await readConfiguredSigningKey({ certsDir });
    expect(read?.origin).to.equal('file');
    expect(read?.key.certificateDer).to.equal(new X509Certificate(pems.certificatePem).raw.toString('base64'));
    expect(read?.key.privateKey.export({ type: 'pkcs8', format: 'pem' })).to.equal(pems.privateKeyPem);
  });

  it('uses PEMs from the environment as given, before any key file', async () => {
    const certsDir = await dir();
    const [pems, other] = await Promise.all([generateSelfSignedSigningKey(ENTITY_ID), generateSelfSignedSigningKey(ENTITY_ID)]);
    await writeFile(path.join(certsDir, SIGNING_KEY_FILE), other.privateKeyPem + other.certificatePem, { mode: 0o600 });
    const read = await readConfiguredSigningKey({ certsDir, keyPem: pems.privateKeyPem, certPem: pems.certificatePem });
    expect(read?.origin).to.equal('environment');
    expect(read?.privateKeyPem).to.equal(pems.privateKeyPem);
    expect(read?.key.certificateDer).to.equal(new X509Certificate(pems.certificatePem).raw.toString('base64'));
  });

  it('refuses an environment certificate that does not belong to the key, or only one of the two', async () => {
    const certsDir = await dir();
    const [a, b] = await Promise.all([generateSelfSignedSigningKey(ENTITY_ID), generateSelfSignedSigningKey(ENTITY_ID)]);
    await expectRejection(readConfiguredSigningKey({ certsDir, keyPem: a.privateKeyPem, certPem: b.certificatePem }), /does not belong/);
    await expectRejection(readConfiguredSigningKey({ certsDir, keyPem: a.privateKeyPem }), /both/);
    await expectRejection(readConfiguredSigningKey({ certsDir, keyPem: 'not a key', certPem: a.certificatePem }), /cannot be read/);
    expect(await readdir(certsDir)).to.deep.equal([]);
  });

  it('refuses a damaged key file instead of replacing it', async () => {
    const certsDir = await dir();
    const file = path.join(certsDir, SIGNING_KEY_FILE);
    await writeFile(file, 'garbage\n', { mode: 0o600 });
    await expectRejection(readConfiguredSigningKey({ certsDir }), /must hold a PEM private key/);
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
