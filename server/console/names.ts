// Looks up the names a page shows for the ids it lists (views/console/names.ts), at most once
// each; an object that is gone (or unreadable) shows as its id.
import type { AccountService } from '../../access/accounts.ts';
import type { PermissionSetService } from '../../access/permission-sets.ts';
import type { GroupService } from '../../directory/groups.ts';
import type { UserService } from '../../directory/users.ts';
import { isDomainError } from '../../model/errors.ts';
import type { PrincipalType } from '../../model/types.ts';
import type { NameOf } from '../../views/console/names.ts';

export interface NameDeps {
  accounts: AccountService;
  permissionSets: PermissionSetService;
  users: UserService;
  groups: GroupService;
}

export async function namesFor(deps: NameDeps, refs: { accountId?: string; permissionSetId?: string; principalType?: PrincipalType; principalId?: string }[]): Promise<NameOf> {
  const names = new Map<string, string>();
  const look = async (key: string, read: () => Promise<string>) => {
    if (names.has(key)) return;
    names.set(key, key.split(':').slice(1).join(':'));
    try {
      names.set(key, await read());
    } catch (e) {
      if (!isDomainError(e)) throw e;
    }
  };
  for (const r of refs) {
    if (r.accountId) await look(`account:${r.accountId}`, async () => `${(await deps.accounts.get(r.accountId!)).name} (${r.accountId})`);
    if (r.permissionSetId) await look(`set:${r.permissionSetId}`, async () => (await deps.permissionSets.get(r.permissionSetId!)).name);
    if (r.principalType && r.principalId) {
      await look(`${r.principalType}:${r.principalId}`, async () => (r.principalType === 'USER' ? (await deps.users.get(r.principalId!)).userName : (await deps.groups.get(r.principalId!)).displayName));
    }
  }
  return {
    account: (id) => names.get(`account:${id}`) ?? id,
    permissionSet: (id) => names.get(`set:${id}`) ?? id,
    principal: (type, id) => names.get(`${type}:${id}`) ?? id,
  };
}
