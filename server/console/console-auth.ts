// Who is using the console: the portal session behind the request's cookie
// (server/http/portal-session.ts), whose user must hold an admin role now
// (access/admin/console-access.ts). Not signed in: to the portal's sign-in, coming back here.
// Signed in but no admin role: 403, nothing shown. What the role may then do is the admin policy's
// answer (access/admin/admin-policy.ts), asked for every form post as the admin API asks it. Every POST must carry the session's CSRF token, as a form field or, for the console's
// own script calls, the X-CSRF-Token header (ASVS V3.5.1).
import type { Request, RequestHandler, Response } from 'express';
import type { AdminPolicy } from '../../access/admin/admin-policy.ts';
import type { ConsoleAccess } from '../../access/admin/console-access.ts';
import { actingAs } from '../../access/audit/audit-context.ts';
import { ForbiddenError } from '../../model/errors.ts';
import type { AdminRole, User } from '../../model/types.ts';
import { consoleActionsFor } from './console-actions.ts';
import { formField, sameSecret, signedInPerson, type PortalSessionDeps } from '../http/portal-session.ts';

export interface ConsoleAdmin {
  user: User;
  role: AdminRole;
  csrfToken: string;
}

export const adminOf = (res: Response) => res.locals.consoleAdmin as ConsoleAdmin;
/** The acting administrator's id, for the audit log. */
export const actorOf = (res: Response) => adminOf(res).user.id;

const NOT_ADMIN = 'The admin console is for administrators. Your account has no admin role; ask an administrator if you need one.';

export function requireConsoleAdmin(deps: PortalSessionDeps & { consoleAccess: Pick<ConsoleAccess, 'actorOf' | 'refused'> }): RequestHandler {
  return async (req, res, next) => {
    // Re-checked against the identity source: a disabled administrator's session ends here too.
    const person = await signedInPerson(deps, req, res);
    if (!person) {
      if (req.method === 'GET') return res.redirect(303, `/start?returnTo=${encodeURIComponent(returnPath(req))}`);
      throw new ForbiddenError('Your session has ended. Nothing was done; sign in again and retry.');
    }
    const actor = await deps.consoleAccess.actorOf(person.user);
    if (!actor) {
      await deps.consoleAccess.refused(person.user, `${req.method} /admin${req.path}`);
      throw new ForbiddenError(NOT_ADMIN);
    }
    res.locals.consoleAdmin = { user: actor.user, role: actor.role, csrfToken: person.session.csrfToken } satisfies ConsoleAdmin;
    // Every audit event written while serving this page names the person and their address.
    actingAs({ actorId: actor.user.id, actorName: actor.user.userName, address: req.ip ?? null }, () => next());
  };
}

/** After requireConsoleAdmin and the form parser: a POST without the session's CSRF token does nothing. */
export const requireCsrf: RequestHandler = (req, res, next) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const given = formField(req, 'csrf') || req.get('x-csrf-token') || '';
    if (!sameSecret(given, adminOf(res).csrfToken)) {
      throw new ForbiddenError('This form is out of date or did not come from the console. Nothing was done; reload the page and try again.');
    }
  }
  next();
};

/** After requireCsrf: refuses (403, audited, nothing done) a post the person's admin role may not make. */
export function enforceConsolePolicy(policy: Pick<AdminPolicy, 'authorize' | 'guardWrites'>): RequestHandler {
  return async (req, res, next) => {
    const admin = adminOf(res);
    const actor = { user: admin.user, role: admin.role };
    const actions = consoleActionsFor({ method: req.method, path: req.path, body: req.body });
    for (const action of actions) await policy.authorize(actor, action);
    if (actions.length === 0) return next();
    // Checked again inside each transaction the post opens (AdminPolicy.guardWrites).
    const writes = policy.guardWrites(actor, actions);
    res.once('close', () => writes.end());
    writes.run(() => next());
  };
}

/** The console path to come back to after sign-in (the portal accepts only its own paths). */
function returnPath(req: Request): string {
  const path = `/admin${req.path === '/' ? '' : req.path}`;
  return /^\/admin(\/[\w\-/]*)?$/.test(path) ? path : '/admin';
}
