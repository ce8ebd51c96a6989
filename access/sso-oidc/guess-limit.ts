// A limit on wrong guesses of a short code a person types (the device flow's user code:
// RFC 8628 §5.1 asks for rate limiting, since a guessed code would let the guesser approve someone
// else's sign-in as themselves, or see which clients are waiting). Only wrong guesses count: a
// person who approves several sign-ins in a row is never held up.
//
// Counted per subject (a person, a client address) in fixed windows aligned to the clock, in the
// ephemeral store so every node counts against the same limit. Each attempt is counted before the
// code is looked at (INCR, atomic), and given back when the code was right; a second counter holds
// what was given back. So of many attempts arriving at once, no more than the limit are looked at:
// each sees every attempt that came before it, finished or not.
//
// Store layout (window = number of whole windows since the epoch):
//   oidc-guess:<kind>:<window>:<sha256(subject)>          attempts
//   oidc-guess-back:<kind>:<window>:<sha256(subject)>     attempts given back
import { systemClock, type Clock } from '../../model/clock.ts';
import { ThrottledError } from '../../model/errors.ts';
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';
import { sha256 } from './secrets.ts';

export interface GuessSubject {
  /** Who is counted, e.g. `person:<user id>` or `address:<ip>`. */
  id: string;
  /** Wrong guesses allowed per window. */
  limit: number;
  /** What the person is told once over the limit; `minutes` is how long until the window ends. */
  refusal: (minutes: number) => string;
}

export class GuessLimit {
  constructor(
    private readonly store: EphemeralStore,
    /** Names the counter family, e.g. 'user-code'. */
    private readonly kind: string,
    private readonly windowSeconds: number,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * Runs `lookup` (the check of one guess; null when it was wrong) only while every subject is
   * within its limit of wrong guesses; otherwise ThrottledError without looking.
   */
  async attempt<T>(subjects: readonly GuessSubject[], lookup: () => Promise<T | null>): Promise<T | null> {
    const now = this.clock.now();
    const windowMs = this.windowSeconds * 1000;
    const window = Math.floor(now / windowMs);
    const attemptsKeys = subjects.map((s) => `oidc-guess:${this.kind}:${window}:${sha256(s.id)}`);
    const backKeys = subjects.map((s) => `oidc-guess-back:${this.kind}:${window}:${sha256(s.id)}`);
    // The keys name their window, so their TTL only has to outlast it.
    const ttl = this.windowSeconds * 2;
    const giveBack = (indexes: number[]) => Promise.all(indexes.map((i) => this.store.increment(backKeys[i]!, ttl)));

    const attempts = await Promise.all(attemptsKeys.map((key) => this.store.increment(key, ttl)));
    const given = await this.store.getMany(backKeys);
    const over = subjects.findIndex((s, i) => attempts[i]! - Number(given[i] ?? 0) > s.limit);
    if (over >= 0) {
      // A refused attempt is not a wrong guess for the subjects still within their limit. For the
      // one over it, it stays counted: giving it back there would let a concurrent attempt in.
      await giveBack(subjects.flatMap((s, i) => (attempts[i]! - Number(given[i] ?? 0) > s.limit ? [] : [i])));
      const minutes = Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 60_000));
      throw new ThrottledError(subjects[over]!.refusal(minutes), Math.ceil(((window + 1) * windowMs - now) / 1000));
    }
    const found = await lookup();
    if (found !== null) await giveBack(subjects.map((_, i) => i));
    return found;
  }
}
