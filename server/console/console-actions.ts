// Which AdminActions (access/admin/admin-policy.ts) a console form post attempts, read from its
// path and fields the same way the page routers read them: the console's counterpart of
// server/admin/admin-actions.ts, so that a delegated administrator meets the same refusals on a
// page as on the API. A post this does not name is a plain change every admin role may make.
import type { AdminAction } from '../../access/admin/admin-policy.ts';

/** Every non-empty value of a repeated form field (as render.ts `many` reads it). */
const many = (body: Record<string, unknown>, name: string): string[] => {
  const v = body[name];
  return [...new Set((Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string' && x.length > 0))];
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown) => (typeof v === 'string' ? v : '');
const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** Every action a request needs allowed (several for one assign-access batch); reads need none. */
export function consoleActionsFor(request: { method: string; path: string; body: unknown }): AdminAction[] {
  const method = request.method.toUpperCase();
  if (method === 'GET' || method === 'HEAD') return [];
  const segments = request.path.replace(/\/+$/, '').split('/').slice(1).map(decode);
  const [section = '', id, verb] = [segments[0]?.toLowerCase(), segments[1], segments[2]?.toLowerCase()];
  const body = isObject(request.body) ? request.body : {};

  switch (section) {
    case 'settings':
      return [{ kind: 'instance.update' }];
    case 'identity-source':
      return [{ kind: 'identity-source.change' }];
    case 'accounts':
      if (id === undefined) return [{ kind: 'account.create', accountKind: text(body.kind) }];
      return verb === 'delete' ? [{ kind: 'account.delete', accountId: id }] : [{ kind: 'change' }];
    case 'assign': {
      // The batch (accountId repeated) or one removal: every account it touches is checked.
      const accounts = id?.toLowerCase() === 'remove' ? [text(body.accountId)] : many(body, 'accountId');
      return accounts.length === 0 ? [{ kind: 'change' }] : accounts.map((accountId) => ({ kind: 'assignment.change', accountId }));
    }
    case 'permission-sets':
      if (id === undefined || id.toLowerCase() === 'check-policy') return [{ kind: 'change' }];
      return [{ kind: 'permission-set.change', permissionSetId: id }];
    case 'users':
      // Creating someone as administrator is granting a role; a change of the flag on an existing
      // user is checked by the page, which knows the flag's current value.
      if (id === undefined) return [body.isAdmin === 'on' ? { kind: 'admin-role.change' } : { kind: 'change' }];
      return [verb === 'delete' ? { kind: 'user.delete', userId: id } : { kind: 'user.change', userId: id }];
    case 'groups':
      if (id === undefined) return [{ kind: 'change' }];
      return [verb === 'delete' ? { kind: 'group.delete', groupId: id } : { kind: 'group.change', groupId: id }];
    default:
      return [{ kind: 'change' }];
  }
}
