// Who may do what in administration: the one decision for the admin API, the console and the
// command line (docs/admin-api.md "Delegated administrator"). An `administrator` may do
// everything. A `delegated-administrator` may do everything except what Identity Center keeps for
// the management account's administrators (RegisterDelegatedAdministrator and its rules):
//   - manage a permission set provisioned to the management account (assigned there);
//   - create or delete an assignment on the management account;
//   - register or deregister the delegated administrator account;
//   - change instance settings or the identity source (the management account itself included);
//   - grant or revoke any admin role, which also covers changing, disabling, deleting or
//     resetting a person who holds one, and the membership of a group that holds one (each is a
//     way to act as, or become, an administrator).
// A refusal throws ForbiddenError after writing an audit event with outcome 'refused'; nothing
// else is written, so a refused call changes nothing.
import { ForbiddenError } from '../../model/errors.ts';
import type { AdminRole, PrincipalType, User } from '../../model/types.ts';
import type { AdminRoleStore, AssignmentStore, AuditStore, DelegatedAdministratorStore, InstanceStore } from '../../store/stores.ts';

/** The person acting, with the role they act with (a token's role, or the console session's). */
export interface AdminActor {
  user: Pick<User, 'id' | 'userName'>;
  role: AdminRole;
}

/**
 * What is being attempted. Every admin route and page maps to one of these; anything not named
 * below the first two is kept from delegated administrators in some case.
 */
export type AdminAction =
  | { kind: 'read' }
  /** A change no rule restricts (accounts, permission sets not on the management account, applications, ...). */
  | { kind: 'change' }
  | { kind: 'user.change'; userId: string }
  | { kind: 'user.delete'; userId: string }
  | { kind: 'group.change'; groupId: string }
  | { kind: 'group.delete'; groupId: string }
  | { kind: 'account.create'; accountKind: string }
  | { kind: 'account.delete'; accountId: string }
  | { kind: 'permission-set.change'; permissionSetId: string }
  | { kind: 'assignment.change'; accountId: string }
  | { kind: 'delegated-administrator.change' }
  | { kind: 'instance.update' }
  | { kind: 'identity-source.change' }
  | { kind: 'admin-role.change' }
  | { kind: 'admin-token.manage'; ownerId: string };

export interface AdminPolicyDeps {
  adminRoles: Pick<AdminRoleStore, 'rolesOf' | 'get'>;
  delegatedAdministrator: Pick<DelegatedAdministratorStore, 'get'>;
  assignments: Pick<AssignmentStore, 'list'>;
  instance: Pick<InstanceStore, 'getOrCreate'>;
  audit: Pick<AuditStore, 'append'>;
  /** Group ids of a user, from whichever source holds them (for "holds an admin role"). */
  groupIdsOf(userId: string): Promise<string[]>;
}

/** Why a delegated administrator is refused, in words the caller sees. */
const REASONS = {
  managementAssignment: 'Delegated administrators cannot create or delete assignments on the management account',
  managementPermissionSet: 'Delegated administrators cannot manage a permission set provisioned to the management account',
  managementAccount: 'Delegated administrators cannot create or delete the management account',
  delegatedAccount: 'Delegated administrators cannot delete the delegated administrator account',
  registration: 'Delegated administrators cannot register or deregister the delegated administrator',
  instance: 'Delegated administrators cannot change instance settings',
  identitySource: 'Delegated administrators cannot change the identity source',
  adminRole: 'Delegated administrators cannot grant or revoke admin roles',
  adminPerson: 'Delegated administrators cannot change a person or group that holds an admin role',
  managementPrincipal: 'Delegated administrators cannot delete a user or group assigned to the management account',
  othersToken: "Delegated administrators can list and revoke only their own API tokens",
} as const;

export class AdminPolicy {
  constructor(private readonly deps: AdminPolicyDeps) {}

