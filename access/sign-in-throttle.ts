// Throttling of failed sign-ins, per user name and per client address, in the ephemeral store so
// every node sees the same counters. NIST SP 800-63B §5.2.2: at most 100 consecutive failed
// attempts on one account; the short windows slow guessing long before that (and before an
// LDAP directory's own lockout policy trips). The checks run before any password work, so a
// throttled attempt costs no hashing and no bind.
import { createHash } from 'node:crypto';
import { ThrottledError } from '../model/errors.ts';
import type { EphemeralStore } from '../store/ephemeral/ephemeral-store.ts';

export interface ThrottleLimits {
  /** Failures per user name within `windowSeconds` before further attempts are refused. */
  perUser: number;
  /** Failures per client address within `windowSeconds`. */
  perAddress: number;
  windowSeconds: number;
  /** Consecutive failures (reset by a success) that lock the account until an administrator unlocks it. */
  consecutive: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { perUser: 10, perAddress: 100, windowSeconds: 15 * 60, consecutive: 100 };
const CONSECUTIVE_TTL = 90 * 24 * 3600;

// User names are hashed into keys so arbitrary input (10 KB, control characters) is harmless.
const keyOf = (kind: string, value: string) => `signin:${kind}:${createHash('sha256').update(value.toLowerCase()).digest('base64url')}`;

export class SignInThrottle {
  constructor(
    private readonly store: EphemeralStore,
    private readonly limits: ThrottleLimits = DEFAULT_THROTTLE,
  ) {}

  /** Throws ThrottledError when this user name or address has failed too often. */
  async check(userName: string, address: string): Promise<void> {
    const [user, addr, consecutive] = await Promise.all([
      this.store.get(keyOf('user', userName)),
      this.store.get(keyOf('addr', address)),
      this.store.get(keyOf('consecutive', userName)),
    ]);
    const over = (v: string | null, limit: number) => Number(v ?? 0) >= limit;
    if (over(consecutive, this.limits.consecutive)) throw new ThrottledError('Account locked after too many failed sign-ins');
    if (over(user, this.limits.perUser) || over(addr, this.limits.perAddress)) {
      const ttl = (await this.store.ttl(keyOf(over(user, this.limits.perUser) ? 'user' : 'addr', over(user, this.limits.perUser) ? userName : address))) ?? this.limits.windowSeconds;
      throw new ThrottledError('Too many failed sign-ins; try again later', ttl);
    }
  }

  async recordFailure(userName: string, address: string): Promise<void> {
    await Promise.all([
      this.store.increment(keyOf('user', userName), this.limits.windowSeconds),
      this.store.increment(keyOf('addr', address), this.limits.windowSeconds),
      this.store.increment(keyOf('consecutive', userName), CONSECUTIVE_TTL),
    ]);
  }

  async recordSuccess(userName: string): Promise<void> {
    await this.store.delete(keyOf('user', userName), keyOf('consecutive', userName));
  }

  /** An administrator's unlock of an account locked by `consecutive` failures. */
  async unlock(userName: string): Promise<void> {
    await this.store.delete(keyOf('user', userName), keyOf('consecutive', userName));
  }
}
