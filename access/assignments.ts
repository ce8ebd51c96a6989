// Account assignments: (account, permission set, USER|GROUP principal), unique
// (sso-admin CreateAccountAssignment / DeleteAccountAssignment / ListAccountAssignments).
import { z } from 'zod';
import { NotFoundError } from '../model/errors.ts';
import { ACCOUNT_ID } from '../model/ids.ts';
import type { AccountAssignment } from '../model/types.ts';
import { parseInput } from '../model/validate.ts';
import type { AssignmentFilter, Page, TransactionalStores, UnitOfWork } from '../store/stores.ts';

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

/** Told when an assignment goes away, so caches derived from it (role credentials) can be purged. */
export type AssignmentRemovedListener = (removed: RemovedAssignment) => Promise<void>;
export interface RemovedAssignment {
  accountId: string;
  permissionSetId: string;
  principalType: string;
  principalId: string;
}

export class AssignmentService {
  private removedListeners: AssignmentRemovedListener[] = [];
  private createdListeners: ((created: AccountAssignment) => void)[] = [];

  constructor(private readonly stores: TransactionalStores<'assignments'>) {}

  onRemoved(listener: AssignmentRemovedListener): void {
    this.removedListeners.push(listener);
  }

  /** Told once an assignment's creation has committed (provisioning starts from it); must not throw. */
  onCreated(listener: (created: AccountAssignment) => void): void {
    this.createdListeners.push(listener);
  }

  async create(input: unknown, actor: string): Promise<AccountAssignment> {
    const key = parseInput(keySchema, input, 'account assignment');
    return this.stores.transaction(async (tx) => {
      const principal = key.principalType === 'USER' ? await tx.directory.getUser(key.principalId) : await tx.directory.getGroup(key.principalId);
      if (!principal) throw new NotFoundError(key.principalType === 'USER' ? 'user' : 'group', key.principalId);
      const assignment = await tx.assignments.create(key);
      await tx.audit.append({ actor, action: 'assignment.create', target: `account/${key.accountId}`, detail: { ...key } });
      tx.afterCommit(() => this.createdListeners.forEach((l) => l(assignment)));
      return assignment;
    });
  }

  async delete(input: unknown, actor: string): Promise<void> {
    const key = parseInput(keySchema, input, 'account assignment');
    await this.stores.transaction(async (tx) => {
      await tx.assignments.delete(key);
      await tx.audit.append({ actor, action: 'assignment.delete', target: `account/${key.accountId}`, detail: { ...key } });
      tx.afterCommit(() => this.tellRemoved([key]));
    });
  }

  list(filter: unknown, query: { limit?: number; nextToken?: string }): Promise<Page<AccountAssignment>> {
    const f: AssignmentFilter = parseInput(filterSchema, filter, 'assignment filter');
    return this.stores.assignments.list(f, query);
  }

  /**
   * Every assignment of a user or group that is being deleted, in the deletion's transaction; once
   * it commits, the removed-listeners hear of each (so credentials cached for a group's pairs go
   * with the group). Read before deleting: an assignment made in between goes too, unheard, which
   * only leaves a cache entry behind that no entitlement check will pass again.
   */
  async deleteForPrincipal(tx: UnitOfWork, type: 'USER' | 'GROUP', id: string): Promise<number> {
    const removed: AccountAssignment[] = [];
    let nextToken: string | undefined;
    do {
      const page = await tx.assignments.list({ principalType: type, principalId: id }, { limit: 1000, nextToken });
      removed.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken);
    const count = await tx.assignments.deleteForPrincipal(type, id);
    tx.afterCommit(() => this.tellRemoved(removed));
    return count;
  }

  private async tellRemoved(removed: readonly RemovedAssignment[]): Promise<void> {
    for (const a of removed) {
      const key = { accountId: a.accountId, permissionSetId: a.permissionSetId, principalType: a.principalType, principalId: a.principalId };
      for (const l of this.removedListeners) await l(key);
    }
  }
}

/** The input shapes, for the OpenAPI document. */
export { keySchema as assignmentSchema };
