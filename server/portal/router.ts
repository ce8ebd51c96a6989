// The access portal at /start: sign in, the accounts list, federation into an account, sign out.
import { randomBytes } from 'node:crypto';
import express, { Router, type Response } from 'express';
import { mayAdminister } from '../../access/admin/console-access.ts';
import { SIGN_IN_FAILED } from '../../access/sign-in.ts';
import { isDomainError, ThrottledError } from '../../model/errors.ts';
import { accountsPage } from '../../views/accounts.ts';
import { autoPostPage } from '../../views/auto-post.ts';
import { signInPage } from '../../views/sign-in.ts';
import { beginPortalLogout } from '../saml/slo.ts';
import type { Services } from '../services.ts';
import { clearCookie, LOGIN_CSRF_COOKIE, readCookie, SESSION_COOKIE, setCookie } from './cookies.ts';
import { currentSession, formField, sameSecret, sessionForPost } from '../http/portal-session.ts';
import { portalErrorHandler } from './errors.ts';
import { allowFormTarget, nonceOf, pageSecurity } from './page-security.ts';

/** Only our own portal paths may be returned to after sign-in (no open redirect). */
const safeReturnTo = (value: unknown) => (typeof value === 'string' && /^\/(start|device|authorize|admin|saml\/sso\/continue)(\/[\w\-/]*)?(\?[\w\-=&%.]*)?$/.test(value) ? value : '/start');

const field = formField;

export function portalRouter(services: Services): Router {
  const router = Router();
  const secure = services.config.baseUrl.startsWith('https://');
  router.use(pageSecurity);
  router.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 20 }));

  const showSignIn = (res: Response, status: number, o: { error?: string; userName?: string; returnTo?: string } = {}) => {
    // Double-submit token for the sign-in form, which has no session yet.
    const csrfToken = randomBytes(24).toString('base64url');
    setCookie(res, LOGIN_CSRF_COOKIE, csrfToken, { secure, maxAgeSeconds: 3600 });
    res.status(status).type('html').send(signInPage({ nonce: nonceOf(res), csrfToken, ...o }));
  };

  router.get('/start', async (req, res) => {
    const ctx = await currentSession(services, req);
    if (!ctx) return showSignIn(res, 200, { returnTo: typeof req.query.returnTo === 'string' ? safeReturnTo(req.query.returnTo) : undefined });
    const user = await services.identitySourceFor(ctx.session.source).getUser(ctx.session.userId);
    if (!user || !user.enabled) {
      await services.portalSessions.destroy(ctx.id);
      clearCookie(res, SESSION_COOKIE, secure);
      return showSignIn(res, 200);
    }
    const groups = await services.identitySourceFor(ctx.session.source).groupsOf(user);
    const accounts = await services.entitlements.forUser(user, groups);
    res.type('html').send(
      accountsPage({
        nonce: nonceOf(res),
        userName: ctx.session.userName,
        csrfToken: ctx.session.csrfToken,
        accounts,
        query: typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '',
        adminConsole: mayAdminister(user),
      }),
    );
  });

  router.post('/start/login', async (req, res) => {
    const userName = field(req, 'userName');
    const returnTo = safeReturnTo(field(req, 'returnTo'));
    if (!sameSecret(field(req, 'csrf'), readCookie(req, LOGIN_CSRF_COOKIE, secure))) {
      return showSignIn(res, 403, { error: 'Your sign-in form expired. Please try again.', userName: userName.slice(0, 256) });
    }
    try {
      const { id, session } = await services.signIn.signIn(userName, field(req, 'password'), req.ip ?? 'unknown');
      // A previous session in this browser ends: one person, one session per browser.
      const previous = readCookie(req, SESSION_COOKIE, secure);
      if (previous) await services.portalSessions.destroy(previous);
      setCookie(res, SESSION_COOKIE, id, { secure, maxAgeSeconds: Math.round((Date.parse(session.expiresAt) - Date.now()) / 1000) });
      clearCookie(res, LOGIN_CSRF_COOKIE, secure);
      res.redirect(303, returnTo);
    } catch (e) {
      if (isDomainError(e) && (e.kind === 'unauthenticated' || e.kind === 'throttled')) {
        // RFC 6585 §4: a 429 may say how long to wait.
        if (e instanceof ThrottledError && e.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(Math.ceil(e.retryAfterSeconds)));
        return showSignIn(res, e.kind === 'throttled' ? 429 : 401, { error: SIGN_IN_FAILED, userName: userName.slice(0, 256), returnTo });
      }
      throw e;
    }
  });

  router.post('/start/federate', async (req, res) => {
    const ctx = await sessionForPost(services, req);
    if (!ctx) return res.redirect(303, '/start');
    const signed = await services.awsFederation.signFor(services.identitySourceFor(ctx.session.source), ctx.session, field(req, 'accountId'), field(req, 'permissionSet'));
    await services.audit.append({
      actor: ctx.session.userId,
      action: 'federation.account',
      target: `account/${signed.account.accountId}`,
      detail: { permissionSets: signed.permissionSets.map((s) => s.name) },
    });
    allowFormTarget(res, signed.destination);
    const fields: Record<string, string> = { SAMLResponse: signed.samlResponse };
    if (signed.relayState) fields.RelayState = signed.relayState;
    res.type('html').send(autoPostPage({ nonce: nonceOf(res), action: signed.destination, fields, title: `Signing in to ${signed.account.name}` }));
  });

  router.post('/start/logout', async (req, res) => {
    const ctx = await sessionForPost(services, req);
    let next: string | null = null;
    if (ctx) {
      const ended = await services.portalSessions.destroy(ctx.id);
      await services.audit.append({ actor: ctx.session.userId, action: 'signout', target: 'portal', detail: {} });
      // Then front-channel Single Logout of the SAML apps used in the session (server/saml/slo.ts).
      if (ended) next = await beginPortalLogout(services, ended);
    }
    clearCookie(res, SESSION_COOKIE, secure);
    res.redirect(303, next ?? '/start');
  });

  router.use(portalErrorHandler);
  return router;
}
