// Bearer tokens for the admin API (POST /api/v1/tokens): a person with an admin role trades
// userName and password for a random token with an expiry. Only its SHA-256 is stored, with a
// public id (to list and revoke it) and the role its creator held. The password goes through the
// same check, throttles and lockout as the portal's sign-in (access/password-check.ts), so guesses
// here and there add up. When the person has a second-factor device, or the instance's MFA policy
// asks for one at sign-in, the exchange also needs a current authenticator-app code (docs/mfa.md
// "Admin API tokens"); a token can also be minted without a password from a signed-in console
// session (which passed the second factor already) or on the host (cli/admin.ts).
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
import type { MfaService } from './mfa/mfa-service.ts';
import type { PasswordCheck } from './password-check.ts';
import { activeUser } from './sessions/signed-in-person.ts';

const PREFIX = 'gha_';
/** The one message for every refusal: wrong password, unknown user, no admin role, throttled, locked. */
export const ADMIN_TOKEN_REFUSED = 'Invalid userName or password, or not an administrator, or too many failed attempts (try again later)';
/** A right password without the second factor the account needs. */
export const ADMIN_TOKEN_NEEDS_TOTP =
  'This account signs in with a second factor: send totpCode, the current six-digit code of its authenticator app. Without an app (none registered yet), mint a token from the admin console (/admin/api-token) or on the host with `npx --no-install gatehouse admin token <userName>`.';
export const ADMIN_TOKEN_NO_DEVICE =
  'This account needs a second factor and has no authenticator app to send a code from: register one on the portal, or mint a token from the admin console (/admin/api-token) or on the host with `npx --no-install gatehouse admin token <userName>`.';
export const ADMIN_TOKEN_WRONG_TOTP = 'The totpCode is wrong, already used, or not current: send the code the authenticator app shows now.';
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
  /** Whether the exchange needs a TOTP code, and checking it. */
  mfa: Pick<MfaService, 'required' | 'devices' | 'verifyTotp'>;
  clock?: Clock;
}

/** How a token came to be: traded for a password (and code), from a console session, on the host. */
export type TokenOrigin = 'password' | 'console' | 'cli';

export interface IssuedToken {
  token: string;
  expiresAt: Date;
  user: User;
  id: string;
  role: AdminRole;
}

/**
 * Creates a token for `user` acting as `role`, with its audit event, in one transaction. The
 * secret is returned here only; the store keeps its SHA-256.
 */
export async function mintAdminToken(
  stores: TransactionalStores<'apiTokens' | 'audit'>,
  o: { user: User; role: AdminRole; now: Date; ttlMinutes: number; address?: string; actor?: string; origin: TokenOrigin },
): Promise<IssuedToken> {
  const token = PREFIX + randomBytes(32).toString('base64url');
  const expiresAt = new Date(o.now.getTime() + o.ttlMinutes * 60_000);
  const created = await stores.transaction(async (tx) => {
    const record = await tx.apiTokens.create({ hash: hashToken(token), userId: o.user.id, role: o.role, createdAt: o.now, expiresAt });
    await tx.audit.append({
      actor: o.actor ?? o.user.id,
      actorName: o.actor ? undefined : o.user.userName,
      address: o.address,
      action: 'admin-token.issue',
      target: `user/${o.user.id}`,
      detail: { tokenId: record.id, role: o.role, expiresAt: expiresAt.toISOString(), via: o.origin },
    });
    return record;
  });
  return { token, expiresAt, user: o.user, id: created.id, role: o.role };
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
  async issue(userName: string, password: string, address: string, totpCode?: string): Promise<IssuedToken> {
    const { stores } = this.deps;
    // The count of failures starts over only once any second factor is right too (#secondFactor).
    const user = await this.deps.passwords.verify(this.deps.builtin, { userName, password, address, surface: 'admin-token', refusedMessage: ADMIN_TOKEN_REFUSED, secondFactorFollows: true });
    const role = await this.deps.roles.adminRoleOf(user, await this.deps.groupIdsOf(user));
    if (role === null) {
      // The right password of someone with no admin role: not a guess, so not counted.
      await stores.audit.append({ actor: 'anonymous', action: 'signin.failure', target: 'admin-token', outcome: 'failure', address, detail: { userName: userName.slice(0, 128), reason: 'not-admin', address } });
      throw new UnauthenticatedError(ADMIN_TOKEN_REFUSED);
    }
    await this.#secondFactor(user, totpCode, address);
    await this.deps.passwords.succeeded(userName);
    return mintAdminToken(stores, { user, role, now: this.now(), ttlMinutes: this.deps.ttlMinutes, address, origin: 'password' });
  }

  /**
   * A token for the person signed in to the console (their session passed the second factor when
   * the policy asks for one). ForbiddenError when they hold no admin role now.
   */
  async issueForSession(user: User, address: string): Promise<IssuedToken> {
    const role = await this.deps.roles.adminRoleOf(user, await this.deps.groupIdsOf(user));
    if (role === null) throw new ForbiddenError('Not an administrator');
    return mintAdminToken(this.deps.stores, { user, role, now: this.now(), ttlMinutes: this.deps.ttlMinutes, address, origin: 'console' });
  }

  /** A password exchange needs a TOTP code when the user has a device or sign-in asks for one. */
  async #secondFactor(user: User, totpCode: string | undefined, address: string): Promise<void> {
    const devices = await this.deps.mfa.devices(user.id);
    if (devices.length === 0 && !(await this.deps.mfa.required())) return;
    // Only an authenticator app gives a code to send; other kinds of device cannot serve here.
    const apps = devices.filter((d) => d.kind === 'totp');
    const reason = apps.length === 0 ? 'no-device' : 'totp-code-missing';
    if (apps.length === 0 || !totpCode) {
      // Not a guess (the password was right): refused without counting.
      await this.deps.stores.audit.append({ actor: user.id, actorName: user.userName, action: 'signin.failure', target: 'admin-token', outcome: 'failure', address, detail: { userName: user.userName, reason, address } });
      throw new UnauthenticatedError(apps.length === 0 ? ADMIN_TOKEN_NO_DEVICE : ADMIN_TOKEN_NEEDS_TOTP);
    }
    try {
      await this.deps.mfa.verifyTotp(user, totpCode, address);
    } catch (e) {
      // Counted by the check like a wrong password; said in the API's terms (no recovery codes here).
      if (e instanceof UnauthenticatedError) throw new UnauthenticatedError(ADMIN_TOKEN_WRONG_TOTP);
      throw e;
    }
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
