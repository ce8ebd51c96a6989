// SP-initiated SSO at /saml/sso (SAML Profiles §4.1; SAML2Int IDP02–IDP08), over HTTP-Redirect
// (GET) and HTTP-POST. The AuthnRequest is decoded with bounded inflation (bindings.ts) and
// accepted only through receive.ts: the Issuer must be a registered app, a signature must verify
// with that app's own certificates (always, when present) and is required when its metadata says
// AuthnRequestsSigned; the ACS comes from the metadata exactly. Then:
// - its ID goes into the replay cache every node shares (a second use is refused on any node);
// - it is kept in the ephemeral store under a random key, bound to this browser by a cookie, and
//   the browser is sent to /saml/sso/continue?k=… (our URL, never one the SP controls). Coming
//   back through a GET also means the portal's SameSite=Lax cookie is sent after an HTTP-POST
//   request from another site;
// - /saml/sso/continue answers once there is a sign-in (newer than the request with ForceAuthn);
//   with IsPassive and no usable sign-in it answers NoPassive and shows no page.
// Hostile or broken input gets a plain 400 page saying why, and nothing is sent to any SP; each
// refusal, a replay included, is logged at warn level and audited (refusals.ts).
import express, { Router, type Request, type Response } from 'express';
import { randomBytes } from 'node:crypto';
import type { PendingAuthnRequest } from '../../access/app-sso-requests.ts';
import { PENDING_REQUEST_TTL_SECONDS } from '../../access/app-sso-requests.ts';
import {
  STATUS_INVALID_NAMEID_POLICY, STATUS_NO_PASSIVE, STATUS_REQUESTER, STATUS_RESPONDER,
} from '../../idp/saml/response.ts';
import { decodePostBinding, decodeRedirectBinding, type InboundMessage } from '../../idp/saml/inbound/bindings.ts';
import { acceptAuthnRequest, type SsoApplication } from '../../idp/saml/inbound/receive.ts';
import { idpSsoUrl } from '../../idp/saml/metadata.ts';
import { ForbiddenError, ValidationError } from '../../model/errors.ts';
import type { Application } from '../../model/types.ts';
import { signInPage } from '../../views/sign-in.ts';
import { clearCookie, LOGIN_CSRF_COOKIE, readCookie, SESSION_COOKIE, setCookie } from '../portal/cookies.ts';
import { portalErrorHandler } from '../portal/errors.ts';
import { nonceOf, pageSecurity } from '../portal/page-security.ts';
import { currentSession } from '../http/portal-session.ts';
import type { Services } from '../services.ts';
import { SAML_CLOCK_SKEW_SECONDS } from './app-sso-context.ts';
import { deliverAssertion, deliverStatus } from './deliver-response.ts';
import { recordRefusal } from './refusals.ts';

export const SSO_PATH = '/saml/sso';
export const SSO_CONTINUE_PATH = '/saml/sso/continue';
/** Binds a pending request to the browser that brought it. */
export const SSO_BROWSER_COOKIE = 'gh_sso';

/** Largest HTTP-POST form body read (bindings.ts bounds the message inside it again). */
const MAX_FORM_BODY = '600kb';

type KnownApplication = SsoApplication & { app: Application };

