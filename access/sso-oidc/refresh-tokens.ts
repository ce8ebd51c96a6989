// Refresh tokens (CreateToken `grant_type=refresh_token`, docs/aws-cli.md "Expiry and refresh
// rules"): valid until the portal session that approved the sign-in ends, and rotated on every use
// (the old one is taken, so a stolen-and-replayed token and its twin cannot both be used). Each
// carries its sign-in's family (token-families.ts), which the tokens minted from it join, so
// ending the sign-in (Logout, a replayed code) ends every refresh token it has produced.
import { systemClock, type Clock } from '../../model/clock.ts';
import type { User } from '../../model/types.ts';
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';
import type { Approval } from './device-authorizations.ts';
import { OAuthError } from './oauth-errors.ts';
import { newSecret, secondsUntil, sha256 } from './secrets.ts';

interface StoredRefreshToken {
  clientId: string;
  scopes: string[];
  approval: Approval;
  /** The portal session's end: the token never outlives it. */
  expiresAt: string;
  /** The sign-in it descends from; absent on tokens issued before families existed. */
  familyId?: string;
}

// The record is a JSON array in a fixed order, as an access token's is (sso-access-tokens.ts): it
// lives as long as the portal session. Records written as objects by earlier versions are still read.

/** A refresh token: client, scopes, the approval (user id, user name, source, session), expiry, family. */
type RefreshTokenRecord = [string, string[], [string, string, User['source'], string], number, string | null];

function encodeRefreshToken(t: StoredRefreshToken): string {
  const { userId, userName, source, portalSessionHash } = t.approval;
  const record: RefreshTokenRecord = [t.clientId, t.scopes, [userId, userName, source, portalSessionHash], Date.parse(t.expiresAt), t.familyId ?? null];
  return JSON.stringify(record);
}

function decodeRefreshToken(raw: string): StoredRefreshToken {
  const value = JSON.parse(raw) as RefreshTokenRecord | StoredRefreshToken;
  if (!Array.isArray(value)) return value;
  const [clientId, scopes, [userId, userName, source, portalSessionHash], expiresAtMs, familyId] = value;
  return { clientId, scopes, approval: { userId, userName, source, portalSessionHash }, expiresAt: new Date(expiresAtMs).toISOString(), ...(familyId !== null ? { familyId } : {}) };
}

const refreshKey = (token: string) => `oidc-rt:${sha256(token)}`;

export class RefreshTokenService {
  constructor(
    private readonly store: EphemeralStore,
    private readonly clock: Clock = systemClock,
  ) {}

  /** A new refresh token and the store key it is kept under (for its family). */
  async issue(clientId: string, scopes: string[], approval: Approval, sessionExpiresAt: string, familyId: string): Promise<{ refreshToken: string; storeKey: string }> {
    const token = newSecret('ghr-');
    const stored: StoredRefreshToken = { clientId, scopes, approval, expiresAt: sessionExpiresAt, familyId };
    await this.store.set(refreshKey(token), encodeRefreshToken(stored), secondsUntil(sessionExpiresAt, this.clock.now()));
    return { refreshToken: token, storeKey: refreshKey(token) };
  }

  /** The approval behind a refresh token, exactly once (rotation), or invalid_grant. */
  async redeem(clientId: string, token: string): Promise<{ approval: Approval; scopes: string[]; familyId: string | undefined }> {
    if (token.length > 256) throw new OAuthError('invalid_grant', 'Unknown refresh token');
    const raw = await this.store.take(refreshKey(token));
    if (!raw) throw new OAuthError('invalid_grant', 'Unknown, expired, already used or revoked refresh token (signed out, or its sign-in ended); sign in again');
    const stored = decodeRefreshToken(raw);
    if (stored.clientId !== clientId) throw new OAuthError('invalid_grant', 'This refresh token was issued to another client');
    if (Date.parse(stored.expiresAt) <= this.clock.now()) throw new OAuthError('invalid_grant', 'The refresh token has expired');
    return { approval: stored.approval, scopes: stored.scopes, familyId: stored.familyId };
  }
}
