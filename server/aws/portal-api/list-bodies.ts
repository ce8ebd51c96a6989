// The JSON bodies of ListAccounts and ListAccountRoles, rendered once per entitlements snapshot
// and page instead of at every call. A node answers these from a per-person snapshot
// (access/role-credentials.ts) that is replaced, as a new frozen array, whenever what the person
// reaches may have changed (docs/performance.md, "How the cached call stays correct"); a body kept
// beside that array, and dropped with it, is therefore exactly as current as the snapshot. The
// rendering (slicing the page, mapping every account and writing JSON) was most of what
// ListAccounts cost in process for someone who reaches many accounts (docs/performance.md,
// "Entitlements at scale").
import type { AccountAccess } from '../../../access/entitlements.ts';
import { page, type PageRequest } from './pagination.ts';

/** Distinct pages kept per snapshot list: the CLI asks for the same few (its page size, in order). */
const PAGES_PER_LIST = 16;

const rendered = new WeakMap<object, Map<string, string>>();

/** The page's body from `source`'s cache, rendering and keeping it on a miss (bad paging input throws, and is never kept). */
function cachedPage<T>(source: object, items: readonly T[], request: PageRequest, render: (page: { items: T[]; nextToken?: string }) => unknown): string {
  const { maxResult, nextToken } = request;
  // A repeated parameter (an array) is refused by page(); only plain values are worth a key.
  const cacheable = (maxResult === undefined || typeof maxResult === 'string') && (nextToken === undefined || typeof nextToken === 'string');
  const key = cacheable ? `${request.list}\n${maxResult ?? ''}\n${nextToken ?? ''}` : null;
  let pages = rendered.get(source);
  const hit = key === null ? undefined : pages?.get(key);
  if (hit !== undefined) return hit;
  const body = JSON.stringify(render(page(items, request)));
  if (key !== null) {
    if (!pages) rendered.set(source, (pages = new Map()));
    if (pages.size < PAGES_PER_LIST) pages.set(key, body);
  }
  return body;
}

/** ListAccounts: `access` is the snapshot's own (frozen) list, the key its bodies are kept under. */
export function listAccountsBody(access: readonly AccountAccess[], maxResult: unknown, nextToken: unknown): string {
  return cachedPage(access, access, { list: 'accounts', maxResult, nextToken }, ({ items, nextToken: next }) => ({
    accountList: items.map(({ account }) => ({ accountId: account.accountId, accountName: account.name, emailAddress: account.email })),
    ...(next ? { nextToken: next } : {}),
  }));
}

/** ListAccountRoles for one account the person reaches (the snapshot's own entry for it). */
export function listAccountRolesBody(entry: AccountAccess, maxResult: unknown, nextToken: unknown): string {
  const accountId = entry.account.accountId;
  return cachedPage(entry, entry.permissionSets, { list: `roles:${accountId}`, maxResult, nextToken }, ({ items, nextToken: next }) => ({
    roleList: items.map((s) => ({ roleName: s.name, accountId })),
    ...(next ? { nextToken: next } : {}),
  }));
}
