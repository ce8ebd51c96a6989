// The portal's Applications tab and IdP-initiated sign-in (SAML Profiles §4.1.5, unsolicited
// Response): GET /start/applications lists the apps the person is assigned to now; launching one
// is a POST carrying the session's CSRF token (a link or an image can never sign anyone in), which
// re-checks the assignment at that moment (ApplicationService.forUser, the same list the tab shows) and posts a Response to the app's default ACS from its
// metadata, with the app's default RelayState.
import express, { Router } from 'express';
import { defaultAcs } from '../../idp/saml/inbound/acs.ts';
import { ForbiddenError, UnauthenticatedError } from '../../model/errors.ts';
import { applicationsPage } from '../../views/applications.ts';
import { deliverAssertion } from '../saml/deliver-response.ts';
import type { Services } from '../services.ts';
import { clearCookie, SESSION_COOKIE } from './cookies.ts';
import { portalErrorHandler } from './errors.ts';
import { nonceOf, pageSecurity } from './page-security.ts';
import { currentSession, sessionForPost, type PortalContext } from '../http/portal-session.ts';

export const APPLICATIONS_PATH = '/start/applications';
export const LAUNCH_PATH = '/start/applications/launch';

export function portalApplicationsRouter(services: Services): Router {
  const router = Router();
  const secure = services.config.baseUrl.startsWith('https://');
  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 });
  const context = services.appSso;

  /** The session's user re-read from the directory (disabled or removed since sign-in: signed out). */
  const userOf = async (ctx: PortalContext) => {
    const source = services.identitySourceFor(ctx.session.source);
    const user = await source.getUser(ctx.session.userId);
    if (!user || !user.enabled) return null;
    return { user, groups: await source.groupsOf(user) };
  };

  router.get(APPLICATIONS_PATH, pageSecurity, async (req, res) => {
    const ctx = await currentSession(services, req);
    if (!ctx) return res.redirect(303, `/start?returnTo=${encodeURIComponent(APPLICATIONS_PATH)}`);
    const who = await userOf(ctx);
    if (!who) {
      await services.portalSessions.destroy(ctx.id);
      clearCookie(res, SESSION_COOKIE, secure);
      return res.redirect(303, '/start');
    }
    const reached = await services.applications.forUser(who.user, who.groups);
    res.type('html').send(
      applicationsPage({ nonce: nonceOf(res), userName: ctx.session.userName, csrfToken: ctx.session.csrfToken, applications: reached.map((r) => r.application) }),
    );
  });

  router.post(LAUNCH_PATH, pageSecurity, form, async (req, res) => {
    const ctx = await sessionForPost(services, req);
    if (!ctx) return res.redirect(303, '/start');
    const who = await userOf(ctx);
    if (!who) throw new UnauthenticatedError('Your account is no longer active; sign in again');
    const applicationId = typeof (req.body as Record<string, unknown>)?.applicationId === 'string' ? (req.body as Record<string, string>).applicationId! : '';
    const app = /^[\w-]{1,64}$/.test(applicationId) ? await services.sql.applications.get(applicationId) : null;
    if (!app) throw new ForbiddenError('You are not assigned to that application.');
    const decision = await context.decisions.decide(app, who.user, who.groups);
    if (!decision.ok) {
      await services.audit.append({ actor: who.user.id, action: 'federation.application.refused', target: `application/${app.id}`, detail: { reason: decision.refusal.code, initiatedBy: 'idp' } });
      throw new ForbiddenError(decision.refusal.message);
    }
    const acs = defaultAcs(app.acs);
    await deliverAssertion(services, res, ctx, app, who.user, decision.grant, { acsUrl: acs.url, relayState: app.defaultRelayState });
  });

  router.use([APPLICATIONS_PATH, LAUNCH_PATH], portalErrorHandler);
  return router;
}
