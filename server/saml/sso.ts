// SP-initiated SSO at /saml/sso (SAML Profiles §4.1; SAML2Int IDP02–IDP08), over HTTP-Redirect
// (GET) and HTTP-POST. The AuthnRequest is decoded with bounded inflation (idp/saml/inbound/bindings.ts)
// and accepted or refused by access/app-sso/sp-initiated.ts. Then:
// - it is kept under a random key, bound to this browser by a cookie, and the browser is sent to
//   /saml/sso/continue?k=… (our URL, never one the SP controls). Coming back through a GET also
//   means the portal's SameSite=Lax cookie is sent after an HTTP-POST request from another site;
// - /saml/sso/continue answers once there is a sign-in (newer than the request with ForceAuthn);
//   with IsPassive and no usable sign-in it answers NoPassive and shows no page.
// Hostile or broken input gets a plain 400 page saying why, and nothing is sent to any SP; each
// refusal, a replay included, is logged at warn level and audited (access/app-sso/refusals.ts).
import express, { Router, type Request, type Response } from 'express';
import { SSO_CONTINUE_PATH } from '../../access/app-sso/paths.ts';
import { PENDING_REQUEST_TTL_SECONDS } from '../../access/app-sso/requests.ts';
import type { SpInitiatedSignIn } from '../../access/app-sso/sp-initiated.ts';
import { decodePostBinding, decodeRedirectBinding, type InboundMessage } from '../../idp/saml/inbound/bindings.ts';
import { ValidationError } from '../../model/errors.ts';
import { renderStep } from '../http/browser-step.ts';
import { readCookie, setCookie } from '../http/cookies.ts';
import { inboundCall } from '../http/inbound-call.ts';
import { pageSecurity } from '../http/page-security.ts';
import { signedInPerson, type PortalSessionDeps } from '../http/portal-session.ts';
import { rawQueryOf } from '../http/raw-query.ts';
import { showSignIn } from '../http/sign-in-page.ts';
import { portalErrorHandler } from '../portal/errors.ts';

export const SSO_PATH = '/saml/sso';
/** Binds a pending request to the browser that brought it. */
export const SSO_BROWSER_COOKIE = 'gh_sso';

/** Largest HTTP-POST form body read (bindings.ts bounds the message inside it again). */
const MAX_FORM_BODY = '600kb';

export interface SsoRouterDeps extends PortalSessionDeps {
  spInitiated: Pick<SpInitiatedSignIn, 'receive' | 'continue'>;
}

export function ssoRouter(deps: SsoRouterDeps): Router {
  const router = Router();
  const secure = deps.secureCookies;
  const rawForm = express.text({ type: 'application/x-www-form-urlencoded', limit: MAX_FORM_BODY });

  const receive = async (req: Request, res: Response, decode: () => InboundMessage) => {
    const received = await deps.spInitiated.receive(inboundCall(req), decode, readCookie(req, SSO_BROWSER_COOKIE, secure));
    setCookie(res, SSO_BROWSER_COOKIE, received.browserSecret, { secure, maxAgeSeconds: PENDING_REQUEST_TTL_SECONDS });
    res.redirect(303, received.continueUrl);
  };

  router.get(SSO_PATH, pageSecurity, async (req, res) => {
    const query = rawQueryOf(req);
    if (query === '') throw new ValidationError('This address is for SAML sign-in requests from applications; no SAMLRequest was given.');
    await receive(req, res, () => decodeRedirectBinding(query, 'SAMLRequest'));
  });

  router.post(SSO_PATH, pageSecurity, rawForm, async (req, res) => {
    const body = typeof req.body === 'string' ? req.body : '';
    await receive(req, res, () => decodePostBinding(body, 'SAMLRequest'));
  });

  router.get(SSO_CONTINUE_PATH, pageSecurity, async (req, res) => {
    const key = typeof req.query.k === 'string' ? req.query.k : '';
    const outcome = await deps.spInitiated.continue(key, readCookie(req, SSO_BROWSER_COOKIE, secure), () => signedInPerson(deps, req, res));
    // The portal's sign-in form, returning here afterwards.
    if (outcome.kind === 'sign-in') return showSignIn(res, secure, 200, { returnTo: outcome.returnTo });
    renderStep(res, outcome);
  });

  router.use([SSO_PATH, SSO_CONTINUE_PATH], portalErrorHandler);
  return router;
}
