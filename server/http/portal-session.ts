// The signed-in person behind a portal request, shared by every router that serves portal pages
// (portal, device and consent pages, applications, SAML SSO); it imports no router. The decision
// (re-read the user, end the session of one disabled or gone) is access/sessions/signed-in-person.ts;
// this file reads the cookie, checks a form's CSRF token and clears the cookie of an ended session.
import { timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { PortalSession } from '../../access/portal-sessions.ts';
import type { SignedInPeople, SignedInPerson } from '../../access/sessions/signed-in-person.ts';
import { ForbiddenError } from '../../model/errors.ts';
import { clearCookie, readCookie, SESSION_COOKIE } from './cookies.ts';
import { signInUrl } from './return-to.ts';

/** What a router needs to know who is signed in. */
export interface PortalSessionDeps {
  /** Served over https: cookies are Secure and __Host- prefixed (cookies.ts). */
  secureCookies: boolean;
  people: SignedInPeople;
}

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

/**
 * The live session behind the request's cookie, or null, NOT re-checked against the identity
 * source (for callers whose use case re-reads the user itself). Throws UnavailableError when the
 * store is down.
 */
export async function currentSession(deps: PortalSessionDeps, req: Request): Promise<PortalContext | null> {
  const id = readCookie(req, SESSION_COOKIE, deps.secureCookies);
  const session = await deps.people.session(id);
  return session && id ? { id, session } : null;
}

/**
 * The session of a form post, which must carry that session's CSRF token (ASVS V3.5.1): null when
 * not signed in; ForbiddenError, and nothing done, when the token is missing or wrong.
 */
export async function sessionForPost(deps: PortalSessionDeps, req: Request): Promise<PortalContext | null> {
  const ctx = await currentSession(deps, req);
  if (ctx && !sameSecret(formField(req, 'csrf'), ctx.session.csrfToken)) {
    throw new ForbiddenError('This form is out of date or did not come from the portal. Nothing was done; go back to the portal and try again.');
  }
  return ctx;
}

/**
 * To the sign-in page, coming back to `returnTo` (one of our paths; see return-to.ts) afterwards.
 * A request that still carries a session cookie had a session that has ended: the page then says
 * "Your session has expired".
 */
export function toSignIn(deps: Pick<PortalSessionDeps, 'secureCookies'>, req: Request, res: Response, returnTo: string): void {
  res.redirect(303, signInUrl(returnTo, readCookie(req, SESSION_COOKIE, deps.secureCookies) !== undefined));
}

/** The signed-in person, re-checked; null when not signed in, or when their session has just ended (its cookie cleared). */
export async function signedInPerson(deps: PortalSessionDeps, req: Request, res: Response): Promise<SignedInPerson | null> {
  const ctx = await currentSession(deps, req);
  return ctx ? recheck(deps, ctx, res) : null;
}

/** As signedInPerson, for a form post: its CSRF token is checked first (sessionForPost). */
export async function signedInPersonForPost(deps: PortalSessionDeps, req: Request, res: Response): Promise<SignedInPerson | null> {
  const ctx = await sessionForPost(deps, req);
  return ctx ? recheck(deps, ctx, res) : null;
}

async function recheck(deps: PortalSessionDeps, ctx: PortalContext, res: Response): Promise<SignedInPerson | null> {
  const check = await deps.people.recheck(ctx.id, ctx.session);
  if (check.status === 'signed-in') return check.person;
  if (check.status === 'ended') clearCookie(res, SESSION_COOKIE, deps.secureCookies);
  return null;
}
