// Which admin role a person holds now (docs/admin-api.md "Admin roles"): the strongest of the roles
// given to them directly or through one of their groups. `delegated-administrator` counts only
// while a delegated administrator account is registered: deregistering it ends their
// administration (their grants stay, and hold again once an account is registered).
import type { AdminRole, User } from '../../model/types.ts';
import type { AdminRoleStore, DelegatedAdministratorStore } from '../../store/stores.ts';

export interface AdminRoleLookupDeps {
  adminRoles: Pick<AdminRoleStore, 'rolesOf'>;
  delegatedAdministrator: Pick<DelegatedAdministratorStore, 'get'>;
}

/** The lower of two roles: a token never acts above the role its owner holds now, nor above the one it was issued with. */
export function lowerRole(a: AdminRole, b: AdminRole): AdminRole {
  return a === 'administrator' ? b : a;
}

export class AdminRoleLookup {
  constructor(private readonly deps: AdminRoleLookupDeps) {}

  /**
   * The admin role `user` holds now, or null (no admin page or call). `groupIds`: the user's groups
   * (directory.groupIdsOfUser for built-in users, the identity source's answer for LDAP users).
   * A disabled user holds none, nor does a user of an external directory (docs/security.md
   * "Administration": people from LDAP / Active Directory never administer Gatehouse).
   */
  async adminRoleOf(user: Pick<User, 'id' | 'enabled' | 'source'>, groupIds: string[]): Promise<AdminRole | null> {
    if (!user.enabled || user.source !== 'builtin') return null;
    const roles = await this.deps.adminRoles.rolesOf(user.id, groupIds);
    if (roles.includes('administrator')) return 'administrator';
    if (roles.includes('delegated-administrator') && (await this.deps.delegatedAdministrator.get())) return 'delegated-administrator';
    return null;
  }
}
