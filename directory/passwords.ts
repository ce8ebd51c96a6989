// Password hashing: argon2id at OWASP's first recommended setting (19 MiB, t=2, p=1), through
// @node-rs/argon2 (native, runs off the event loop). Clear passwords are never stored or logged.
import { hash, verify } from '@node-rs/argon2';

// @node-rs/argon2 exports Algorithm as an ambient const enum; Argon2id is 2 in it.
const ARGON2ID = 2;

/** argon2id cost: memory in KiB, passes, lanes (RFC 9106 §3.1). */
export interface Argon2idCost {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** What every hash Gatehouse stores costs: OWASP's first argon2id setting (19 MiB, t=2, p=1). */
export const PASSWORD_HASH_COST: Readonly<Argon2idCost> = Object.freeze({ memoryCost: 19456, timeCost: 2, parallelism: 1 });

export class PasswordHasher {
  // A hash of a random secret, verified when the user does not exist so that an unknown userName
  // costs the same time as a wrong password (no enumeration by timing).
  private dummyHash: Promise<string> | null = null;

  /** The cost is given only by tests, which hash at a trivial cost; the server never passes one. */
  constructor(private readonly cost: Readonly<Argon2idCost> = PASSWORD_HASH_COST) {}

  hash(password: string): Promise<string> {
    return hash(password, { algorithm: ARGON2ID, ...this.cost });
  }

  /** Verifies at the cost recorded in the stored hash. */
  async verify(phcHash: string, password: string): Promise<boolean> {
    try {
      return await verify(phcHash, password);
    } catch {
      return false; // a malformed stored hash never signs anyone in
    }
  }

  /** Spends what verifying a real hash would, and says nothing. */
  async burn(password: string): Promise<void> {
    this.dummyHash ??= this.hash(crypto.randomUUID());
    await this.verify(await this.dummyHash, password);
  }
}

/** Password policy for the built-in directory (NIST 800-63B: length, not composition rules). */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;
