// SP-initiated sign-ins in flight, in the ephemeral store every node shares:
// - the replay cache: an AuthnRequest or LogoutRequest ID is accepted once per application, on
//   any node (OWASP SAML cheat sheet: one-time use; Shibboleth's replay cache), kept for longer
//   than the window in which its IssueInstant would still pass the clock-skew check;
// - the pending request, kept across the sign-in page under a random key that only our own URLs
//   carry (never a URL the SP controls), bound to the browser that brought it by a cookie, and
//   used once.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RequestedAuthnContext } from '../../idp/saml/authn-context.ts';
import { ValidationError } from '../../model/errors.ts';
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';

/** A sign-in page may stay open this long before the request behind it expires. */
export const PENDING_REQUEST_TTL_SECONDS = 15 * 60;

export interface PendingAuthnRequest {
  applicationId: string;
  entityId: string;
  requestId: string;
  /** The ACS already resolved from the app's metadata (never the request's own URL unchecked). */
  acsUrl: string;
  relayState?: string;
  forceAuthn: boolean;
  isPassive: boolean;
  requestedNameIdFormat?: string;
  /** The SP's RequestedAuthnContext, answered NoAuthnContext when the session does not satisfy it. */
  requestedAuthnContext?: RequestedAuthnContext;
  /** When we received it (ms): with ForceAuthn, only a sign-in after this counts. */
  receivedAt: number;
  /** SHA-256 of the browser-binding cookie. */
  browserHash: string;
}

const digest = (...parts: string[]) => createHash('sha256').update(parts.join('\n'), 'utf8').digest('base64url');
const seenKey = (kind: string, entityId: string, id: string) => `saml-seen:${digest(kind, entityId, id)}`;
const pendingKey = (key: string) => `saml-pending:${key}`;

/** Thrown for a request ID seen before (a replay); a ValidationError, so "bad input, nothing done". */
export class ReplayedRequestError extends ValidationError {
  constructor(kind: string) {
    super(`This ${kind} was already used (its ID has been seen before). Go back to the application and sign in again.`);
    this.name = 'ReplayedRequestError';
  }
}

export class AppSsoRequests {
  constructor(
    private readonly store: EphemeralStore,
    /** The clock skew receive.ts allows either way; the replay entry outlives 2× that. */
    private readonly clockSkewSeconds: number,
  ) {}

  /**
   * Marks a request ID as used, atomically across nodes (setIfAbsent); throws ReplayedRequestError
   * when it was used before. A store outage rejects (UnavailableError): never accept unchecked.
   */
  async markSeen(kind: 'AuthnRequest' | 'LogoutRequest', entityId: string, requestId: string): Promise<void> {
    // Accepted while |IssueInstant - now| ≤ skew: a replay can arrive up to 2× skew after the first use.
    const ttl = 2 * this.clockSkewSeconds + 60;
    if (!(await this.store.setIfAbsent(seenKey(kind, entityId, requestId), '1', ttl))) throw new ReplayedRequestError(kind);
  }

  /** Stores the request; returns its key (for our URL) and the browser secret (for a cookie). */
  async keep(request: Omit<PendingAuthnRequest, 'browserHash'>, browserSecret?: string): Promise<{ key: string; browserSecret: string }> {
    const key = randomBytes(24).toString('base64url');
    const secret = browserSecret && /^[\w-]{32,64}$/.test(browserSecret) ? browserSecret : randomBytes(24).toString('base64url');
    const pending: PendingAuthnRequest = { ...request, browserHash: digest(secret) };
    await this.store.set(pendingKey(key), JSON.stringify(pending), PENDING_REQUEST_TTL_SECONDS);
    return { key, browserSecret: secret };
  }

  /** The pending request, when `key` names one and `browserSecret` is the browser that brought it. */
  async find(key: string, browserSecret: string | undefined): Promise<PendingAuthnRequest | null> {
    if (!/^[\w-]{32}$/.test(key)) return null;
    const raw = await this.store.get(pendingKey(key));
    if (!raw) return null;
    const pending = JSON.parse(raw) as PendingAuthnRequest;
    return browserSecret !== undefined && sameDigest(pending.browserHash, digest(browserSecret)) ? pending : null;
  }

  /** Uses the pending request up: true for exactly one caller. */
  async consume(key: string): Promise<boolean> {
    return (await this.store.take(pendingKey(key))) !== null;
  }
}

function sameDigest(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
