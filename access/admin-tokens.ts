// Bearer tokens for the admin API (POST /api/v1/tokens): a person with an admin role trades
// userName and password for a random token with an expiry. Only its SHA-256 is stored, with a
// public id (to list and revoke it) and the role its creator held. The password goes through the
// same check, throttles and lockout as the portal's sign-in (access/password-check.ts), so guesses
// here and there add up.
//
// Every call re-reads the token and its owner's role from the database the nodes share: a revoked
// token, or one whose owner lost the role or was disabled, is refused at once on every node.
import { createHash, randomBytes } from 'node:crypto';
import type { IdentitySource } from '../directory/identity-source.ts';
import { systemClock, type Clock } from '../model/clock.ts';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../model/errors.ts';
import type { AdminRole, ApiToken, User } from '../model/types.ts';
import type { Page, TransactionalStores } from '../store/stores.ts';
import { lowerRole, type AdminRoleLookup } from './admin/admin-roles.ts';
import type { AdminActor, AdminPolicy } from './admin/admin-policy.ts';
import type { PasswordCheck } from './password-check.ts';
import { activeUser } from './sessions/signed-in-person.ts';

const PREFIX = 'gha_';
/** The one message for every refusal: wrong password, unknown user, no admin role, throttled, locked. */
export const ADMIN_TOKEN_REFUSED = 'Invalid userName or password, or not an administrator, or too many failed attempts (try again later)';
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Who a bearer token acts for, and with which role (the lower of the token's and the owner's now). */
export interface AdminPrincipal extends AdminActor {
  user: User;
  token: ApiToken;
}

/** A token as listed: never its secret. */
export interface ApiTokenView {
  id: string;
  userId: string;
  role: AdminRole;
  createdAt: string;
  expiresAt: string;
}

export interface AdminTokenDeps {
  builtin: IdentitySource;
  passwords: PasswordCheck;
  stores: TransactionalStores<'directory' | 'apiTokens' | 'audit'>;
  roles: AdminRoleLookup;
  policy: AdminPolicy;
  /** The user's group ids, from the source that holds the user. */
  groupIdsOf(user: User): Promise<string[]>;
  ttlMinutes: number;
  clock?: Clock;
}

export class AdminTokenService {
  private readonly now: () => Date;
  constructor(private readonly deps: AdminTokenDeps) {
    const clock = deps.clock ?? systemClock;
    this.now = () => new Date(clock.now());
  }

  /**
   * One message for every refusal, so the endpoint reveals nothing about which accounts exist.
   * Throws ThrottledError (before any password work) when the name or `address` has failed too
   * often or the account is locked, UnauthenticatedError otherwise.
   */
  async issue(userName: string, password: string, address: string): Promise<{ token: string; expiresAt: Date; user: User; id: string; role: AdminRole }> {
    const { stores } = this.deps;
    const user = await this.deps.passwords.verify(this.deps.builtin, { userName, password, address, surface: 'admin-token', refusedMessage: ADMIN_TOKEN_REFUSED });
    const role = await this.deps.roles.adminRoleOf(user, await this.deps.groupIdsOf(user));
    if (role === null) {
      // The right password of someone with no admin role: not a guess, so not counted.
      await stores.audit.append({ actor: 'anonymous', action: 'signin.failure', target: 'admin-token', outcome: 'failure', address, detail: { userName: userName.slice(0, 128), reason: 'not-admin', address } });
      throw new UnauthenticatedError(ADMIN_TOKEN_REFUSED);
    }
    const token = PREFIX + randomBytes(32).toString('base64url');
    const now = this.now();
    const expiresAt = new Date(now.getTime() + this.deps.ttlMinutes * 60_000);
    const created = await stores.transaction(async (tx) => {
      const record = await tx.apiTokens.create({ hash: hashToken(token), userId: user.id, role, createdAt: now, expiresAt });
      await tx.audit.append({
        actor: user.id,
        actorName: user.userName,
        address,
        action: 'admin-token.issue',
        target: `user/${user.id}`,
        detail: { tokenId: record.id, role, expiresAt: expiresAt.toISOString() },
      });
      return record;
    });
    return { token, expiresAt, user, id: created.id, role };
  }

  /** The person behind a bearer token, checked afresh on every call. */
  async authenticate(bearer: string | undefined): Promise<AdminPrincipal> {
    const { stores } = this.deps;
    if (!bearer || !bearer.startsWith(PREFIX) || bearer.length > 128) throw new UnauthenticatedError('A valid bearer token is required');
    const token = await stores.apiTokens.find(hashToken(bearer), this.now());
    if (!token) throw new UnauthenticatedError('The bearer token is unknown or expired');
    const user = await activeUser(stores.directory, token.userId);
    if (!user) throw new UnauthenticatedError('The bearer token is unknown or expired');
    const held = await this.deps.roles.adminRoleOf(user, await this.deps.groupIdsOf(user));
    if (held === null) {
      // The owner lost the role: the token dies for good (a role given back later does not revive it).
      await stores.apiTokens.deleteById(token.id).catch(() => {});
      await stores.audit.append({ actor: user.id, actorName: user.userName, action: 'admin.refused', target: 'admin-api', outcome: 'refused', detail: { reason: 'no admin role', tokenId: token.id } });
      throw new ForbiddenError('Not an administrator');
    }
    return { user, token, role: lowerRole(token.role, held) };
  }

  /** DELETE /tokens/current: the caller's own token. */
  async revoke(bearer: string): Promise<void> {
    await this.deps.stores.apiTokens.delete(hashToken(bearer));
  }

  /** Unexpired tokens: everyone's for an administrator, one's own for a delegated administrator (unless `userId` says otherwise). */
  async list(actor: AdminActor, query: { userId?: string; limit?: number; nextToken?: string }): Promise<Page<ApiTokenView>> {
    const userId = query.userId ?? (actor.role === 'administrator' ? undefined : actor.user.id);
    if (userId !== actor.user.id) await this.deps.policy.authorize(actor, { kind: 'admin-token.manage', ownerId: userId ?? '*' });
    const page = await this.deps.stores.apiTokens.list({ ...query, userId }, this.now());
    return { ...page, items: page.items.map(view) };
  }

  /** Revokes a token by id, on every node at once. NotFoundError for an unknown or expired id; a delegated administrator only their own. */
  async revokeById(actor: AdminActor, id: string): Promise<void> {
    const token = await this.deps.stores.apiTokens.get(id, this.now());
    if (!token) throw new NotFoundError('API token', id);
    await this.deps.policy.authorize(actor, { kind: 'admin-token.manage', ownerId: token.userId });
    await this.deps.stores.transaction(async (tx) => {
      await tx.apiTokens.deleteById(id);
      await tx.audit.append({ actor: actor.user.id, action: 'admin-token.revoke', target: `user/${token.userId}`, detail: { tokenId: id } });
    });
  }
}

function view(t: ApiToken): ApiTokenView {
  return { id: t.id, userId: t.userId, role: t.role, createdAt: t.createdAt.toISOString(), expiresAt: t.expiresAt.toISOString() };
}
