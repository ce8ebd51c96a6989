// Refresh tokens (CreateToken `grant_type=refresh_token`, reference §3 "Expiry and refresh
// rules"): valid until the portal session that approved the sign-in ends, and rotated on every use
// (the old one is taken, so a stolen-and-replayed token and its twin cannot both be used).
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
}

const refreshKey = (token: string) => `oidc-rt:${sha256(token)}`;

export class RefreshTokenService {
  constructor(private readonly store: EphemeralStore) {}

  async issue(clientId: string, scopes: string[], approval: Approval, sessionExpiresAt: string): Promise<string> {
    const token = newSecret('ghr-');
    const stored: StoredRefreshToken = { clientId, scopes, approval, expiresAt: sessionExpiresAt };
    await this.store.set(refreshKey(token), JSON.stringify(stored), secondsUntil(sessionExpiresAt));
    return token;
  }

  /** The approval behind a refresh token, exactly once (rotation), or invalid_grant. */
  async redeem(clientId: string, token: string): Promise<{ approval: Approval; scopes: string[] }> {
    if (token.length > 256) throw new OAuthError('invalid_grant', 'Unknown refresh token');
    const raw = await this.store.take(refreshKey(token));
    if (!raw) throw new OAuthError('invalid_grant', 'Unknown, expired or already used refresh token');
    const stored = JSON.parse(raw) as StoredRefreshToken;
    if (stored.clientId !== clientId) throw new OAuthError('invalid_grant', 'This refresh token was issued to another client');
    if (Date.parse(stored.expiresAt) <= Date.now()) throw new OAuthError('invalid_grant', 'The refresh token has expired');
    return { approval: stored.approval, scopes: stored.scopes };
  }
}
