// SSO bearer tokens: what SSO OIDC CreateToken hands the AWS CLI / SDKs (`accessToken`) and what
// the SSO portal API receives in `x-amz-sso_bearer_token` (docs/aws-cli.md). Kept in the ephemeral
// store under their SHA-256, so any node can check them and a store dump yields no token.
//
// Every token is bound to the portal session in which the person approved it: when that session
// ends (sign-out, expiry, the user disabled), the token is dead too (docs/security.md: "Tokens and sessions"), and no
// token outlives it ("refresh tokens until the portal session ends", docs/admin-api.md). A token also
// belongs to the family of the CLI sign-in it was minted in (access/sso-oidc/token-families.ts),
// which ends it together with that sign-in's refresh tokens (Logout, a replayed code).
//
// Neither the session nor the family keeps a list of its tokens: every check reads the token, its
// portal session and its family's ended marker together, so a token is dead as soon as either is
// gone or ended, on every node (docs/performance.md, "Memory per session").
//
// Checking a token is on the hot path of every portal API call. A token's record never changes
// once written (it is only ever deleted), so each process remembers the records it has seen and
// then checks the token, its portal session and whatever else the caller needs in one round trip
// (EphemeralStore.getMany). The store stays the authority: the record must still be there, equal,
// at every call, so revocation and the session's end take effect on every node at once.
import { createHash, randomBytes } from 'node:crypto';
import { BoundedCache } from '../cache/bounded-cache.ts';
import { systemClock, type Clock } from '../model/clock.ts';
import { UnauthenticatedError } from '../model/errors.ts';
import type { User } from '../model/types.ts';
import type { EphemeralStore } from '../store/ephemeral/ephemeral-store.ts';
import { portalSessionKey } from './portal-sessions.ts';
import { familyEndedKey } from './sso-oidc/token-families.ts';

export interface SsoAccessToken {
  userId: string;
  source: User['source'];
  /** hashSessionId() of the portal session the token belongs to. */
  portalSessionHash: string;
  clientId: string;
  scopes: string[];
  expiresAt: string;
  /** The CLI sign-in (token family) it belongs to; absent for tokens minted outside SSO OIDC. */
  familyId?: string;
}

/** A live token, and the values of the extra keys its caller asked to read in the same round trip. */
export interface LiveSsoAccessToken {
  token: SsoAccessToken;
  extras: (string | null)[];
}

const tokenKey = (token: string) => `sso-at:${createHash('sha256').update(token).digest('base64url')}`;

/** What must hold for a token to live, read with it: its portal session, and its family not ended. */
const liveness = (token: SsoAccessToken) =>
  token.familyId === undefined ? [portalSessionKey(token.portalSessionHash)] : [portalSessionKey(token.portalSessionHash), familyEndedKey(token.familyId)];

// The record is a JSON array in a fixed order rather than an object: it lives as long as the
// token, one per CLI sign-in beside its refresh token, and field names were about a third of it
// (docs/performance.md, "Memory per session"). Instants are milliseconds since the epoch. Records
// written as objects by earlier versions are still read.

/** An access token: userId, source, portal session, client, scopes, expiry, family (or null). */
type AccessTokenRecord = [string, User['source'], string, string, string[], number, string | null];

function encodeAccessToken(t: SsoAccessToken): string {
  const record: AccessTokenRecord = [t.userId, t.source, t.portalSessionHash, t.clientId, t.scopes, Date.parse(t.expiresAt), t.familyId ?? null];
  return JSON.stringify(record);
}

function decodeAccessToken(raw: string): SsoAccessToken {
  const value = JSON.parse(raw) as AccessTokenRecord | SsoAccessToken;
  if (!Array.isArray(value)) return value;
  const [userId, source, portalSessionHash, clientId, scopes, expiresAtMs, familyId] = value;
  return { userId, source, portalSessionHash, clientId, scopes, expiresAt: new Date(expiresAtMs).toISOString(), ...(familyId !== null ? { familyId } : {}) };
}

