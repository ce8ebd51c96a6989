// A clock for tests: the real time plus an offset that only grows. Moving it forward makes every
// expiry decision of the services built with it (createServices(..., { clock })) see a later time,
// without sleeping. It follows real time between moves, so what the ephemeral store expires by its
// own TTL stays consistent with it.
import type { Clock } from '../../model/clock.ts';

export class TestClock implements Clock {
  #offsetMs = 0;

  now(): number {
    return Date.now() + this.#offsetMs;
  }

  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`a test clock only moves forward (asked for ${ms} ms)`);
    this.#offsetMs += ms;
  }

  /** Moves time forward by `seconds` seconds. */
  advanceSeconds(seconds: number): void {
    this.advance(seconds * 1000);
  }
}
