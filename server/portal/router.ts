// The access portal at /start: sign in, the accounts list, federation into an account, sign out.
import type { Clock } from '../../model/clock.ts';
import express, { Router, type Response } from 'express';
import type { ConsoleAccess } from '../../access/admin/console-access.ts';
import type { AccountSignIn } from '../../access/aws/account-sign-in.ts';
import type { EntitlementService } from '../../access/entitlements.ts';
import type { PortalSessionService } from '../../access/portal-sessions.ts';
import type { PortalSignOut } from '../../access/sessions/sign-out.ts';
import type { PortalPreferences } from '../../access/portal-preferences.ts';
import { SIGN_IN_FAILED, throttledMessage, type SignInService } from '../../access/sign-in.ts';
import { isDomainError, ThrottledError } from '../../model/errors.ts';
import { accountsPage } from '../../views/accounts.ts';
import { renderStep } from '../http/browser-step.ts';
import { clearCookie, LOGIN_CSRF_COOKIE, readCookie, SESSION_COOKIE } from '../http/cookies.ts';
import { nonceOf, pageSecurity } from '../http/page-security.ts';
import { formField, sameSecret, sessionForPost, signedInPerson, toSignIn, type PortalSessionDeps } from '../http/portal-session.ts';
import { HOME, safeReturnTo } from '../http/return-to.ts';
import { consoleUrl, startedHere } from './links.ts';
import { signedOutPage } from '../../views/single-logout.ts';
import { consoleConfirmPage } from '../../views/console-link.ts';
import { showSignIn as signInForm, type SignInPageOptions } from '../http/sign-in-page.ts';
import { portalErrorHandler } from './errors.ts';
import { secondFactorRouter, toSecondFactor } from './second-factor.ts';
import { giveSession } from './session-cookie.ts';
import { answerOtherMethodsWith405 } from '../http/method-not-allowed.ts';

export const SIGNED_OUT_PATH = '/start/signed-out';
export const EXPIRED_NOTICE = 'Your session has expired. Sign in again to continue.';

const field = formField;

export interface PortalRouterDeps extends PortalSessionDeps {
  signIn: Pick<SignInService, 'begin' | 'secondFactor' | 'completeWithCode' | 'completeWithRegistration' | 'passkeyCeremony' | 'completeWithPasskey' | 'completeWithPasskeyRegistration'>;
  /** To end the browser's previous session at a new sign-in. */
  portalSessions: Pick<PortalSessionService, 'destroy'>;
  entitlements: Pick<EntitlementService, 'forUser'>;
  accountSignIn: Pick<AccountSignIn, 'signIn'>;
  signOut: Pick<PortalSignOut, 'signOut'>;
  preferences: Pick<PortalPreferences, 'of' | 'setFavourite'>;
  /** Reads the time for the session cookie's Max-Age (model/clock.ts). */
  clock: Clock;
  /** Whether to link the admin console: only for people holding an admin role now. */
  consoleAccess: Pick<ConsoleAccess, 'actorOf'>;
}

