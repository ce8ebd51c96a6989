// A sign-in halfway through: the password was right, the second factor is still to come. Kept in
// the ephemeral store (any node can finish it) under the SHA-256 of a random id that only the
// browser's cookie holds, for five minutes, and taken (single use) when the sign-in completes. An
// authenticator-app secret offered for registration during sign-in is kept here, sealed, until the
// user confirms it.
import { createHash, randomBytes } from 'node:crypto';
import { open, seal } from '../../crypto/secret-box.ts';
import { systemClock, type Clock } from '../../model/clock.ts';
import type { User } from '../../model/types.ts';
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';

export const PENDING_SIGN_IN_SECONDS = 300;

export interface PendingSignIn {
  userId: string;
  userName: string;
  source: User['source'];
  /** Where the browser goes once signed in (checked by the portal before it gets here). */
  returnTo: string;
  expiresAt: string;
  /** Synchronizer token for the second-factor forms (ASVS V3.5.1). */
  csrfToken: string;
  /** The authenticator-app secret shown for registration, sealed; absent until one is shown. */
  enrolmentSealed?: string;
}

const key = (id: string) => `mfa-pending:${createHash('sha256').update(id).digest('base64url')}`;

export class PendingSignIns {
  constructor(
    private readonly store: EphemeralStore,
    private readonly sealKey: Buffer,
    private readonly clock: Clock = systemClock,
  ) {}

  async create(user: User, returnTo: string): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const pending: PendingSignIn = {
      userId: user.id,
      userName: user.userName,
      source: user.source,
      returnTo,
      expiresAt: new Date(this.clock.now() + PENDING_SIGN_IN_SECONDS * 1000).toISOString(),
      csrfToken: randomBytes(24).toString('base64url'),
    };
    await this.store.set(key(id), JSON.stringify(pending), PENDING_SIGN_IN_SECONDS);
    return id;
  }

  async get(id: string | undefined): Promise<PendingSignIn | null> {
    if (!id || id.length > 128) return null;
    return this.#live(await this.store.get(key(id)));
  }

  /** Ends it, returning it if it was still live: only one request can complete a sign-in. */
  async take(id: string): Promise<PendingSignIn | null> {
    return this.#live(await this.store.take(key(id)));
  }

  /** Keeps the secret offered for registration with the pending sign-in, without extending it. */
  async offerEnrolment(id: string, pending: PendingSignIn, secret: string): Promise<void> {
    const ttl = Math.floor((Date.parse(pending.expiresAt) - this.clock.now()) / 1000);
    if (ttl < 1) return;
    await this.store.set(key(id), JSON.stringify({ ...pending, enrolmentSealed: seal(this.sealKey, secret, key(id)) }), ttl);
  }

  /** The secret offered for registration, or null. */
  enrolmentSecret(id: string, pending: PendingSignIn): string | null {
    return pending.enrolmentSealed ? open(this.sealKey, pending.enrolmentSealed, key(id)) : null;
  }

  #live(raw: string | null): PendingSignIn | null {
    if (!raw) return null;
    const pending = JSON.parse(raw) as PendingSignIn;
    return Date.parse(pending.expiresAt) > this.clock.now() ? pending : null;
  }
}
