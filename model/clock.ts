// The time as Gatehouse reads it to decide whether something has expired: sessions, tokens, codes,
// cached credentials, guess windows, inbound SAML messages, refresh schedules. One clock is built by
// server/services.ts and handed to every service that makes such a decision, so that a test can move
// time forward instead of waiting (docs/development.md, "Moving time in tests"). Expiry that the
// ephemeral store itself enforces (a key's TTL) follows the store's own clock, not this one.

export interface Clock {
  /** Milliseconds since the Unix epoch, like Date.now(). */
  now(): number;
}

/** The host's clock: what production always runs on. */
export const systemClock: Clock = { now: () => Date.now() };

/** The clock's current time as a Date. */
export const dateNow = (clock: Clock): Date => new Date(clock.now());
