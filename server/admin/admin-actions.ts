// Which AdminAction (access/admin/admin-policy.ts) an admin API request attempts, read from its
// method, path and input the same way the routes read them. Express matches routes
// case-insensitively and with or without a trailing slash, so the path is compared the same way;
// a request this does not name is a plain read or change, which the policy lets every admin role do.
import type { AdminAction } from '../../access/admin/admin-policy.ts';

export interface RequestShape {
  method: string;
  /** The path below /api/v1, still percent-encoded. */
  path: string;
  body: unknown;
  query: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};
const text = (v: unknown) => (typeof v === 'string' ? v : '');

export function adminActionFor(request: RequestShape): AdminAction {
  const method = request.method.toUpperCase();
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return { kind: 'read' };
  const segments = request.path.replace(/\/+$/, '').split('/').slice(1);
  const [collection = '', rawId, sub] = segments.map((s, i) => (i === 0 ? s.toLowerCase() : s));
  const id = rawId === undefined ? undefined : decode(rawId);
  const body = isObject(request.body) ? request.body : {};

  switch (collection) {
    case 'instance':
      return { kind: 'instance.update' };
    case 'identity-source':
      return { kind: 'identity-source.change' };
    case 'admin-roles':
      return { kind: 'admin-role.change' };
    case 'delegated-administrator':
      return { kind: 'delegated-administrator.change' };
    case 'users':
      // isAdmin is the user's administrator role: setting it in either direction is granting.
      if ('isAdmin' in body && (id === undefined ? body.isAdmin === true : true)) return { kind: 'admin-role.change' };
      if (id === undefined) return { kind: 'change' };
      return method === 'DELETE' && sub === undefined ? { kind: 'user.delete', userId: id } : { kind: 'user.change', userId: id };
    case 'groups':
      if (id === undefined) return { kind: 'change' };
      return method === 'DELETE' && sub === undefined ? { kind: 'group.delete', groupId: id } : { kind: 'group.change', groupId: id };
    case 'accounts':
      if (id === undefined) return method === 'POST' ? { kind: 'account.create', accountKind: text(body.kind) } : { kind: 'change' };
      return method === 'DELETE' && sub === undefined ? { kind: 'account.delete', accountId: id } : { kind: 'change' };
    case 'permission-sets':
      return id === undefined ? { kind: 'change' } : { kind: 'permission-set.change', permissionSetId: id };
    case 'account-assignments': {
      // DELETE reads the body when one is sent, the query otherwise (server/admin/router.ts).
      const source = method === 'DELETE' && Object.keys(body).length === 0 ? request.query : body;
      return { kind: 'assignment.change', accountId: text(source.accountId) };
    }
    default:
      return { kind: 'change' };
  }
}
