// A SAML signing key: an RSA private key and the self-signed certificate that relying parties trust
// (published in our metadata, uploaded into each account's IAM SAML provider). Parsed once into a
// KeyObject so signing never re-parses PEM.
//
// Where keys come from: generated here; given as PEM (SIGNING_KEY_PEM / SIGNING_CERT_PEM, or an
// administrator staging a key of their own); or read from the key file that Gatehouse wrote under
// its certificates directory before signing keys moved into the database (docs/operations.md,
// "Signing key rollover"). Which keys are in use is decided in access/signing-keys/, not here.

import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { generateSelfSignedSigningKey } from './keys/self-signed-certificate.ts';

/** The file earlier versions generated at first start: key first, then its certificate. */
export const SIGNING_KEY_FILE = 'saml-signing.pem';
const MIN_RSA_BITS = 2048; // SAML2Int MD06

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  certificatePem: string;
  /** The certificate's DER, base64 on one line: what metadata and KeyInfo carry. */
  certificateDer: string;
  /** SHA-256 of the certificate's DER, upper-case hex pairs joined by ':' (as `openssl x509 -fingerprint -sha256` prints it). */
  fingerprintSha256: string;
  notBefore: Date;
  notAfter: Date;
}

/** A key and the PEM of its private half, for storing. */
export interface SigningKeyMaterial {
  key: SigningKey;
  privateKeyPem: string;
}

/** A new RSA key with a self-signed certificate naming our entity id. */
export async function generateSigningKey(entityId: string): Promise<SigningKeyMaterial> {
  const pems = await generateSelfSignedSigningKey(entityId);
  return { key: signingKeyFromPem(pems.privateKeyPem, pems.certificatePem, 'the generated key'), privateKeyPem: pems.privateKeyPem };
}

/**
 * The key pair given as PEM, checked: RSA of at least 2048 bits, and the certificate must belong to
 * the key. `where` names the origin in error messages.
 */
export function signingKeyFromPem(keyPem: string, certPem: string, where: string): SigningKey {
  let privateKey: KeyObject;
  let certificate: X509Certificate;
  try {
    privateKey = createPrivateKey(keyPem);
    certificate = new X509Certificate(certPem);
  } catch (e) {
    throw new Error(`Signing key from ${where} cannot be read: ${(e as Error).message}`, { cause: e });
  }
  // We sign with RSA-SHA256 only (docs/aws-accounts.md: sign both, RSA-SHA256).
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (privateKey.asymmetricKeyType !== 'rsa' || bits < MIN_RSA_BITS) {
    throw new Error(`Signing key from ${where} must be an RSA key of at least ${MIN_RSA_BITS} bits`);
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new Error(`Signing certificate from ${where} does not belong to its private key`);
  }
  return {
    privateKey,
    publicKey: createPublicKey(privateKey),
    certificatePem: certificate.toString(),
    certificateDer: certificate.raw.toString('base64'),
    fingerprintSha256: certificate.fingerprint256,
    notBefore: new Date(certificate.validFrom),
    notAfter: new Date(certificate.validTo),
  };
}

/** The key in SIGNING_KEY_PEM / SIGNING_CERT_PEM when both are set, else the key file under certsDir, else null. */
export async function readConfiguredSigningKey(options: {
  certsDir: string;
  keyPem?: string | null;
  certPem?: string | null;
}): Promise<(SigningKeyMaterial & { origin: 'environment' | 'file' }) | null> {
  const { keyPem, certPem } = options;
  if (keyPem || certPem) {
    if (!keyPem || !certPem) throw new Error('Signing key: give both the private key PEM and the certificate PEM, or neither');
    return { key: signingKeyFromPem(keyPem, certPem, 'the environment'), privateKeyPem: keyPem, origin: 'environment' };
  }
  const file = path.join(options.certsDir, SIGNING_KEY_FILE);
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const key = /-----BEGIN (?:RSA )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA )?PRIVATE KEY-----/.exec(content);
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(content);
  if (!key || !cert) {
    throw new Error(`Signing key file ${file} must hold a PEM private key and a PEM certificate; fix or remove it`);
  }
  return { key: signingKeyFromPem(key[0], cert[0], file), privateKeyPem: `${key[0]}\n`, origin: 'file' };
}
