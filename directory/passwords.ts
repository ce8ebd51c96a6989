// Password hashing: argon2id at OWASP's first recommended setting (19 MiB, t=2, p=1), through
// @node-rs/argon2 (native, runs off the event loop). Clear passwords are never stored or logged.
import { hash, verify } from '@node-rs/argon2';

// @node-rs/argon2 exports Algorithm as an ambient const enum; Argon2id is 2 in it.
const ARGON2ID = 2;

const OWASP_ARGON2ID = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OWASP_ARGON2ID);
}

export async function verifyPassword(phcHash: string, password: string): Promise<boolean> {
  try {
    return await verify(phcHash, password);
  } catch {
    return false; // a malformed stored hash never signs anyone in
  }
}

// A hash of a random secret, verified when the user does not exist so that an unknown userName
// costs the same time as a wrong password (no enumeration by timing).
let dummyHash: Promise<string> | null = null;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword(crypto.randomUUID());
  await verifyPassword(await dummyHash, password);
}

/** Password policy for the built-in directory (NIST 800-63B: length, not composition rules). */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;
