// Test-only SAML signing keys. An RSA 3072 key takes about a second to generate; each named key is
// generated once per test process, the way first start generates one, and kept in memory only.
// startGatehouse() writes it into a new certs directory, where the server finds it as an existing
// key. Tests of key generation itself (test/idp/keys.test.ts) still generate their own.
import type { KeyObject } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SIGNING_KEY_FILE, signingKeyFromPem, type SigningKey } from '../../idp/keys.ts';
import { generateSelfSignedSigningKey, type GeneratedKeyPair } from '../../idp/keys/self-signed-certificate.ts';
import { generateOidcKey, type OidcKeyGenerator, type OidcSigningAlg } from '../../access/oidc/signing-keys.ts';

const generated = new Map<string, Promise<GeneratedKeyPair>>();

/** The PEMs of the test key called `name`: the same for every caller in this process. */
export function fixtureSigningKeyPems(name = 'default'): Promise<GeneratedKeyPair> {
  let pems = generated.get(name);
  if (!pems) {
    pems = generateSelfSignedSigningKey(`https://gatehouse.test/${name}/saml/metadata`);
    generated.set(name, pems);
  }
  return pems;
}

/**
 * Puts the test key into certsDir as the key file a first start would have written; a directory
 * that already holds a key (a second node sharing it) keeps its own.
 */
export async function placeFixtureSigningKey(certsDir: string, name = 'default'): Promise<void> {
  const { privateKeyPem, certificatePem } = await fixtureSigningKeyPems(name);
  await mkdir(certsDir, { recursive: true, mode: 0o700 });
  try {
    await writeFile(path.join(certsDir, SIGNING_KEY_FILE), privateKeyPem + certificatePem, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

/** The test key as the server holds it. */
export async function fixtureSigningKey(name = 'default'): Promise<SigningKey> {
  const { privateKeyPem, certificatePem } = await fixtureSigningKeyPems(name);
  return signingKeyFromPem(privateKeyPem, certificatePem, `test key ${name}`);
}

// Test-only OpenID Provider keys: an RSA 2048 key takes about as long as the rest of a test
// server's start, so each algorithm has a few keys, made once per test process as they are first
// needed and handed out in turn; a rotation still gets a key other than the one it replaces.
const OIDC_KEYS_PER_ALG = 3;
const oidcKeys = new Map<OidcSigningAlg, { keys: KeyObject[]; next: number }>();

/** The OpenID Provider's key generator that startGatehouse() injects (server/services.ts oidcKeyGenerator). */
export const fixtureOidcKey: OidcKeyGenerator = (alg) => {
  let pool = oidcKeys.get(alg);
  if (!pool) oidcKeys.set(alg, (pool = { keys: [], next: 0 }));
  const i = pool.next++ % OIDC_KEYS_PER_ALG;
  pool.keys[i] ??= generateOidcKey(alg);
  return pool.keys[i];
};
