// Account assignments: (account, permission set, USER|GROUP principal), unique
// (sso-admin CreateAccountAssignment / DeleteAccountAssignment / ListAccountAssignments).
import { z } from 'zod';
import type { AccessEvent, AccessEventPublisher, AssignmentRef, AssignmentRemovalCause } from '../model/access-events.ts';
import { NotFoundError } from '../model/errors.ts';
import { ACCOUNT_ID } from '../model/ids.ts';
import type { AccountAssignment } from '../model/types.ts';
import { parseInput } from '../model/validate.ts';
import type { AssignmentFilter, Page, StoreSet, TransactionalStores, UnitOfWork } from '../store/stores.ts';

const keySchema = z.strictObject({
  accountId: z.string().regex(ACCOUNT_ID, 'must be exactly 12 digits'),
  permissionSetId: z.string().regex(/^ps-[a-zA-Z0-9-./]{16}$/, 'must be a permission set id (ps- + 16 characters)'),
  principalType: z.enum(['USER', 'GROUP']),
  principalId: z.string().min(1).max(64),
});
const filterSchema = z.strictObject({
  accountId: keySchema.shape.accountId.optional(),
  permissionSetId: keySchema.shape.permissionSetId.optional(),
  principalType: keySchema.shape.principalType.optional(),
  principalId: keySchema.shape.principalId.optional(),
});

/** Publishes assignment.created and assignment.removed (model/access-events.ts) once each change commits. */
export class AssignmentService {
  constructor(
    private readonly stores: TransactionalStores<'assignments'>,
    private readonly events: AccessEventPublisher,
    /** Where lists are read: the lag-tolerant replica (SqlStores.lagTolerant) or, by default, `stores`. */
    private readonly lists: Pick<StoreSet, 'assignments'> = stores,
  ) {}

  async create(input: unknown, actor: string): Promise<AccountAssignment> {
    const key = parseInput(keySchema, input, 'account assignment');
    return this.stores.transaction(async (tx) => {
      const principal = key.principalType === 'USER' ? await tx.directory.getUser(key.principalId) : await tx.directory.getGroup(key.principalId);
      if (!principal) throw new NotFoundError(key.principalType === 'USER' ? 'user' : 'group', key.principalId);
      const assignment = await tx.assignments.create(key);
      await tx.audit.append({ actor, action: 'assignment.create', target: `account/${key.accountId}`, detail: { ...key } });
      this.events.afterCommit(tx, { type: 'assignment.created', assignment: refOf(assignment) });
      return assignment;
    });
  }

  async delete(input: unknown, actor: string): Promise<void> {
    const key = parseInput(keySchema, input, 'account assignment');
    await this.stores.transaction(async (tx) => {
      await tx.assignments.delete(key);
      await tx.audit.append({ actor, action: 'assignment.delete', target: `account/${key.accountId}`, detail: { ...key } });
      this.events.afterCommit(tx, { type: 'assignment.removed', assignment: refOf(key), cause: 'unassigned' });
    });
  }

  list(filter: unknown, query: { limit?: number; nextToken?: string }): Promise<Page<AccountAssignment>> {
    const f: AssignmentFilter = parseInput(filterSchema, filter, 'assignment filter');
    return this.lists.assignments.list(f, query);
  }

  /**
   * Every assignment of a user or group that is being deleted, in the deletion's transaction; once
   * it commits, each one that went is published (so credentials cached for a group's pairs go with
   * the group).
   */
  async deleteForPrincipal(tx: UnitOfWork, type: 'USER' | 'GROUP', id: string): Promise<number> {
    const removed = await tx.assignments.deleteForPrincipal(type, id);
    this.events.afterCommit(tx, ...removedEvents(removed, 'principal-deleted'));
    return removed.length;
  }
}

/** Exactly the key fields (an input may carry more). */
export function refOf(a: AssignmentRef): AssignmentRef {
  return { accountId: a.accountId, permissionSetId: a.permissionSetId, principalType: a.principalType, principalId: a.principalId };
}

/** One assignment.removed per assignment that went. */
export function removedEvents(removed: readonly AssignmentRef[], cause: AssignmentRemovalCause): AccessEvent[] {
  return removed.map((a) => ({ type: 'assignment.removed', assignment: refOf(a), cause }));
}

/** The input shapes, for the OpenAPI document. */
export { keySchema as assignmentSchema };
