// Single Logout at /saml/slo (SAML Profiles §4.4; SAML2Int IDP26/IDP30: signed both ways).
//
// From an application (SP-initiated): a LogoutRequest over HTTP-Redirect or HTTP-POST, accepted
// only through receive.ts (a registered Issuer, a signature made with that app's own keys and
// covering the root; unsigned requests are refused), its ID kept in the shared replay cache. It
// ends the portal session we told that app about, found by the SessionIndex and NameID we issued
// (access/app-sso-sessions.ts), then signs the person out of the session's other apps (below) and
// answers the app with a signed LogoutResponse at its SingleLogoutService. A LogoutRequest refused
// at any step (decoding, parsing, authentication, a replay) is logged at warn level and audited
// (refusals.ts).
//
// From the portal (IdP-initiated, the Sign out button): the portal session ends first, then the
// browser visits each app used in the session that has a SingleLogoutService, carrying a signed
// LogoutRequest (query-string signature on HTTP-Redirect, enveloped on HTTP-POST), and each app
// answers here with a LogoutResponse; the chain's state is in the ephemeral store under a random
// key, our RelayState (access/app-sso-logout.ts). /saml/slo/progress moves it on: an app that never
// answers can be skipped, coming back without an answer moves on, and a deadline ends the chain.
import express, { Router, type Request, type Response } from 'express';
import { nextHop, type LogoutHop, type LogoutOrigin } from '../../access/app-sso-logout.ts';
import { hashSessionId, type PortalSession } from '../../access/portal-sessions.ts';
import { decodePostBinding, decodeRedirectBinding, type InboundMessage } from '../../idp/saml/inbound/bindings.ts';
import { BINDING_HTTP_POST } from '../../idp/saml/inbound/names.ts';
import { acceptLogoutRequest, type InboundApplication } from '../../idp/saml/inbound/receive.ts';
import { InboundRejection } from '../../idp/saml/inbound/rejection.ts';
import {
  claimedLogoutResponseIssuer, logoutRequestMessage, logoutResponseMessage, LOGOUT_REASON_USER, readLogoutResponse,
  signedPostValue, signedRedirectUrl, type OutboundMessage,
} from '../../idp/saml/logout-messages.ts';
import { idpSloUrl } from '../../idp/saml/metadata.ts';
import { STATUS_SUCCESS } from '../../idp/saml/namespaces.ts';
import { ValidationError } from '../../model/errors.ts';
import type { Application } from '../../model/types.ts';
import { logoutHopPage, signedOutPage, type HopCarrier } from '../../views/single-logout.ts';
import { clearCookie, readCookie, SESSION_COOKIE } from '../portal/cookies.ts';
import { portalErrorHandler } from '../portal/errors.ts';
import { allowFormTarget, nonceOf, pageSecurity } from '../portal/page-security.ts';
import type { Services } from '../services.ts';
import { SAML_CLOCK_SKEW_SECONDS } from './app-sso-context.ts';
import { postTo } from './deliver-response.ts';
import { recordRefusal } from './refusals.ts';
import { rawQueryOf } from './sso.ts';

export const SLO_PATH = '/saml/slo';
export const SLO_PROGRESS_PATH = '/saml/slo/progress';

type KnownApplication = InboundApplication & { app: Application };

/**
 * Starts front-channel logout for a portal session that has just ended: the URL to send the
 * browser to, or null when no app used in it (other than `origin`, the app that asked) has a
 * SingleLogoutService.
 */
export async function beginPortalLogout(services: Services, session: PortalSession, origin?: LogoutOrigin): Promise<string | null> {
  const context = services.appSso;
  const hops: Omit<LogoutHop, 'state'>[] = [];
  for (const entityId of session.apps) {
    if (origin && entityId === origin.entityId) continue;
    const app = await services.sql.applications.getByEntityId(entityId);
    if (!app?.slo) continue;
    const issued = await context.sessions.issued(session.sessionIndex, entityId);
    if (!issued) continue;
    hops.push({ applicationId: app.id, entityId, name: app.name, nameId: issued.nameId, nameIdFormat: issued.nameIdFormat, sessionIndex: session.sessionIndex });
  }
  if (hops.length === 0) return null;
  const key = await context.logoutChains.start(hops, { ...(origin ? { origin } : {}), finalUrl: '/start', now: services.clock.now() });
  return `${SLO_PROGRESS_PATH}?k=${key}`;
}

