// The portal's Applications tab and IdP-initiated sign-in (access/app-sso/idp-initiated.ts):
// GET /start/applications lists the apps the person is assigned to now; launching one is a POST
// carrying the session's CSRF token (a link or an image can never sign anyone in), answered with
// a Response posted to the app's ACS.
import express, { Router } from 'express';
import type { IdpInitiatedSignIn } from '../../access/app-sso/idp-initiated.ts';
import type { ApplicationService } from '../../access/applications/application-service.ts';
import type { ApplicationIcons } from '../../access/applications/application-icons.ts';
import { applicationsPage } from '../../views/applications.ts';
import { oidcLaunchUrl } from '../../model/oidc.ts';
import { renderStep } from '../http/browser-step.ts';
import { nonceOf, pageSecurity } from '../http/page-security.ts';
import { formField, signedInPerson, signedInPersonForPost, toSignIn, type PortalSessionDeps } from '../http/portal-session.ts';
import { startedHere } from './links.ts';
import { portalErrorHandler } from './errors.ts';
import { answerOtherMethodsWith405 } from '../http/method-not-allowed.ts';

export const APPLICATIONS_PATH = '/start/applications';
export const LAUNCH_PATH = '/start/applications/launch';
const launchUrl = (applicationId: string) => `${LAUNCH_PATH}?application_id=${encodeURIComponent(applicationId)}`;

export interface PortalApplicationsRouterDeps extends PortalSessionDeps {
  applications: Pick<ApplicationService, 'forUser'>;
  idpInitiated: Pick<IdpInitiatedSignIn, 'launch'>;
  icons: Pick<ApplicationIcons, 'get' | 'withIcons'>;
}

export function portalApplicationsRouter(deps: PortalApplicationsRouterDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 });

  router.get(APPLICATIONS_PATH, pageSecurity, async (req, res) => {
    const person = await signedInPerson(deps, req, res);
    if (!person) return toSignIn(deps, req, res, APPLICATIONS_PATH);
    const reached = (await deps.applications.forUser(person.user, await person.groups())).map((r) => ({
      ...r.application,
      launchUrl: r.application.kind === 'oidc' && r.application.oidc ? oidcLaunchUrl(r.application.oidc) : null,
    }));
    const icons = await deps.icons.withIcons(reached.map((a) => a.id));
    res.type('html').send(
      applicationsPage({ nonce: nonceOf(res), userName: person.session.userName, csrfToken: person.session.csrfToken, applications: reached, icons }),
    );
  });

  // An uploaded icon, for signed-in people only. nosniff and a CSP of its own keep the bytes an
  // image whatever they hold (the upload was checked to be PNG, JPEG or WebP).
  router.get(`${APPLICATIONS_PATH}/icons/:id`, async (req, res) => {
    const person = await signedInPerson(deps, req, res);
    const icon = person ? await deps.icons.get(req.params.id) : null;
    if (!icon) return res.status(404).end();
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'");
    res.setHeader('Cache-Control', 'private, max-age=300');
    res.type(icon.contentType).send(icon.bytes);
  });

  router.post(LAUNCH_PATH, pageSecurity, form, async (req, res) => {
    const applicationId = formField(req, 'applicationId').slice(0, 256);
    const person = await signedInPersonForPost(deps, req, res);
    // Signed out meanwhile: after signing in again, the launch goes on (the GET below).
    if (!person) return toSignIn(deps, req, res, launchUrl(applicationId));
    renderStep(res, await deps.idpInitiated.launch(person, applicationId));
  });

  // The launch a sign-in returns to. Only a navigation that started on this origin (the sign-in
  // form's redirect) launches; one from another site gets the Applications tab to click in.
  router.get(LAUNCH_PATH, pageSecurity, async (req, res) => {
    const applicationId = typeof req.query.application_id === 'string' ? req.query.application_id.slice(0, 256) : '';
    const person = await signedInPerson(deps, req, res);
    if (!person) return toSignIn(deps, req, res, launchUrl(applicationId));
    if (!startedHere(req)) return res.redirect(303, APPLICATIONS_PATH);
    renderStep(res, await deps.idpInitiated.launch(person, applicationId));
  });

  router.use([APPLICATIONS_PATH, LAUNCH_PATH], portalErrorHandler);
  return answerOtherMethodsWith405(router);
}
