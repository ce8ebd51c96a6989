// The console's "assign access" flow, as in IAM Identity Center: several accounts × several users
// and groups × several permission sets become one batch of account assignments (sso-admin
// CreateAccountAssignment per combination). The batch is one transaction: all of it is made, or
// none (a bad id anywhere leaves nothing half-assigned). Combinations that already exist are
// reported and left as they are.
import type { AccountAssignment, PrincipalType } from '../../model/types.ts';
import type { SqlStores } from '../../store/stores.ts';
import type { AssignmentService } from '../assignments.ts';

export interface AssignAccessRequest {
  accountIds: string[];
  principals: { type: PrincipalType; id: string }[];
  permissionSetIds: string[];
}

export interface AssignAccessResult {
  created: AccountAssignment[];
  alreadyAssigned: number;
}

/** Combinations one batch may hold: enough for a real organization, small enough for one transaction. */
export const MAX_BATCH = 500;

export class ConsoleAssignAccess {
  constructor(private readonly deps: { assignments: AssignmentService; transaction: SqlStores['transaction'] }) {}

  combinations(req: AssignAccessRequest) {
    return req.accountIds.flatMap((accountId) =>
      req.principals.flatMap((p) => req.permissionSetIds.map((permissionSetId) => ({ accountId, permissionSetId, principalType: p.type, principalId: p.id }))),
    );
  }

  /** Each combination, and whether it is assigned already (for the review before submitting). */
  async plan(req: AssignAccessRequest): Promise<{ key: ReturnType<ConsoleAssignAccess['combinations']>[number]; exists: boolean }[]> {
    const out = [];
    for (const key of this.combinations(req)) out.push({ key, exists: (await this.deps.assignments.list(key, { limit: 1 })).items.length > 0 });
    return out;
  }

  async assign(req: AssignAccessRequest, actor: string): Promise<AssignAccessResult> {
    // What exists is read before the transaction opens (inside it only its own stores may be used).
    const planned = await this.plan(req);
    const fresh = planned.filter((p) => !p.exists).map((p) => p.key);
    const created = await this.deps.transaction(async () => {
      const made: AccountAssignment[] = [];
      // Each create joins this transaction (docs/architecture.md, "Transactions").
      for (const key of fresh) made.push(await this.deps.assignments.create(key, actor));
      return made;
    });
    return { created, alreadyAssigned: planned.length - fresh.length };
  }
}
