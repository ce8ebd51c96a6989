// Account recovery from the host (`gatehouse admin reset-password`, `gatehouse admin grant`,
// `gatehouse admin token`), for the operator who lost the only administrator password, or who
// scripts the admin API on an instance where MFA is on: no token and no password needed, only
// the host's configuration and its server secret (cli/admin.ts refuses without them). Each change
// is one transaction with its audit event, whose actor is `cli:<operating-system user>`.
import { randomBytes } from 'node:crypto';
import { PASSWORD_MIN_LENGTH, type PasswordHasher } from '../../directory/passwords.ts';
import { NotFoundError, ValidationError } from '../../model/errors.ts';
import type { AdminRole, User } from '../../model/types.ts';
import type { TransactionalStores } from '../../store/stores.ts';
import type { AdminRoleService, AdminRoleGrantView } from './admin-role-service.ts';
import type { SignInThrottle } from '../sign-in-throttle.ts';
import { mintAdminToken, type IssuedToken } from '../admin-tokens.ts';
import type { AdminRoleLookup } from './admin-roles.ts';

export interface AccountRecoveryDeps {
  stores: TransactionalStores<'directory' | 'apiTokens' | 'audit'>;
  hasher: Pick<PasswordHasher, 'hash'>;
  throttle: Pick<SignInThrottle, 'unlock'>;
  roles: Pick<AdminRoleService, 'grant'>;
  /** Who acts: `cli:<operating-system user>`. */
  by: string;
  /** For `admin token`: the role the user holds now, and how long a token lives. */
  roleLookup?: Pick<AdminRoleLookup, 'adminRoleOf'>;
  tokenTtlMinutes?: number;
}

export class AccountRecovery {
  constructor(private readonly deps: AccountRecoveryDeps) {}

  /**
   * Sets a new password for a built-in user (`password`, or a generated one returned once), lifts a
   * lockout, and ends the user's admin API tokens (whoever held the old password held them too).
   */
  async resetPassword(userName: string, password: string | null): Promise<{ user: User; generatedPassword: string | null }> {
    const user = await this.#user(userName);
    if (user.source !== 'builtin') {
      throw new ValidationError(`${user.userName} signs in through the external directory: reset the password there`, [{ field: 'userName', message: 'is not a built-in user' }]);
    }
    if (password !== null && password.length < PASSWORD_MIN_LENGTH) {
      throw new ValidationError(`The password must be at least ${PASSWORD_MIN_LENGTH} characters`, [{ field: 'password', message: `must be at least ${PASSWORD_MIN_LENGTH} characters` }]);
    }
    const generatedPassword = password === null ? randomBytes(18).toString('base64url') : null;
    const hash = await this.deps.hasher.hash(password ?? generatedPassword!);
    await this.deps.stores.transaction(async (tx) => {
      await tx.directory.setPasswordHash(user.id, hash);
      const tokens = await tx.apiTokens.deleteForUser(user.id);
      await tx.audit.append({ actor: this.deps.by, action: 'user.password-reset', target: `user/${user.id}`, detail: { userName: user.userName, via: 'cli', apiTokensEnded: tokens } });
    });
    await this.deps.throttle.unlock(user.userName, ...user.emails.map((e) => e.value));
    return { user, generatedPassword };
  }

  /** Gives the user an admin role (administrator unless said otherwise). */
  async grant(userName: string, role: AdminRole): Promise<{ user: User; grant: AdminRoleGrantView }> {
    const user = await this.#user(userName);
    const grant = await this.deps.roles.grant(null, 'USER', user.id, { role }, this.deps.by);
    return { user, grant };
  }

  /**
   * An admin API token for a user who holds an admin role, with no password or second factor:
   * access to the host is the trust (docs/mfa.md "Admin API tokens").
   */
  async issueToken(userName: string): Promise<IssuedToken> {
    const user = await this.#user(userName);
    const lookup = this.deps.roleLookup;
    const role = lookup ? await lookup.adminRoleOf(user, await this.deps.stores.directory.groupIdsOfUser(user.id)) : null;
    if (role === null) {
      throw new ValidationError(`${user.userName} holds no admin role: give one first with \`gatehouse admin grant ${user.userName}\``, [{ field: 'userName', message: 'is not an administrator' }]);
    }
    return mintAdminToken(this.deps.stores, { user, role, now: new Date(), ttlMinutes: this.deps.tokenTtlMinutes ?? 720, actor: this.deps.by, origin: 'cli' });
  }

  async #user(userName: string): Promise<User> {
    const user = await this.deps.stores.directory.getUserByName(userName);
    if (!user) throw new NotFoundError('user', userName);
    return user;
  }
}
