// Account assignments: (account, permission set, USER|GROUP principal), unique
// (sso-admin CreateAccountAssignment / DeleteAccountAssignment / ListAccountAssignments).
import { z } from 'zod';
import { NotFoundError } from '../model/errors.ts';
import { ACCOUNT_ID } from '../model/ids.ts';
import type { AccountAssignment } from '../model/types.ts';
import { parseInput } from '../model/validate.ts';
import type { AssignmentFilter, AssignmentStore, AuditStore, DirectoryStore, Page } from '../store/stores.ts';

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
export type AssignmentRemovedListener = (removed: { accountId: string; permissionSetId: string; principalType: string; principalId: string }) => Promise<void>;

export class AssignmentService {
  private removedListeners: AssignmentRemovedListener[] = [];

  constructor(
    private readonly store: AssignmentStore,
    private readonly directory: DirectoryStore,
    private readonly audit: AuditStore,
  ) {}

  onRemoved(listener: AssignmentRemovedListener): void {
    this.removedListeners.push(listener);
  }

  async create(input: unknown, actor: string): Promise<AccountAssignment> {
    const key = parseInput(keySchema, input, 'account assignment');
    const principal = key.principalType === 'USER' ? await this.directory.getUser(key.principalId) : await this.directory.getGroup(key.principalId);
    if (!principal) throw new NotFoundError(key.principalType === 'USER' ? 'user' : 'group', key.principalId);
    const assignment = await this.store.create(key);
    await this.audit.append({ actor, action: 'assignment.create', target: `account/${key.accountId}`, detail: { ...key } });
    return assignment;
  }

  async delete(input: unknown, actor: string): Promise<void> {
    const key = parseInput(keySchema, input, 'account assignment');
    await this.store.delete(key);
    await this.audit.append({ actor, action: 'assignment.delete', target: `account/${key.accountId}`, detail: { ...key } });
    for (const l of this.removedListeners) await l(key);
  }

  list(filter: unknown, query: { limit?: number; nextToken?: string }): Promise<Page<AccountAssignment>> {
    const f: AssignmentFilter = parseInput(filterSchema, filter, 'assignment filter');
    return this.store.list(f, query);
  }

  /**
   * Every assignment of a user or group that is being deleted; the removed-listeners hear of each
   * (so credentials cached for a group's pairs go with the group). Read before deleting: an
   * assignment made in between goes too, unheard, which only leaves a cache entry behind that no
   * entitlement check will pass again.
   */
  async deleteForPrincipal(type: 'USER' | 'GROUP', id: string): Promise<number> {
    const removed: AccountAssignment[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.store.list({ principalType: type, principalId: id }, { limit: 1000, nextToken });
      removed.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken);
    const count = await this.store.deleteForPrincipal(type, id);
    for (const a of removed) {
      const key = { accountId: a.accountId, permissionSetId: a.permissionSetId, principalType: a.principalType, principalId: a.principalId };
      for (const l of this.removedListeners) await l(key);
    }
    return count;
  }
}

/** The input shapes, for the OpenAPI document. */
export { keySchema as assignmentSchema };
