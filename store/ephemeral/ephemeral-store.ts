// Short-lived state: portal sessions, SSO bearer tokens, device and user codes, OIDC clients, the
// role-credential cache, replay caches and rate counters. Redis when REDIS_URL is set; otherwise an
// embedded store kept in the SQLite file (so a restart loses nothing).
//
// Contract (test/store/ephemeral.test.ts runs it on both):
// - Every key has a TTL in seconds, to the millisecond (1.5 is a second and a half): at
//   least 1 ms and finite, else the call rejects with RangeError and stores nothing. An expired key
//   is gone for every operation.
// - Values are strings; callers serialise.
// - When the backend does not answer, every operation rejects with UnavailableError promptly (no
//   offline queueing): callers deny, never allow.

export interface EphemeralStore {
  readonly kind: 'redis' | 'embedded';
  get(key: string): Promise<string | null>;
  /**
   * Several strings in one round trip (Redis MGET), in the order of `keys`: null for a key that
   * is missing, expired or holds a set. For hot paths that need a few independent keys at once.
   */
  getMany(keys: readonly string[]): Promise<(string | null)[]>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Sets only if absent; true when this call set it (replay caches, locks). */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /** Atomic get-and-delete: of many concurrent callers at most one gets the value (one-time codes). */
  take(key: string): Promise<string | null>;
  delete(...keys: string[]): Promise<void>;
  /** Atomic increment; the TTL is set when the counter is created and not extended. Returns the new value. */
  increment(key: string, ttlSeconds: number): Promise<number>;
  /** Seconds left, or null when the key does not exist. */
  ttl(key: string): Promise<number | null>;
  /** A set of strings under one key (e.g. a user's session ids); TTL refreshed on every add. */
  addToSet(key: string, member: string, ttlSeconds: number): Promise<void>;
  removeFromSet(key: string, member: string): Promise<void>;
  setMembers(key: string): Promise<string[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TTL given in seconds as whole milliseconds, the finest either backend keeps (Redis PX/PEXPIRE,
 * the embedded store's expires_at). Finer than a millisecond is rounded; what rounds to less than
 * one millisecond, or is not a finite number, is refused rather than stored without expiry or
 * deleted.
 */
export function ttlMilliseconds(ttlSeconds: number): number {
  const ms = Math.round(ttlSeconds * 1000);
  if (!Number.isFinite(ms) || ms < 1) {
    throw new RangeError(`ttlSeconds must be a finite number of seconds of at least 0.001, got ${ttlSeconds}`);
  }
  return ms;
}
