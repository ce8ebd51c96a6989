// Access-change events (docs/architecture.md, "Events"): what a committed change did to who reaches
// what, told to whatever must react (the authorization epoch, portal sessions, the role-credential
// cache, the per-node access snapshots; later provisioning, OIDC grants, MFA). The services that
// make the change publish them once its transaction has committed, never for one that rolled back.
//
// Here, in model/, so that directory/ (users, groups, the identity source) can publish without
// importing access/, where the bus lives (access/events/).
import type { PrincipalType } from './types.ts';

/** One account assignment: (account, permission set, principal). */
export interface AssignmentRef {
  accountId: string;
  permissionSetId: string;
  principalType: PrincipalType;
  principalId: string;
}

/** Why an account assignment went: taken away alone, or with what it referred to. */
export type AssignmentRemovalCause = 'unassigned' | 'account-deleted' | 'permission-set-deleted' | 'principal-deleted';

export type AccessEvent =
  /** A user can no longer sign in (disabled, not deleted). */
  | { type: 'user.disabled'; userId: string }
  /**
   * The user, their memberships and assignments are gone: each account assignment publishes its
   * own assignment.removed first; their application assignments go with this event alone.
   */
  | { type: 'user.deleted'; userId: string }
  /**
   * Attributes a session tag can be mapped from changed (instance accessControlAttributes): the
   * user's own attributes by name, and userName, displayName, email, givenName, familyName.
   */
  | { type: 'user.attributes-changed'; userId: string; attributes: string[] }
  | { type: 'membership.added'; groupId: string; userId: string }
  | { type: 'membership.removed'; groupId: string; userId: string }
  /** As user.deleted, for a group and its memberships. */
  | { type: 'group.deleted'; groupId: string }
  | { type: 'assignment.created'; assignment: AssignmentRef }
  /** One per assignment, also for each one a cascading deletion removed. */
  | { type: 'assignment.removed'; assignment: AssignmentRef; cause: AssignmentRemovalCause }
  /** Name, email, SAML provider name or sign-in endpoint: what access snapshots and assertions show. */
  | { type: 'account.updated'; accountId: string }
  | { type: 'account.deleted'; accountId: string }
  | { type: 'permission-set.edited'; permissionSetId: string; fields: string[] }
  | { type: 'permission-set.deleted'; permissionSetId: string }
  /**
   * A principal's assignment to a SAML application was made, changed or removed; `principal` null:
   * every assignment of the application (it was deleted).
   */
  | { type: 'application-assignment.changed'; applicationId: string; principal: { type: PrincipalType; id: string } | null }
  /** The instance's user attribute → session tag mapping (attributes for access control). */
  | { type: 'instance.abac-changed'; attributes: string[] }
  /** Sign-in switched to another directory (or its settings changed): every user may differ. */
  | { type: 'identity-source.changed' };

export type AccessEventType = AccessEvent['type'];
export type AccessEventOf<T extends AccessEventType> = Extract<AccessEvent, { type: T }>;

/** What a transaction offers for effects after its commit (store/stores.ts UnitOfWork). */
export interface CommitHooks {
  afterCommit(hook: () => void | Promise<void>): void;
}

/** What a service that changes access is given to tell of its changes. */
export interface AccessEventPublisher {
  /**
   * Publishes `events` once `tx` has committed, never when it rolls back. Every event of one
   * transaction goes out together, as one batch, after the commit; a subscriber's failure rejects
   * the transaction's call (the change stays committed).
   */
  afterCommit(tx: CommitHooks, ...events: AccessEvent[]): void;
}
