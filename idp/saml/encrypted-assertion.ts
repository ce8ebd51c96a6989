// An EncryptedAssertion (SAML Core §2.3.4; XML Encryption 1.1) to the SP's encryption
// certificate, with node:crypto alone: the content is encrypted with AES-256-GCM under a fresh
// random key (XML Encryption 1.1 §5.2.4: CipherValue = IV ‖ ciphertext ‖ 128-bit tag), and that
// key is transported with RSA-OAEP (rsa-oaep-mgf1p, SHA-1 digest and MGF1, the combination every
// SAML stack decrypts; OAEP's security does not rest on SHA-1's collision resistance). The
// deprecated rsa-1_5 and CBC modes are never produced (known advisories, docs/security.md, samlify audit notes).
//
// The element is written in Exclusive C14N form, so a Response signature over it (the digest of
// our own bytes) is what a verifier computes. KeyInfo is inside EncryptedData (the form
// xml-encryption, Shibboleth and SimpleSAMLphp all read).

import { X509Certificate, constants, createCipheriv, publicEncrypt, randomBytes } from 'node:crypto';
import { ValidationError } from '../../model/errors.ts';
import { NS_DS, NS_SAML } from './namespaces.ts';

export const NS_XENC = 'http://www.w3.org/2001/04/xmlenc#';
export const ALG_AES256_GCM = 'http://www.w3.org/2009/xmlenc11#aes256-gcm';
export const ALG_RSA_OAEP_MGF1P = 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p';
export const ALG_SHA1_DIGEST = 'http://www.w3.org/2000/09/xmldsig#sha1';
const TYPE_ELEMENT = 'http://www.w3.org/2001/04/xmlenc#Element';

const MIN_RSA_BITS = 2048;

/** Returns `<saml:EncryptedAssertion>` holding `assertionXml` (UTF-8) encrypted to `certificatePem`. */
export function encryptAssertion(assertionXml: string, certificatePem: string): string {
  const publicKey = encryptionKeyOf(certificatePem);
  const contentKey = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', contentKey, iv);
  const ciphertext = Buffer.concat([iv, cipher.update(assertionXml, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  const wrappedKey = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, contentKey);
  contentKey.fill(0);

  return (
    `<saml:EncryptedAssertion xmlns:saml="${NS_SAML}">` +
    `<xenc:EncryptedData xmlns:xenc="${NS_XENC}" Type="${TYPE_ELEMENT}">` +
    `<xenc:EncryptionMethod Algorithm="${ALG_AES256_GCM}"></xenc:EncryptionMethod>` +
    `<ds:KeyInfo xmlns:ds="${NS_DS}">` +
    `<xenc:EncryptedKey>` +
    `<xenc:EncryptionMethod Algorithm="${ALG_RSA_OAEP_MGF1P}"><ds:DigestMethod Algorithm="${ALG_SHA1_DIGEST}"></ds:DigestMethod></xenc:EncryptionMethod>` +
    `<xenc:CipherData><xenc:CipherValue>${wrappedKey.toString('base64')}</xenc:CipherValue></xenc:CipherData>` +
    `</xenc:EncryptedKey>` +
    `</ds:KeyInfo>` +
    `<xenc:CipherData><xenc:CipherValue>${ciphertext.toString('base64')}</xenc:CipherValue></xenc:CipherData>` +
    `</xenc:EncryptedData>` +
    `</saml:EncryptedAssertion>`
  );
}

/** The RSA public key of an SP encryption certificate; at least 2048 bits (SAML2Int MD06). */
export function encryptionKeyOf(certificatePem: string): X509Certificate['publicKey'] {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certificatePem);
  } catch {
    throw new ValidationError('The application\'s encryption certificate cannot be read', [{ field: 'encryptionCertificates', message: 'not an X.509 certificate' }]);
  }
  const key = cert.publicKey;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < MIN_RSA_BITS) {
    throw new ValidationError('The application\'s encryption certificate must hold an RSA key of at least 2048 bits', [
      { field: 'encryptionCertificates', message: `RSA ≥ ${MIN_RSA_BITS} bits required` },
    ]);
  }
  return key;
}
