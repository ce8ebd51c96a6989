// A signing key's private half at rest: sealed under the server key, bound to the key's id so a
// sealed value copied onto another row does not open (crypto/secret-box.ts).
import { open, seal } from '../../crypto/secret-box.ts';

const associatedData = (id: string) => `signing-key/${id}`;

export function sealPrivateKey(sealKey: Buffer, id: string, privateKeyPem: string): string {
  return seal(sealKey, privateKeyPem, associatedData(id));
}

/** The PEM, or an error that says what to check: every node must share one server key. */
export function openPrivateKey(sealKey: Buffer, id: string, sealed: string): string {
  const pem = open(sealKey, sealed, associatedData(id));
  if (pem === null) {
    throw new Error(
      `Signing key ${id} cannot be decrypted with this server key: every node (and the gatehouse command) must share GATEHOUSE_SECRET or the server-secret file in CERTS_DIR`,
    );
  }
  return pem;
}