  /** Resolves when `actor` may do `action`; otherwise audits the refusal and throws ForbiddenError. */
  async authorize(actor: AdminActor, action: AdminAction): Promise<void> {
    const reason = await this.refusal(actor, action);
    if (reason === null) return;
    await this.deps.audit.append({
      actor: actor.user.id,
      actorName: actor.user.userName,
      action: 'admin.refused',
      target: targetOf(action),
      outcome: 'refused',
      detail: { attempted: action.kind, role: actor.role, reason },
    });
    throw new ForbiddenError(reason);
  }

  /** Whether `actor` may do `action`, without auditing (for showing or hiding a page's controls). */
  async allows(actor: AdminActor, action: AdminAction): Promise<boolean> {
    return (await this.refusal(actor, action)) === null;
  }

  private async refusal(actor: AdminActor, action: AdminAction): Promise<string | null> {
    if (actor.role === 'administrator') return null;
    switch (action.kind) {
      case 'read':
      case 'change':
        return null;
      case 'delegated-administrator.change':
        return REASONS.registration;
      case 'instance.update':
        return REASONS.instance;
      case 'identity-source.change':
        return REASONS.identitySource;
      case 'admin-role.change':
        return REASONS.adminRole;
      case 'admin-token.manage':
        return action.ownerId === actor.user.id ? null : REASONS.othersToken;
      case 'account.create':
        return action.accountKind === 'management' ? REASONS.managementAccount : null;
      case 'account.delete': {
        if (action.accountId === (await this.managementAccountId())) return REASONS.managementAccount;
        const registered = await this.deps.delegatedAdministrator.get();
        return registered?.accountId === action.accountId ? REASONS.delegatedAccount : null;
      }
      case 'assignment.change':
        return action.accountId === (await this.managementAccountId()) ? REASONS.managementAssignment : null;
      case 'permission-set.change': {
        const management = await this.managementAccountId();
        if (management === null) return null;
        const onManagement = await this.deps.assignments.list({ accountId: management, permissionSetId: action.permissionSetId }, { limit: 1 });
        return onManagement.items.length > 0 ? REASONS.managementPermissionSet : null;
      }
      case 'user.change':
        return (await this.holdsAdminRole('USER', action.userId)) ? REASONS.adminPerson : null;
      case 'group.change':
        return (await this.holdsAdminRole('GROUP', action.groupId)) ? REASONS.adminPerson : null;
      case 'user.delete':
      case 'group.delete': {
        const [type, id] = action.kind === 'user.delete' ? (['USER', action.userId] as const) : (['GROUP', action.groupId] as const);
        if (await this.holdsAdminRole(type, id)) return REASONS.adminPerson;
        // Deleting a principal deletes its assignments, those on the management account too.
        const management = await this.managementAccountId();
        if (management === null) return null;
        const onManagement = await this.deps.assignments.list({ accountId: management, principalType: type, principalId: id }, { limit: 1 });
        return onManagement.items.length > 0 ? REASONS.managementPrincipal : null;
      }
    }
  }

  private async managementAccountId(): Promise<string | null> {
    return (await this.deps.instance.getOrCreate()).managementAccountId;
  }

  /** Holds a role directly, or (for a user) through a group: whether or not a delegated account is registered. */
  private async holdsAdminRole(type: PrincipalType, id: string): Promise<boolean> {
    if (type === 'GROUP') return (await this.deps.adminRoles.get('GROUP', id)) !== null;
    return (await this.deps.adminRoles.rolesOf(id, await this.deps.groupIdsOf(id))).length > 0;
  }
}

function targetOf(action: AdminAction): string {
  switch (action.kind) {
    case 'user.change':
    case 'user.delete':
      return `user/${action.userId}`;
    case 'group.change':
    case 'group.delete':
      return `group/${action.groupId}`;
    case 'account.delete':
    case 'assignment.change':
      return `account/${action.accountId}`;
    case 'permission-set.change':
      return `permission-set/${action.permissionSetId}`;
    case 'admin-token.manage':
      return `user/${action.ownerId}`;
    case 'delegated-administrator.change':
      return 'delegated-administrator';
    case 'instance.update':
      return 'instance';
    case 'identity-source.change':
      return 'identity-source';
    case 'admin-role.change':
      return 'admin-roles';
    default:
      return 'admin';
  }
}
