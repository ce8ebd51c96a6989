// Bearer tokens for the admin API (POST /api/v1/tokens): an administrator trades userName and
// password for a random token with an expiry. Only its SHA-256 is stored.
import { createHash, randomBytes } from 'node:crypto';
import type { IdentitySource } from '../directory/identity-source.ts';
import { ForbiddenError, UnauthenticatedError } from '../model/errors.ts';
import type { User } from '../model/types.ts';
import type { TransactionalStores } from '../store/stores.ts';

const PREFIX = 'gha_';
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export class AdminTokenService {
  constructor(
    private readonly builtin: IdentitySource,
    private readonly stores: TransactionalStores<'directory' | 'apiTokens' | 'audit'>,
    private readonly ttlMinutes: number,
  ) {}

  /** One message for every failure, so the endpoint reveals nothing about which accounts exist. */
  async issue(userName: string, password: string): Promise<{ token: string; expiresAt: Date; user: User }> {
    const result = await this.builtin.authenticate(userName, password);
    if (!result.ok || !result.user.isAdmin) {
      await this.stores.audit.append({
        actor: 'anonymous',
        action: 'admin-token.failure',
        target: 'admin-token',
        detail: { userName: userName.slice(0, 128), reason: result.ok ? 'not-admin' : result.reason },
      });
      throw new UnauthenticatedError('Invalid userName or password, or not an administrator');
    }
    const token = PREFIX + randomBytes(32).toString('base64url');
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.ttlMinutes * 60_000);
    await this.stores.transaction(async (tx) => {
      await tx.apiTokens.create({ hash: hashToken(token), userId: result.user.id, createdAt: now, expiresAt });
      await tx.audit.append({ actor: result.user.id, action: 'admin-token.issue', target: `user/${result.user.id}`, detail: { expiresAt: expiresAt.toISOString() } });
    });
    return { token, expiresAt, user: result.user };
  }

  /** The administrator behind a bearer token, checked afresh on every call (disable or demotion bites at once). */
  async authenticate(bearer: string | undefined): Promise<User> {
    if (!bearer || !bearer.startsWith(PREFIX) || bearer.length > 128) throw new UnauthenticatedError('A valid bearer token is required');
    const token = await this.stores.apiTokens.find(hashToken(bearer));
    if (!token) throw new UnauthenticatedError('The bearer token is unknown or expired');
    const user = await this.stores.directory.getUser(token.userId);
    if (!user || !user.enabled) throw new UnauthenticatedError('The bearer token is unknown or expired');
    if (!user.isAdmin) throw new ForbiddenError('Not an administrator');
    return user;
  }

  async revoke(bearer: string): Promise<void> {
    await this.stores.apiTokens.delete(hashToken(bearer));
  }
}