export function portalRouter(services: PortalRouterDeps): Router {
  const router = Router();
  const secure = services.secureCookies;
  router.use(pageSecurity);
  router.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 20 }));

  const showSignIn = (res: Response, status: number, o: SignInPageOptions = {}) => signInForm(res, secure, status, o);

  router.get('/start', async (req, res) => {
    const person = await signedInPerson(services, req, res);
    if (!person) {
      return showSignIn(res, 200, {
        returnTo: typeof req.query.returnTo === 'string' && safeReturnTo(req.query.returnTo) !== HOME ? safeReturnTo(req.query.returnTo) : undefined,
        notice: req.query.expired === '1' ? EXPIRED_NOTICE : undefined,
      });
    }
    const [accounts, preferences] = await Promise.all([person.groups().then((groups) => services.entitlements.forUser(person.user, groups)), services.preferences.of(person.user.id)]);
    res.type('html').send(
      accountsPage({
        nonce: nonceOf(res),
        userName: person.session.userName,
        csrfToken: person.session.csrfToken,
        accounts,
        query: typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '',
        adminConsole: (await services.consoleAccess.actorOf(person.user)) !== null,
        ...preferences,
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
      const step = await services.signIn.begin(userName, field(req, 'password'), req.ip ?? 'unknown', returnTo);
      if (step.kind === 'second-factor') return toSecondFactor(res, secure, step.pendingId);
      await giveSession(services, req, res, step);
      clearCookie(res, LOGIN_CSRF_COOKIE, secure);
      res.redirect(303, returnTo);
    } catch (e) {
      if (isDomainError(e) && (e.kind === 'unauthenticated' || e.kind === 'throttled')) {
        // RFC 6585 §4: a 429 may say how long to wait.
        if (e instanceof ThrottledError && e.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(Math.ceil(e.retryAfterSeconds)));
        const throttled = e instanceof ThrottledError;
        return showSignIn(res, throttled ? 429 : 401, { error: throttled ? throttledMessage(e.retryAfterSeconds) : SIGN_IN_FAILED, userName: userName.slice(0, 256), returnTo });
      }
      throw e;
    }
  });

  router.use(secondFactorRouter(services));

  router.post('/start/federate', async (req, res) => {
    const [accountId, roleName, destination] = [field(req, 'accountId'), field(req, 'permissionSet'), field(req, 'destination')].map((v) => v.slice(0, 2048)) as [string, string, string];
    const ctx = await sessionForPost(services, req);
    // After signing in again, the shareable link of the same role signs in to it.
    if (!ctx) return toSignIn(services, req, res, consoleUrl(accountId, roleName, destination));
    // The use case re-reads the user and their entitlements itself (access/aws-federation.ts).
    renderStep(res, await services.accountSignIn.signIn(ctx.session, accountId, roleName, destination));
  });

  // What a shareable console link (/start/#/console?account_id=…&role_name=…&destination=…, docs/portal.md)
  // becomes once the page script has read it: signed out, sign in first and come back here; a
  // navigation that started on this origin federates at once; one from another site asks for a click.
  router.get('/start/console', async (req, res) => {
    const q = (name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string).slice(0, 2048) : '');
    const [accountId, roleName, destination] = [q('account_id'), q('role_name'), q('destination')];
    const ctx = await signedInPerson(services, req, res);
    if (!ctx) return toSignIn(services, req, res, consoleUrl(accountId, roleName, destination));
    if (!startedHere(req)) {
      return res.type('html').send(consoleConfirmPage({ nonce: nonceOf(res), userName: ctx.session.userName, csrfToken: ctx.session.csrfToken, accountId, roleName, destination }));
    }
    renderStep(res, await services.accountSignIn.signIn(ctx.session, accountId, roleName, destination));
  });

  router.post('/start/favourites', async (req, res) => {
    const ctx = await sessionForPost(services, req);
    if (!ctx) return toSignIn(services, req, res, '/start');
    await services.preferences.setFavourite(ctx.session.userId, field(req, 'accountId'), field(req, 'favourite') === '1');
    res.redirect(303, '/start');
  });

  router.get(SIGNED_OUT_PATH, (_req, res) => {
    res.type('html').send(signedOutPage({ nonce: nonceOf(res), hops: [] }));
  });

  router.post('/start/logout', async (req, res) => {
    const ctx = await sessionForPost(services, req);
    // Then front-channel Single Logout of the SAML apps used in the session (access/app-sso/single-logout.ts).
    const next = ctx ? await services.signOut.signOut(ctx.id, ctx.session.userId) : null;
    clearCookie(res, SESSION_COOKIE, secure);
    res.redirect(303, next ?? SIGNED_OUT_PATH);
  });

  router.use(portalErrorHandler);
  return answerOtherMethodsWith405(router);
}
