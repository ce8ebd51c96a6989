// Fixed-window counters in the ephemeral store, so every node counts against the same limit
// (docs/operations.md "Multi-node"; docs/security.md: "Codes": codes are rate-limited).
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';
import { sha256 } from './secrets.ts';

export class RateLimit {
  constructor(
    private readonly store: EphemeralStore,
    /** Names the counter family, e.g. 'register'. */
    private readonly kind: string,
    private readonly limit: number,
    private readonly windowSeconds: number,
  ) {}

  // The subject is hashed so arbitrary input (an address, a client id) is harmless in a key.
  private key(subject: string) {
    return `oidc-rate:${this.kind}:${sha256(subject)}`;
  }

  /** Counts one more event; true while the window's count is within the limit. */
  async hit(subject: string): Promise<boolean> {
    return (await this.store.increment(this.key(subject), this.windowSeconds)) <= this.limit;
  }
}
