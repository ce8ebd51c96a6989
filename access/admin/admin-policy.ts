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
//
// A surface asks `authorize` before it calls a use case, and runs the call under `guardWrites`:
// every transaction the call opens then asks again, first thing inside it, on rows it holds until
// commit (the actor's role, memberships and grants, the delegated administrator registration, the
// permission set), so a concurrent revocation either waits for the write or is seen by it
// (store/sql/transaction-guard.ts).
import { ForbiddenError } from '../../model/errors.ts';
import type { AdminRole, PrincipalType, User } from '../../model/types.ts';
import type { AdminRoleStore, AssignmentStore, AuditStore, DelegatedAdministratorStore, InstanceStore, UnitOfWork } from '../../store/stores.ts';
import { guardTransactions } from '../../store/sql/transaction-guard.ts';
import { lowerRole } from './admin-roles.ts';

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
  roleGone: 'Your admin role was taken away while this change was being made. Nothing was done.',
} as const;

/** What a refusal reads: the policy's own stores, or those of the transaction it guards. */
type PolicyView = Pick<AdminPolicyDeps, 'adminRoles' | 'delegatedAdministrator' | 'assignments' | 'instance' | 'groupIdsOf'> & {
  /** Holds the permission set against change before its assignments are read (inside a transaction). */
  holdPermissionSet?(id: string): Promise<unknown>;
};

/** A request's writes checked again inside each of their transactions; `end` once the request is answered. */
export interface GuardedWrites {
  run<T>(work: () => T): T;
  end(): void;
}

export class AdminPolicy {
  constructor(private readonly deps: AdminPolicyDeps) {}

  /** Resolves when `actor` may do `action`; otherwise audits the refusal and throws ForbiddenError. */
  async authorize(actor: AdminActor, action: AdminAction): Promise<void> {
    const reason = await this.refusal(actor, action);
    if (reason === null) return;
    await this.audit(actor, action, reason);
    throw new ForbiddenError(reason);
  }

  /** Whether `actor` may do `action`, without auditing (for showing or hiding a page's controls). */
  async allows(actor: AdminActor, action: AdminAction): Promise<boolean> {
    return (await this.refusal(actor, action)) === null;
  }

  /**
   * Runs a request's work with `actions` checked again inside every transaction it opens, until
   * `end`: the actor's role as it stands in that transaction (never above the one they came with),
   * then the rules above on what the transaction sees. A refusal there rolls the transaction back
   * and is audited like any other.
   */
  guardWrites(actor: AdminActor, actions: AdminAction[]): GuardedWrites {
    let ended = false;
    const guard = {
      check: async (tx: UnitOfWork): Promise<Error | null> => {
        if (ended) return null;
        const held = await this.heldRole(tx, actor.user.id);
        if (held === null) return new RefusedInTransaction(REASONS.roleGone, actor, actions[0] ?? { kind: 'change' });
        const now: AdminActor = { user: actor.user, role: lowerRole(actor.role, held) };
        const view: PolicyView = {
          adminRoles: tx.adminRoles,
          delegatedAdministrator: tx.delegatedAdministrator,
          assignments: tx.assignments,
          instance: tx.instance,
          groupIdsOf: (userId) => tx.directory.groupIdsOfUser(userId),
          holdPermissionSet: (id) => tx.permissionSets.getForUpdate(id),
        };
        for (const action of actions) {
          const reason = await this.refusal(now, action, view);
          if (reason !== null) return new RefusedInTransaction(reason, now, action);
        }
        return null;
      },
      refused: async (error: Error): Promise<void> => {
        if (error instanceof RefusedInTransaction) await this.audit(error.actor, error.action, error.message, true);
      },
    };
    return {
      run: (work) => guardTransactions(guard, work),
      end: () => {
        ended = true;
      },
    };
  }

  /** The role the user holds as the transaction sees it, its rows held until commit. */
  private async heldRole(tx: UnitOfWork, userId: string): Promise<AdminRole | null> {
    const roles = await tx.adminRoles.heldRolesOf(userId);
    if (roles.includes('administrator')) return 'administrator';
    if (roles.includes('delegated-administrator') && (await tx.delegatedAdministrator.getHeld())) return 'delegated-administrator';
    return null;
  }

  private async audit(actor: AdminActor, action: AdminAction, reason: string, inTransaction = false): Promise<void> {
    await this.deps.audit.append({
      actor: actor.user.id,
      actorName: actor.user.userName,
      action: 'admin.refused',
      target: targetOf(action),
      outcome: 'refused',
      detail: { attempted: action.kind, role: actor.role, reason, ...(inTransaction ? { checkedInTransaction: true } : {}) },
    });
  }

  private async refusal(actor: AdminActor, action: AdminAction, view: PolicyView = this.deps): Promise<string | null> {
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
        if (action.accountId === (await managementAccountId(view))) return REASONS.managementAccount;
        const registered = await view.delegatedAdministrator.get();
        return registered?.accountId === action.accountId ? REASONS.delegatedAccount : null;
      }
      case 'assignment.change':
        return action.accountId === (await managementAccountId(view)) ? REASONS.managementAssignment : null;
      case 'permission-set.change': {
        const management = await managementAccountId(view);
        if (management === null) return null;
        // Held first, so that an assignment to the management account made meanwhile waits for this write.
        await view.holdPermissionSet?.(action.permissionSetId);
        const onManagement = await view.assignments.list({ accountId: management, permissionSetId: action.permissionSetId }, { limit: 1 });
        return onManagement.items.length > 0 ? REASONS.managementPermissionSet : null;
      }
      case 'user.change':
        return (await holdsAdminRole(view, 'USER', action.userId)) ? REASONS.adminPerson : null;
      case 'group.change':
        return (await holdsAdminRole(view, 'GROUP', action.groupId)) ? REASONS.adminPerson : null;
      case 'user.delete':
      case 'group.delete': {
        const [type, id] = action.kind === 'user.delete' ? (['USER', action.userId] as const) : (['GROUP', action.groupId] as const);
        if (await holdsAdminRole(view, type, id)) return REASONS.adminPerson;
        // Deleting a principal deletes its assignments, those on the management account too.
        const management = await managementAccountId(view);
        if (management === null) return null;
        const onManagement = await view.assignments.list({ accountId: management, principalType: type, principalId: id }, { limit: 1 });
        return onManagement.items.length > 0 ? REASONS.managementPrincipal : null;
      }
    }
  }
}

async function managementAccountId(view: PolicyView): Promise<string | null> {
  return (await view.instance.getOrCreate()).managementAccountId;
}

/** Holds a role directly, or (for a user) through a group: whether or not a delegated account is registered. */
async function holdsAdminRole(view: PolicyView, type: PrincipalType, id: string): Promise<boolean> {
  if (type === 'GROUP') return (await view.adminRoles.get('GROUP', id)) !== null;
  return (await view.adminRoles.rolesOf(id, await view.groupIdsOf(id))).length > 0;
}

/** A refusal found inside a guarded transaction: ForbiddenError to the caller, audited once it rolled back. */
class RefusedInTransaction extends ForbiddenError {
  constructor(reason: string, readonly actor: AdminActor, readonly action: AdminAction) {
    super(reason);
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