export function ssoRouter(services: Services): Router {
  const router = Router();
  const secure = services.config.baseUrl.startsWith('https://');
  const context = services.appSso;
  const rawForm = express.text({ type: 'application/x-www-form-urlencoded', limit: MAX_FORM_BODY });

  const findApplication = async (entityId: string): Promise<KnownApplication | undefined> => {
    const app = await services.sql.applications.getByEntityId(entityId);
    if (!app) return undefined;
    return { entityId: app.entityId, signingCerts: app.signingCertificates, authnRequestsSigned: app.authnRequestsSigned, acs: app.acs, app };
  };

  const receive = async (req: Request, res: Response, decode: () => InboundMessage) => {
    let message: InboundMessage | undefined;
    let accepted;
    try {
      message = decode();
      accepted = await acceptAuthnRequest(message, {
        findApplication,
        expectedDestination: idpSsoUrl(services.config.baseUrl),
        clockSkewSeconds: SAML_CLOCK_SKEW_SECONDS,
      });
      await context.requests.markSeen('AuthnRequest', accepted.application.entityId, accepted.request.id);
    } catch (e) {
      await recordRefusal(services.audit, req, 'AuthnRequest', e, {
        ...(message ? { message } : {}),
        ...(accepted ? { samlRequestId: accepted.request.id, applicationId: accepted.application.app.id } : {}),
      });
      throw e;
    }
    const { request, application, acs } = accepted;
    const { key, browserSecret } = await context.requests.keep(
      {
        applicationId: application.app.id,
        entityId: application.entityId,
        requestId: request.id,
        acsUrl: acs.url,
        ...(accepted.relayState !== undefined ? { relayState: accepted.relayState } : {}),
        forceAuthn: request.forceAuthn,
        isPassive: request.isPassive,
        ...(request.nameIdPolicy?.format !== undefined ? { requestedNameIdFormat: request.nameIdPolicy.format } : {}),
        receivedAt: Date.now(),
      },
      readCookie(req, SSO_BROWSER_COOKIE, secure),
    );
    setCookie(res, SSO_BROWSER_COOKIE, browserSecret, { secure, maxAgeSeconds: PENDING_REQUEST_TTL_SECONDS });
    res.redirect(303, `${SSO_CONTINUE_PATH}?k=${key}`);
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
    const pending = await context.requests.find(key, readCookie(req, SSO_BROWSER_COOKIE, secure));
    if (!pending) {
      throw new ValidationError('This sign-in request has expired, was already answered, or was started in another browser. Go back to the application and sign in again.');
    }
    const app = await services.sql.applications.get(pending.applicationId);
    if (!app || app.entityId !== pending.entityId) throw new ValidationError('The application that asked for this sign-in no longer exists.');
    const delivery = { acsUrl: pending.acsUrl, inResponseTo: pending.requestId, relayState: pending.relayState ?? null };

    const ctx = await currentSession(services, req);
    // ForceAuthn (SAML2Int IDP07): only a sign-in made after the request arrived counts.
    const signedInFreshly = ctx !== null && (!pending.forceAuthn || Date.parse(ctx.session.authnInstant) >= pending.receivedAt);
    if (!signedInFreshly) {
      if (pending.isPassive) {
        if (!(await context.requests.consume(key))) throw alreadyAnswered();
        return deliverStatus(services, res, app, { ...delivery, status: STATUS_RESPONDER, subStatus: STATUS_NO_PASSIVE, message: 'The user is not signed in' });
      }
      return showSignIn(res, secure, `${SSO_CONTINUE_PATH}?k=${key}`);
    }

    const source = services.identitySourceFor(ctx.session.source);
    const user = await source.getUser(ctx.session.userId);
    if (!user || !user.enabled) {
      await services.portalSessions.destroy(ctx.id);
      clearCookie(res, SESSION_COOKIE, secure);
      if (pending.isPassive) {
        if (!(await context.requests.consume(key))) throw alreadyAnswered();
        return deliverStatus(services, res, app, { ...delivery, status: STATUS_RESPONDER, subStatus: STATUS_NO_PASSIVE, message: 'The user is not signed in' });
      }
      return showSignIn(res, secure, `${SSO_CONTINUE_PATH}?k=${key}`);
    }

    const decision = await context.decisions.decide(app, user, await source.groupsOf(user), optionalFormat(pending));
    if (!decision.ok) {
      if (decision.refusal.code === 'nameid-policy') {
        if (!(await context.requests.consume(key))) throw alreadyAnswered();
        return deliverStatus(services, res, app, { ...delivery, status: STATUS_REQUESTER, subStatus: STATUS_INVALID_NAMEID_POLICY, message: decision.refusal.message });
      }
      await context.requests.consume(key);
      await services.audit.append({ actor: user.id, action: 'federation.application.refused', target: `application/${app.id}`, detail: { reason: decision.refusal.code, initiatedBy: 'sp' } });
      throw new ForbiddenError(decision.refusal.message);
    }
    if (!(await context.requests.consume(key))) throw alreadyAnswered();
    await deliverAssertion(services, res, ctx, app, user, decision.grant, delivery);
  });

  router.use([SSO_PATH, SSO_CONTINUE_PATH], portalErrorHandler);
  return router;
}

/** The query string exactly as received (the Redirect-binding signature covers these octets). */
export function rawQueryOf(req: Request): string {
  const url = req.originalUrl;
  const q = url.indexOf('?');
  return q === -1 ? '' : url.slice(q + 1);
}

function optionalFormat(pending: PendingAuthnRequest): { requestedNameIdFormat?: string } {
  return pending.requestedNameIdFormat !== undefined ? { requestedNameIdFormat: pending.requestedNameIdFormat } : {};
}

function alreadyAnswered(): ValidationError {
  return new ValidationError('This sign-in request was already answered. Go back to the application and sign in again.');
}

/** The portal's sign-in form, returning here afterwards (the portal's /start/login does the sign-in). */
function showSignIn(res: Response, secure: boolean, returnTo: string): void {
  const csrfToken = randomBytes(24).toString('base64url');
  setCookie(res, LOGIN_CSRF_COOKIE, csrfToken, { secure, maxAgeSeconds: 3600 });
  res.status(200).type('html').send(signInPage({ nonce: nonceOf(res), csrfToken, returnTo }));
}
