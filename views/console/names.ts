// Display names for the ids that lists show (principals, accounts, permission sets), looked up
// once per page by the router; an id whose object is gone shows as the id.
import type { PrincipalType } from '../../model/types.ts';

export interface NameOf {
  account(accountId: string): string;
  permissionSet(id: string): string;
  principal(type: PrincipalType, id: string): string;
}
