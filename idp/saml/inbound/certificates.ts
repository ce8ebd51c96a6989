// X.509 certificates as SAML carries them: bare base64 DER inside <ds:X509Certificate> in
// metadata, PEM in our store. Only the public key matters to us (SAML trust comes from the
// metadata, not from a CA chain, so validity dates are not enforced), and it must be RSA of at
// least 2048 bits (SAML2Int MD06; our verifiers speak RSA-SHA256/512 only).

import { X509Certificate, type KeyObject } from 'node:crypto';
import { InboundRejection } from './rejection.ts';

export const MIN_RSA_BITS = 2048;

/** Reads a certificate given as PEM or as bare base64 DER (whitespace allowed, as in metadata). */
export function readCertificate(text: string, what: string): X509Certificate {
  const trimmed = text.trim();
  const pem = trimmed.startsWith('-----BEGIN') ? trimmed : derBase64ToPem(trimmed, what);
  try {
    return new X509Certificate(pem);
  } catch (e) {
    throw new InboundRejection('metadata-invalid', `The ${what} is not a readable X.509 certificate`, { cause: e });
  }
}

export function derBase64ToPem(base64: string, what: string): string {
  const compact = base64.replace(/\s+/g, '');
  if (compact === '' || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    throw new InboundRejection('metadata-invalid', `The ${what} is not base64-encoded DER`);
  }
  const lines = compact.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** Refuses anything but an RSA key of at least MIN_RSA_BITS. Returns the key size. */
export function assertStrongRsaKey(cert: X509Certificate, what: string): number {
  const key = cert.publicKey;
  if (key.asymmetricKeyType !== 'rsa') {
    throw new InboundRejection('weak-key', `The ${what} has a ${key.asymmetricKeyType ?? 'unknown'} key; only RSA keys are accepted`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) {
    throw new InboundRejection('weak-key', `The ${what} has a ${bits}-bit RSA key; at least ${MIN_RSA_BITS} bits are required`);
  }
  return bits;
}

/** Public keys of the application's stored signing certificates (PEM), in order. */
export function publicKeysOf(certificates: readonly string[]): KeyObject[] {
  return certificates.map((pem, i) => {
    try {
      return new X509Certificate(pem).publicKey;
    } catch (e) {
      throw new InboundRejection('signature-invalid', `Stored signing certificate #${i + 1} of this application cannot be read`, { cause: e });
    }
  });
}
