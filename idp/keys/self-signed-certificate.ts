// A fresh RSA signing key and its self-signed X.509 certificate, for the SAML IdP metadata.
// SAML trust comes from the certificate being published in our metadata (and uploaded into each
// account's IAM SAML provider), not from a CA, so self-signed is what IdPs ship (SAML2Int MD06
// asks RSA ≥ 2048; we use 3072).
//
// Node can create keys but not certificates: @peculiar/x509 builds the certificate over WebCrypto,
// in-process, so first start needs no openssl binary. It needs a Reflect metadata polyfill; both
// are imported lazily so processes that only load an existing key never install it.

import { randomBytes, webcrypto } from 'node:crypto';

export const SIGNING_CERT_SUBJECT = 'CN=Gatehouse SAML signing';
const VALIDITY_DAYS = 3650;
const DEFAULT_MODULUS_BITS = 3072;

export interface GeneratedKeyPair {
  /** PKCS#8 PEM. */
  privateKeyPem: string;
  certificatePem: string;
}

export async function generateSelfSignedSigningKey(
  entityId: string,
  { now = new Date(), modulusLength = DEFAULT_MODULUS_BITS }: { now?: Date; modulusLength?: 2048 | 3072 | 4096 } = {},
): Promise<GeneratedKeyPair> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  // Node's webcrypto is the WebCrypto the library expects; the two type declarations differ only
  // in name, depending on whether the DOM lib is in the program.
  const crypto = webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1];
  const subtle = webcrypto.subtle;
  const algorithm = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength,
  };
  const keys = (await subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;

  const extensions: InstanceType<typeof x509.Extension>[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
  ];
  // Names the IdP the key belongs to, for an operator reading the certificate. Informational.
  if (URL.canParse(entityId)) {
    extensions.push(new x509.SubjectAlternativeNameExtension([{ type: 'url', value: entityId }], false));
  }
  // A positive serial number with 127 random bits (RFC 5280 §4.1.2.2).
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial.toString('hex'),
      name: SIGNING_CERT_SUBJECT,
      // Back-dated a little so a peer whose clock runs behind still accepts it.
      notBefore: new Date(now.getTime() - 60 * 60 * 1000),
      notAfter: new Date(now.getTime() + VALIDITY_DAYS * 24 * 60 * 60 * 1000),
      signingAlgorithm: algorithm,
      keys,
      extensions,
    },
    crypto,
  );
  const pkcs8 = Buffer.from(await subtle.exportKey('pkcs8', keys.privateKey));
  const privateKeyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
  return { privateKeyPem, certificatePem: cert.toString('pem').replace(/\r\n/g, '\n').trimEnd() + '\n' };
}
