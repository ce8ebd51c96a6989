// What a user may reach right now: the accounts, and the permission sets on each, assigned to the
// user directly or to any of the user's groups. Always computed at the moment of the call
// (docs/security.md: "Only what is assigned, at that moment": never an account or role the user is not assigned at that moment).
import type { Account, Group, PermissionSet, User } from '../model/types.ts';
import type { AccountStore, AssignmentStore, PermissionSetStore } from '../store/stores.ts';

export interface AccountAccess {
  account: Account;
  /** Sorted by name. */
  permissionSets: PermissionSet[];
}

export class EntitlementService {
  constructor(
    private readonly assignments: AssignmentStore,
    private readonly accounts: AccountStore,
    private readonly permissionSets: PermissionSetStore,
  ) {}

  /** Accounts sorted by name, then id. A disabled user reaches nothing. */
  async forUser(user: User, groups: Group[]): Promise<AccountAccess[]> {
    if (!user.enabled) return [];
    const rows = await this.assignments.entitlements(user.id, groups.map((g) => g.id));
    if (rows.length === 0) return [];
    const setIds = [...new Set(rows.flatMap((r) => r.permissionSetIds))];
    const [accounts, sets] = await Promise.all([
      this.accounts.getMany(rows.map((r) => r.accountId)),
      this.permissionSets.getMany(setIds),
    ]);
    const accountById = new Map(accounts.map((a) => [a.accountId, a]));
    const setById = new Map(sets.map((s) => [s.id, s]));
    const result: AccountAccess[] = [];
    for (const row of rows) {
      const account = accountById.get(row.accountId);
      if (!account) continue;
      const permissionSets = row.permissionSetIds
        .map((id) => setById.get(id))
        .filter((s): s is PermissionSet => s !== undefined)
        .sort((a, b) => a.name.localeCompare(b.name));
      if (permissionSets.length) result.push({ account, permissionSets });
    }
    return result.sort((a, b) => a.account.name.localeCompare(b.account.name) || a.account.accountId.localeCompare(b.account.accountId));
  }

  /** The one (account, permission set by name) pair, or null when the user does not have it now. */
  async find(user: User, groups: Group[], accountId: string, permissionSetName: string): Promise<{ account: Account; permissionSet: PermissionSet } | null> {
    const access = (await this.forUser(user, groups)).find((a) => a.account.accountId === accountId);
    const permissionSet = access?.permissionSets.find((s) => s.name === permissionSetName);
    return access && permissionSet ? { account: access.account, permissionSet } : null;
  }
}
