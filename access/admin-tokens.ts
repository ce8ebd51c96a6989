// Bearer tokens for the admin API (POST /api/v1/tokens): an administrator trades userName and
// password for a random token with an expiry. Only its SHA-256 is stored. The password goes
// through the same check, throttles and lockout as the portal's sign-in (access/password-check.ts),
// so guesses here and there add up.
import { createHash, randomBytes } from 'node:crypto';
import type { IdentitySource } from '../directory/identity-source.ts';
import { systemClock, type Clock } from '../model/clock.ts';
import { ForbiddenError, UnauthenticatedError } from '../model/errors.ts';
import type { User } from '../model/types.ts';
import type { TransactionalStores } from '../store/stores.ts';
import type { PasswordCheck } from './password-check.ts';
import { activeUser } from './sessions/signed-in-person.ts';

const PREFIX = 'gha_';
/** The one message for every refusal: wrong password, unknown user, not an administrator, throttled, locked. */
export const ADMIN_TOKEN_REFUSED = 'Invalid userName or password, or not an administrator, or too many failed attempts (try again later)';
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export class AdminTokenService {
  constructor(
    private readonly builtin: IdentitySource,
    private readonly passwords: PasswordCheck,
    private readonly stores: TransactionalStores<'directory' | 'apiTokens' | 'audit'>,
    private readonly ttlMinutes: number,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * One message for every refusal, so the endpoint reveals nothing about which accounts exist.
   * Throws ThrottledError (before any password work) when the name or `address` has failed too
   * often or the account is locked, UnauthenticatedError otherwise.
   */
  async issue(userName: string, password: string, address: string): Promise<{ token: string; expiresAt: Date; user: User }> {
    const user = await this.passwords.verify(this.builtin, { userName, password, address, surface: 'admin-token', refusedMessage: ADMIN_TOKEN_REFUSED });
    if (!user.isAdmin) {
      // The right password of someone who is not an administrator: not a guess, so not counted.
      await this.stores.audit.append({ actor: 'anonymous', action: 'signin.failure', target: 'admin-token', detail: { userName: userName.slice(0, 128), reason: 'not-admin', address } });
      throw new UnauthenticatedError(ADMIN_TOKEN_REFUSED);
    }
    const token = PREFIX + randomBytes(32).toString('base64url');
    const now = new Date(this.clock.now());
    const expiresAt = new Date(now.getTime() + this.ttlMinutes * 60_000);
    await this.stores.transaction(async (tx) => {
      await tx.apiTokens.create({ hash: hashToken(token), userId: user.id, createdAt: now, expiresAt });
      await tx.audit.append({ actor: user.id, action: 'admin-token.issue', target: `user/${user.id}`, detail: { expiresAt: expiresAt.toISOString() } });
    });
    return { token, expiresAt, user };
  }

  /** The administrator behind a bearer token, checked afresh on every call (disable or demotion bites at once). */
  async authenticate(bearer: string | undefined): Promise<User> {
    if (!bearer || !bearer.startsWith(PREFIX) || bearer.length > 128) throw new UnauthenticatedError('A valid bearer token is required');
    const token = await this.stores.apiTokens.find(hashToken(bearer), new Date(this.clock.now()));
    if (!token) throw new UnauthenticatedError('The bearer token is unknown or expired');
    const user = await activeUser(this.stores.directory, token.userId);
    if (!user) throw new UnauthenticatedError('The bearer token is unknown or expired');
    if (!user.isAdmin) throw new ForbiddenError('Not an administrator');
    return user;
  }

  async revoke(bearer: string): Promise<void> {
    await this.stores.apiTokens.delete(hashToken(bearer));
  }
}
