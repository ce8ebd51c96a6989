// The signed-in person behind a portal request, shared by every router that serves portal pages
// (portal, device and consent pages, applications, SAML SSO); it imports no router.
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { PortalSession } from '../../access/portal-sessions.ts';
import { ForbiddenError } from '../../model/errors.ts';
import { readCookie, SESSION_COOKIE } from '../portal/cookies.ts';
import type { Services } from '../services.ts';

/** Constant-time comparison of two secrets (a CSRF token against its session's). */
export const sameSecret = (a: string | undefined, b: string | undefined) =>
  !!a && !!b && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** A string field of a parsed form body, or ''. */
export const formField = (req: Request, name: string) => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
};

export interface PortalContext {
  id: string;
  session: PortalSession;
}

/** The signed-in session behind the request's cookie, or null. Throws UnavailableError when the store is down. */
export async function currentSession(services: Pick<Services, 'config' | 'portalSessions'>, req: Request): Promise<PortalContext | null> {
  const id = readCookie(req, SESSION_COOKIE, services.config.baseUrl.startsWith('https://'));
  const session = await services.portalSessions.get(id);
  return session && id ? { id, session } : null;
}

/**
 * The session of a form post, which must carry that session's CSRF token (ASVS V3.5.1): null when
 * not signed in; ForbiddenError, and nothing done, when the token is missing or wrong.
 */
export async function sessionForPost(services: Pick<Services, 'config' | 'portalSessions'>, req: Request): Promise<PortalContext | null> {
  const ctx = await currentSession(services, req);
  if (ctx && !sameSecret(formField(req, 'csrf'), ctx.session.csrfToken)) {
    throw new ForbiddenError('This form is out of date or did not come from the portal. Nothing was done; go back to the portal and try again.');
  }
  return ctx;
}
