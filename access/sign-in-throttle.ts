// Throttling of failed password checks, per user name and per client address, in the ephemeral
// store so every node sees the same counters. NIST SP 800-63B §5.2.2: at most 100 consecutive failed
// attempts on one account; the short windows slow guessing long before that (and before an
// LDAP directory's own lockout policy trips). The checks run before any password work, so a
// throttled attempt costs no hashing and no bind.
//
// Names are counted under userNameKey (model/user-name.ts), the form every spelling a directory
// would match shares, so ` ivan`, `IVAN ` and `ｉｖａｎ` draw on one allowance (docs/security.md,
// "Password guessing").
import { createHash } from 'node:crypto';
import { userNameKey } from '../model/user-name.ts';
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
/** Longer than a check can take (a directory that does not answer fails after DEPENDENCY_TIMEOUT_MS). */
const CHECK_CLAIM_TTL = 60;
/** A check's claim older than this is taken for one whose release was lost (beginCheck). */
const DEFAULT_STALE_CLAIM_MS = 5000;

export interface ClaimOptions {
  /** Longer than one password check can take: the directory's and the stores' timeouts, and argon2. */
  staleClaimMs?: number;
  now?: () => number;
}

/** Why an attempt was refused before its password was looked at (for the log and audit only). */
export type ThrottleReason = 'locked' | 'user-window' | 'address-window' | 'check-in-progress';

/** What an administrator sees of a person's sign-in throttle (docs/portal.md, "Failed sign-ins"). */
export type SignInState = { state: 'open' } | { state: 'locked' } | { state: 'throttled'; retryAfterSeconds: number };

export interface ThrottleRefusal {
  reason: ThrottleReason;
  /** When trying again may help (RFC 9110 §10.2.3 Retry-After); a lock gives the window length. */
  retryAfterSeconds: number;
}

// Names are hashed into keys so arbitrary input (10 KB, control characters) is harmless.
const digest = (value: string) => createHash('sha256').update(value).digest('base64url');
const userKey = (kind: 'user' | 'consecutive' | 'checking', userName: string) => `signin:${kind}:${digest(userNameKey(userName))}`;
const addressKey = (address: string) => `signin:addr:${digest(address.toLowerCase())}`;

export class SignInThrottle {
  /** How long a check may hold its claim before another check of the name takes it over. */
  readonly staleClaimMs: number;
  readonly #now: () => number;

  constructor(
    private readonly store: EphemeralStore,
    readonly limits: ThrottleLimits = DEFAULT_THROTTLE,
    options: ClaimOptions = {},
  ) {
    this.staleClaimMs = options.staleClaimMs ?? DEFAULT_STALE_CLAIM_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Why this user name or address may not try now, or null when it may. */
  async refusal(userName: string, address: string): Promise<ThrottleRefusal | null> {
    const [user, addr, consecutive] = await this.store.getMany([userKey('user', userName), addressKey(address), userKey('consecutive', userName)]);
    const over = (v: string | null | undefined, limit: number) => Number(v ?? 0) >= limit;
    if (over(consecutive, this.limits.consecutive)) return { reason: 'locked', retryAfterSeconds: this.limits.windowSeconds };
    const reason = over(user, this.limits.perUser) ? 'user-window' : over(addr, this.limits.perAddress) ? 'address-window' : null;
    if (!reason) return null;
    const ttl = await this.store.ttl(reason === 'user-window' ? userKey('user', userName) : addressKey(address));
    return { reason, retryAfterSeconds: Math.max(1, ttl ?? this.limits.windowSeconds) };
  }

  /**
   * Claims the one password check a name may have under way at a time. Without it, guesses sent
   * at once would all read the failure count before any of them added to it, and each would get
   * through; with it, each failure is counted before the next guess for that name is checked.
   * False when another check of the name is under way. The claim expires by itself if a node
   * dies holding it.
   */
  async beginCheck(userName: string): Promise<boolean> {
    const key = userKey('checking', userName);
    const now = this.#now();
    if (await this.store.setIfAbsent(key, String(now), CHECK_CLAIM_TTL)) return true;
    // The claim holds when it began. One older than any check can take was left behind: by a
    // node that died, or by a Redis failover that lost its release, or that applied the claim
    // while answering the request with an error. Waiting out its expiry would refuse the person
    // for a minute, so it is taken over.
    const began = Number(await this.store.get(key));
    if (Number.isFinite(began) && now - began < this.staleClaimMs) return false;
    await this.store.set(key, String(now), CHECK_CLAIM_TTL);
    return true;
  }

  async endCheck(userName: string): Promise<void> {
    await this.store.delete(userKey('checking', userName));
  }

  async recordFailure(userName: string, address: string): Promise<void> {
    await Promise.all([
      this.store.increment(userKey('user', userName), this.limits.windowSeconds),
      this.store.increment(addressKey(address), this.limits.windowSeconds),
      this.store.increment(userKey('consecutive', userName), CONSECUTIVE_TTL),
    ]);
  }

  async recordSuccess(userName: string): Promise<void> {
    await this.store.delete(userKey('user', userName), userKey('consecutive', userName));
  }

  /**
   * For administrators: whether each person (given as every name they sign in with) is locked or
   * throttled now, and for how long a throttle lasts. One read for all of them, plus one TTL read
   * per throttled name.
   */
  async states(people: readonly (readonly string[])[]): Promise<SignInState[]> {
    const keys = people.flatMap((names) => names.flatMap((name) => [userKey('consecutive', name), userKey('user', name)]));
    const values = keys.length ? await this.store.getMany(keys) : [];
    let i = 0;
    const out: SignInState[] = [];
    for (const names of people) {
      let locked = false;
      let throttledKey: string | null = null;
      for (const name of names) {
        if (Number(values[i] ?? 0) >= this.limits.consecutive) locked = true;
        if (Number(values[i + 1] ?? 0) >= this.limits.perUser) throttledKey ??= userKey('user', name);
        i += 2;
      }
      if (locked) out.push({ state: 'locked' });
      else if (throttledKey) out.push({ state: 'throttled', retryAfterSeconds: Math.max(1, (await this.store.ttl(throttledKey)) ?? this.limits.windowSeconds) });
      else out.push({ state: 'open' });
    }
    return out;
  }

  /** An administrator's unlock of an account locked by `consecutive` failures, under each name it signs in with. */
  async unlock(...userNames: string[]): Promise<void> {
    if (userNames.length === 0) return;
    await this.store.delete(...userNames.flatMap((name) => [userKey('user', name), userKey('consecutive', name)]));
  }
}
