// AWS answers too many calls with a throttling error; the call is repeated after a growing,
// jittered pause ("exponential backoff and jitter", AWS Builders' Library), a few times only.
export const THROTTLING_CODES = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown']);

export interface Backoff {
  /** Tries in all, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
  /** Injected: tests pass one that records the pauses and returns at once. */
  sleep: (ms: number) => Promise<void>;
  random?: () => number;
}

export const defaultBackoff = (): Backoff => ({ attempts: 6, baseMs: 200, maxMs: 20_000, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });

export const isThrottling = (e: unknown) => e instanceof Error && THROTTLING_CODES.has(e.name);

export async function withBackoff<T>(call: () => Promise<T>, b: Backoff): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (!isThrottling(e) || attempt >= b.attempts) throw e;
      const cap = Math.min(b.maxMs, b.baseMs * 2 ** (attempt - 1));
      await b.sleep(Math.round(cap / 2 + ((b.random ?? Math.random)() * cap) / 2));
    }
  }
}