export function sloRouter(services: Services): Router {
  const router = Router();
  const secure = services.config.baseUrl.startsWith('https://');
  const context = services.appSso;
  const rawForm = express.text({ type: 'application/x-www-form-urlencoded', limit: '600kb' });
  const sloUrl = idpSloUrl(services.config.baseUrl);

  const findApplication = async (entityId: string): Promise<KnownApplication | undefined> => {
    const app = await services.sql.applications.getByEntityId(entityId);
    return app ? { entityId: app.entityId, signingCerts: app.signingCertificates, app } : undefined;
  };

  /** A LogoutRequest from an app: end the session it names, log out elsewhere, then answer. */
  const onLogoutRequest = async (req: Request, res: Response, decode: () => InboundMessage) => {
    let message: InboundMessage | undefined;
    let accepted;
    try {
      message = decode();
      accepted = await acceptLogoutRequest(message, { findApplication, expectedDestination: sloUrl, clockSkewSeconds: SAML_CLOCK_SKEW_SECONDS, now: new Date(services.clock.now()) });
      await context.requests.markSeen('LogoutRequest', accepted.application.entityId, accepted.request.id);
    } catch (e) {
      await recordRefusal(services.audit, req, 'LogoutRequest', e, {
        ...(message ? { message } : {}),
        ...(accepted ? { samlRequestId: accepted.request.id, applicationId: accepted.application.app.id } : {}),
      });
      throw e;
    }
    const { request, application } = accepted;
    const { app } = application;

    const found = await context.sessions.findForLogout(app.entityId, request.nameId.value, request.sessionIndexes);
    const ended: PortalSession[] = [];
    for (const issued of found) {
      const session = await context.sessions.endPortalSession(issued);
      if (session) ended.push(session);
      await services.audit.append({ actor: issued.userId, action: 'signout', target: 'portal', detail: { via: 'saml-slo', application: app.id } });
    }
    const cookie = readCookie(req, SESSION_COOKIE, secure);
    if (cookie && found.some((f) => f.sessionHash === hashSessionId(cookie))) clearCookie(res, SESSION_COOKIE, secure);

    const origin: LogoutOrigin = {
      applicationId: app.id,
      entityId: app.entityId,
      inResponseTo: request.id,
      ...(accepted.relayState !== undefined ? { relayState: accepted.relayState } : {}),
    };
    // The session's other apps are signed out first (SAML Profiles §4.4.3.2), then this one answered.
    const others = ended.length > 0 ? await beginPortalLogout(services, ended[0]!, origin) : null;
    if (others) return res.redirect(303, others);
    return answerOrigin(res, origin);
  };

  /** Sends the app that started the logout its signed LogoutResponse, or shows "signed out". */
  const answerOrigin = async (res: Response, origin: LogoutOrigin, hops: LogoutHop[] = []) => {
    const app = await services.sql.applications.get(origin.applicationId);
    if (!app?.slo) {
      res.type('html').send(signedOutPage({ nonce: nonceOf(res), hops }));
      return;
    }
    const message = logoutResponseMessage({
      issuer: services.saml.entityId,
      destination: app.slo.url,
      inResponseTo: origin.inResponseTo,
      status: STATUS_SUCCESS,
      now: new Date(),
    });
    send(res, app, 'SAMLResponse', message, origin.relayState, `Signing out of ${app.name}`);
  };

  const send = (res: Response, app: Application, parameter: 'SAMLRequest' | 'SAMLResponse', message: OutboundMessage, relayState: string | undefined, title: string) => {
    const slo = app.slo!;
    if (slo.binding === BINDING_HTTP_POST) {
      postTo(res, slo.url, { [parameter]: signedPostValue(message, services.saml.key), ...(relayState !== undefined ? { RelayState: relayState } : {}) }, title);
    } else {
      res.redirect(302, signedRedirectUrl(slo.url, parameter, message, relayState, services.saml.key));
    }
  };

  /** A LogoutResponse from an app in our chain: note how it answered, then go on. Never a dead end. */
  const onLogoutResponse = async (req: Request, res: Response, message: InboundMessage) => {
    const key = message.relayState ?? '';
    const chain = await context.logoutChains.get(key);
    if (!chain) {
      res.type('html').send(signedOutPage({ nonce: nonceOf(res), hops: [] }));
      return;
    }
    let entityId: string | undefined;
    try {
      entityId = claimedLogoutResponseIssuer(message);
    } catch (e) {
      req.log?.warn({ err: e }, 'LogoutResponse unreadable');
    }
    const hop = chain.hops.find((h) => h.state === 'sent' && h.entityId === entityId);
    if (hop) {
      try {
        const app = await services.sql.applications.get(hop.applicationId);
        if (!app) throw new ValidationError('application removed');
        const response = readLogoutResponse(message, app.entityId, app.signingCertificates, { expectedDestination: sloUrl, clockSkewSeconds: SAML_CLOCK_SKEW_SECONDS, now: new Date(services.clock.now()) });
        // Signed when the app can sign (SAML2Int IDP30), and answering exactly our request.
        const trusted = (response.signed || app.signingCertificates.length === 0) && response.inResponseTo === hop.requestId;
        hop.state = trusted && response.status === STATUS_SUCCESS ? 'confirmed' : 'failed';
      } catch (e) {
        req.log?.warn({ reason: e instanceof InboundRejection ? e.reason : undefined, message: (e as Error).message }, 'LogoutResponse not accepted');
        hop.state = 'failed';
      }
      await context.logoutChains.save(key, chain);
    }
    res.redirect(303, `${SLO_PROGRESS_PATH}?k=${encodeURIComponent(key)}`);
  };

  const dispatch = async (req: Request, res: Response, parameter: 'SAMLRequest' | 'SAMLResponse', decode: (p: 'SAMLRequest' | 'SAMLResponse') => InboundMessage) => {
    if (parameter === 'SAMLRequest') await onLogoutRequest(req, res, () => decode(parameter));
    else await onLogoutResponse(req, res, decode(parameter));
  };

  router.get(SLO_PATH, pageSecurity, async (req, res) => {
    const query = rawQueryOf(req);
    await dispatch(req, res, parameterOf(new URLSearchParams(query)), (p) => decodeRedirectBinding(query, p));
  });

  router.post(SLO_PATH, pageSecurity, rawForm, async (req, res) => {
    const body = typeof req.body === 'string' ? req.body : '';
    await dispatch(req, res, parameterOf(new URLSearchParams(body)), (p) => decodePostBinding(body, p));
  });

  router.get(SLO_PROGRESS_PATH, pageSecurity, async (req, res) => {
    const key = typeof req.query.k === 'string' ? req.query.k : '';
    const chain = await context.logoutChains.get(key);
    if (!chain) return res.redirect(303, '/start');
    const hop = nextHop(chain, services.clock.now(), req.query.skip === '1');
    if (!hop) {
      await context.logoutChains.finish(key);
      if (chain.origin) return answerOrigin(res, chain.origin, chain.hops);
      return res.redirect(303, chain.finalUrl);
    }
    const app = await services.sql.applications.get(hop.applicationId);
    if (!app?.slo) {
      hop.state = 'skipped';
      await context.logoutChains.save(key, chain);
      return res.redirect(303, `${SLO_PROGRESS_PATH}?k=${key}`);
    }
    const message = logoutRequestMessage({
      issuer: services.saml.entityId,
      destination: app.slo.url,
      nameId: hop.nameId,
      nameIdFormat: hop.nameIdFormat,
      sessionIndex: hop.sessionIndex,
      reason: LOGOUT_REASON_USER,
      now: new Date(),
    });
    hop.state = 'sent';
    hop.requestId = message.id;
    await context.logoutChains.save(key, chain);
    const carrier: HopCarrier = app.slo.binding === BINDING_HTTP_POST
      ? { binding: 'post', action: app.slo.url, fields: { SAMLRequest: signedPostValue(message, services.saml.key), RelayState: key } }
      : { binding: 'redirect', url: signedRedirectUrl(app.slo.url, 'SAMLRequest', message, key, services.saml.key) };
    if (carrier.binding === 'post') allowFormTarget(res, carrier.action);
    res.type('html').send(logoutHopPage({ nonce: nonceOf(res), hop, hops: chain.hops, carrier, skipUrl: `${SLO_PROGRESS_PATH}?k=${key}&skip=1` }));
  });

  router.use(SLO_PATH, portalErrorHandler);
  return router;
}

/** Which message the query string or form carries; refuses both or neither (bindings.ts says why). */
function parameterOf(params: URLSearchParams): 'SAMLRequest' | 'SAMLResponse' {
  const hasRequest = params.has('SAMLRequest');
  const hasResponse = params.has('SAMLResponse');
  if (hasRequest === hasResponse) {
    throw new InboundRejection('bad-parameters', hasRequest
      ? 'Both SAMLRequest and SAMLResponse were sent; a single logout message carries one'
      : 'This address is for SAML logout messages from applications; no SAMLRequest or SAMLResponse was given');
  }
  return hasRequest ? 'SAMLRequest' : 'SAMLResponse';
}

