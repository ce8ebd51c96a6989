// Who is using the console: the portal session behind the request's cookie
// (server/http/portal-session.ts), whose user must pass access/admin/console-access.ts. Not signed
// in: to the portal's sign-in, coming back here. Signed in but no administrator: 403, nothing
// shown. Every POST must carry the session's CSRF token, as a form field or, for the console's
// own script calls, the X-CSRF-Token header (ASVS V3.5.1).
import type { Request, RequestHandler, Response } from 'express';
import { mayAdminister } from '../../access/admin/console-access.ts';
import { ForbiddenError } from '../../model/errors.ts';
import type { User } from '../../model/types.ts';
import { formField, sameSecret, signedInPerson, type PortalSessionDeps } from '../http/portal-session.ts';

export interface ConsoleAdmin {
  user: User;
  csrfToken: string;
}

export const adminOf = (res: Response) => res.locals.consoleAdmin as ConsoleAdmin;
/** The acting administrator's id, for the audit log. */
export const actorOf = (res: Response) => adminOf(res).user.id;

const NOT_ADMIN = 'The admin console is for administrators. Your account has no admin role; ask an administrator if you need one.';

export function requireConsoleAdmin(deps: PortalSessionDeps): RequestHandler {
  return async (req, res, next) => {
    // Re-checked against the identity source: a disabled administrator's session ends here too.
    const person = await signedInPerson(deps, req, res);
    if (!person) {
      if (req.method === 'GET') return res.redirect(303, `/start?returnTo=${encodeURIComponent(returnPath(req))}`);
      throw new ForbiddenError('Your session has ended. Nothing was done; sign in again and retry.');
    }
    if (!mayAdminister(person.user)) throw new ForbiddenError(NOT_ADMIN);
    res.locals.consoleAdmin = { user: person.user, csrfToken: person.session.csrfToken } satisfies ConsoleAdmin;
    next();
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

/** The console path to come back to after sign-in (the portal accepts only its own paths). */
function returnPath(req: Request): string {
  const path = `/admin${req.path === '/' ? '' : req.path}`;
  return /^\/admin(\/[\w\-/]*)?$/.test(path) ? path : '/admin';
}
