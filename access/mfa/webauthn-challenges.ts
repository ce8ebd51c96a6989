// WebAuthn challenges (WebAuthn L3 §13.4.3: random, at least 16 bytes, used once). Each is kept in
// the ephemeral store, so any node can check it, under a key derived from what asked for it: the
// pending sign-in or the portal session, and the ceremony (registration or authentication). A
// response signed over another session's challenge therefore finds nothing to match. Taking it is
// atomic (one use, whoever answers first); its expiry is read through the injected clock.
import { createHash, randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../../model/clock.ts';
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';

/** How long a browser has to answer: also the `timeout` the options give the browser. */
export const WEBAUTHN_CHALLENGE_SECONDS = 120;

export type Ceremony = 'register' | 'authenticate';

interface StoredChallenge {
  challenge: string;
  userId: string;
  expiresAt: string;
}

const key = (ceremony: Ceremony, binding: string) => `webauthn-challenge:${ceremony}:${createHash('sha256').update(binding).digest('base64url')}`;

export class WebauthnChallenges {
  constructor(
    private readonly store: EphemeralStore,
    private readonly clock: Clock = systemClock,
  ) {}

  /** A new challenge (base64url) for `binding`; it replaces any earlier one of the same ceremony. */
  async issue(ceremony: Ceremony, binding: string, userId: string): Promise<string> {
    const challenge = randomBytes(32).toString('base64url');
    const stored: StoredChallenge = { challenge, userId, expiresAt: new Date(this.clock.now() + WEBAUTHN_CHALLENGE_SECONDS * 1000).toISOString() };
    await this.store.set(key(ceremony, binding), JSON.stringify(stored), WEBAUTHN_CHALLENGE_SECONDS);
    return challenge;
  }

  /** The challenge issued to `binding` for this user, taken so it cannot be used again; null when none is live. */
  async take(ceremony: Ceremony, binding: string, userId: string): Promise<string | null> {
    const raw = await this.store.take(key(ceremony, binding));
    if (!raw) return null;
    const stored = JSON.parse(raw) as StoredChallenge;
    if (stored.userId !== userId || Date.parse(stored.expiresAt) <= this.clock.now()) return null;
    return stored.challenge;
  }
}
