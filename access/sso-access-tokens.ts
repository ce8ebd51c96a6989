// SSO bearer tokens: what SSO OIDC CreateToken hands the AWS CLI / SDKs (`accessToken`) and what
// the SSO portal API receives in `x-amz-sso_bearer_token` (reference §1–3). Kept in the ephemeral
// store under their SHA-256, so any node can check them and a store dump yields no token.
//
// Every token is bound to the portal session in which the person approved it: when that session
// ends (sign-out, expiry, the user disabled), the token is dead too (security promise 8), and no
// token outlives it ("refresh tokens until the portal session ends", reference §7).
import { createHash, randomBytes } from 'node:crypto';
import type { User } from '../model/types.ts';
import type { EphemeralStore } from '../store/ephemeral/ephemeral-store.ts';

export interface SsoAccessToken {
  userId: string;
  source: User['source'];
  /** hashSessionId() of the portal session the token belongs to. */
  portalSessionHash: string;
  clientId: string;
  scopes: string[];
  expiresAt: string;
}

const tokenKey = (token: string) => `sso-at:${createHash('sha256').update(token).digest('base64url')}`;
const sessionIndexKey = (sessionHash: string) => `sso-at-by-session:${sessionHash}`;

export class SsoAccessTokenService {
  constructor(private readonly store: EphemeralStore) {}

  /** Issues a token that lives `ttlSeconds`, cut short to the portal session's own end. */
  async issue(data: Omit<SsoAccessToken, 'expiresAt'>, ttlSeconds: number): Promise<{ accessToken: string; expiresIn: number }> {
    const sessionTtl = await this.store.ttl(`session:${data.portalSessionHash}`);
    if (sessionTtl === null) throw new Error('portal session is gone');
    const expiresIn = Math.max(1, Math.min(ttlSeconds, sessionTtl));
    const accessToken = `aoa${randomBytes(32).toString('base64url')}`;
    const record: SsoAccessToken = { ...data, expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString() };
    await this.store.set(tokenKey(accessToken), JSON.stringify(record), expiresIn);
    await this.store.addToSet(sessionIndexKey(data.portalSessionHash), tokenKey(accessToken), sessionTtl);
    return { accessToken, expiresIn };
  }

  /** The live token, or null when unknown, expired, revoked, or its portal session has ended. */
  async resolve(accessToken: string | undefined): Promise<SsoAccessToken | null> {
    if (!accessToken || accessToken.length > 256) return null;
    const raw = await this.store.get(tokenKey(accessToken));
    if (!raw) return null;
    const token = JSON.parse(raw) as SsoAccessToken;
    if (Date.parse(token.expiresAt) <= Date.now()) return null;
    if ((await this.store.get(`session:${token.portalSessionHash}`)) === null) return null;
    return token;
  }

  /** SSO Logout: this token is dead at once on every node. */
  async revoke(accessToken: string): Promise<SsoAccessToken | null> {
    const raw = await this.store.take(tokenKey(accessToken));
    return raw ? (JSON.parse(raw) as SsoAccessToken) : null;
  }

  /** Every token issued within a portal session (when that session ends). */
  async revokeAllForSession(portalSessionHash: string): Promise<void> {
    const keys = await this.store.setMembers(sessionIndexKey(portalSessionHash));
    if (keys.length) await this.store.delete(...keys, sessionIndexKey(portalSessionHash));
  }
}