/** Token records remembered per process (least recently used go first). */
const KNOWN_RECORDS = 10_000;

interface KnownRecord {
  raw: string;
  token: SsoAccessToken;
  expiresAtMs: number;
}

export class SsoAccessTokenService {
  readonly #known = new BoundedCache<string, KnownRecord>(KNOWN_RECORDS);

  constructor(
    private readonly store: EphemeralStore,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * Issues a token that lives `ttlSeconds`, cut short to the portal session's own end. Also gives
   * the store key it is kept under, for the token family that may end it.
   */
  async issue(data: Omit<SsoAccessToken, 'expiresAt'>, ttlSeconds: number): Promise<{ accessToken: string; expiresIn: number; storeKey: string }> {
    const sessionTtl = await this.store.ttl(portalSessionKey(data.portalSessionHash));
    if (sessionTtl === null) throw new UnauthenticatedError('The portal session in which this sign-in was approved has ended; sign in again');
    const expiresIn = Math.max(1, Math.min(ttlSeconds, sessionTtl));
    const accessToken = `aoa${randomBytes(32).toString('base64url')}`;
    const record: SsoAccessToken = { ...data, expiresAt: new Date(this.clock.now() + expiresIn * 1000).toISOString() };
    await this.store.set(tokenKey(accessToken), encodeAccessToken(record), expiresIn);
    return { accessToken, expiresIn, storeKey: tokenKey(accessToken) };
  }

  /** The live token, or null when unknown, expired, revoked, or its portal session or sign-in (family) has ended. */
  async resolve(accessToken: string | undefined): Promise<SsoAccessToken | null> {
    return (await this.resolveWith(accessToken, () => []))?.token ?? null;
  }

  /**
   * As `resolve`, and reads `extraKeys(token)` in the same round trip as the token's own checks
   * (one round trip for a token this process has seen, two for one it has not). The extra values
   * mean nothing about the token: the caller decides what they are worth.
   */
  async resolveWith(accessToken: string | undefined, extraKeys: (token: SsoAccessToken) => string[]): Promise<LiveSsoAccessToken | null> {
    if (!accessToken || accessToken.length > 256) return null;
    const key = tokenKey(accessToken);
    let known = this.#known.get(key);
    let values: (string | null)[];
    if (known !== undefined) {
      const extras = extraKeys(known.token);
      values = await this.store.getMany([key, ...liveness(known.token), ...extras]);
      const stored = values.shift()!;
      if (stored !== known.raw) {
        // Revoked (or, which Gatehouse never does, rewritten): forget it and decide from the store alone.
        this.#known.delete(key);
        return stored === null ? null : this.resolveWith(accessToken, extraKeys);
      }
    } else {
      const raw = await this.store.get(key);
      if (raw === null) return null;
      const token = decodeAccessToken(raw);
      known = { raw, token, expiresAtMs: Date.parse(token.expiresAt) };
      if (known.expiresAtMs <= this.clock.now()) return null;
      values = await this.store.getMany([...liveness(token), ...extraKeys(token)]);
      this.#known.set(key, known);
    }
    if (known.expiresAtMs <= this.clock.now()) {
      this.#known.delete(key);
      return null;
    }
    // The liveness values first (session, then the family's ended marker if it has a family).
    const checks = liveness(known.token).length;
    const [session, ended] = values;
    if (session === null || (checks === 2 && ended !== null)) return null;
    return { token: known.token, extras: values.slice(checks) };
  }

  /** SSO Logout: this token is dead at once on every node. */
  async revoke(accessToken: string): Promise<SsoAccessToken | null> {
    const key = tokenKey(accessToken);
    this.#known.delete(key);
    const raw = await this.store.take(key);
    return raw ? (decodeAccessToken(raw)) : null;
  }
}
