// The first signing key, on the first start against an empty key set: the key configured in the
// environment (SIGNING_KEY_PEM / SIGNING_CERT_PEM), else the key file earlier versions wrote under
// CERTS_DIR, else a new one. After that the database decides which key signs; the environment and
// the file are not read again (docs/operations.md "Signing key rollover").
//
// Nodes starting together on one empty database may each offer a key: the unique index on status
// lets exactly one become current, and the others read it.

import type { SigningKeyMaterial } from '../../idp/keys.ts';
import { ConflictError } from '../../model/errors.ts';
import { newSigningKeyId } from '../../model/ids.ts';
import type { SigningKeyOrigin, SigningKeyRecord } from '../../model/types.ts';
import type { SigningKeyStore } from '../../store/stores.ts';
import { sealPrivateKey } from './sealed-private-key.ts';

export interface FirstKeyOptions {
  store: SigningKeyStore;
  sealKey: Buffer;
  /** The configured key (environment or file), read only when the set is empty. */
  configured: () => Promise<(SigningKeyMaterial & { origin: 'environment' | 'file' }) | null>;
  generate: () => Promise<SigningKeyMaterial>;
  now: () => Date;
}

/** The current key record, creating it when the set has none; `created` says whether this call did. */
export async function ensureCurrentSigningKey(o: FirstKeyOptions): Promise<{ current: SigningKeyRecord; created: boolean }> {
  const existing = await currentOf(o.store);
  if (existing) return { current: existing, created: false };

  const configured = await o.configured();
  const { key, privateKeyPem } = configured ?? (await o.generate());
  const origin: SigningKeyOrigin = configured?.origin ?? 'generated';
  const id = newSigningKeyId();
  try {
    const current = await o.store.insert(
      {
        id,
        status: 'current',
        origin,
        certificatePem: key.certificatePem,
        fingerprintSha256: key.fingerprintSha256,
        privateKeySealed: sealPrivateKey(o.sealKey, id, privateKeyPem),
      },
      o.now(),
    );
    return { current, created: true };
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e;
    // Another node made its key current first.
    const winner = await currentOf(o.store);
    if (!winner) throw e;
    return { current: winner, created: false };
  }
}

async function currentOf(store: SigningKeyStore): Promise<SigningKeyRecord | null> {
  return (await store.list()).find((k) => k.status === 'current') ?? null;
}
