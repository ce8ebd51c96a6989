// Single Logout at /saml/slo and /saml/slo/progress (SAML Profiles §4.4): the HTTP side of
// access/app-sso/single-logout.ts, which says what happens. A LogoutRequest or LogoutResponse
// arrives over HTTP-Redirect (GET, its query string kept exactly as received for the signature)
// or HTTP-POST; the answer is a redirect, a self-posting form, a hop of the logout chain or the
// "signed out" page.
import express, { Router, type Request, type Response } from 'express';
import { SLO_PROGRESS_PATH } from '../../access/app-sso/paths.ts';
import type { LogoutOutcome, SingleLogout } from '../../access/app-sso/single-logout.ts';
import { decodePostBinding, decodeRedirectBinding, type InboundMessage } from '../../idp/saml/inbound/bindings.ts';
import { InboundRejection } from '../../idp/saml/inbound/rejection.ts';
import { logoutHopPage, signedOutPage } from '../../views/single-logout.ts';
import { renderStep } from '../http/browser-step.ts';
import { clearCookie, readCookie, SESSION_COOKIE } from '../http/cookies.ts';
import { inboundCall } from '../http/inbound-call.ts';
import { allowLogoutHop, nonceOf, pageSecurity } from '../http/page-security.ts';
import { rawQueryOf } from '../http/raw-query.ts';
import { portalErrorHandler } from '../portal/errors.ts';

export const SLO_PATH = '/saml/slo';

export interface SloRouterDeps {
  /** Served over https: the portal session cookie is __Host- prefixed (server/http/cookies.ts). */
  secureCookies: boolean;
  singleLogout: Pick<SingleLogout, 'logoutRequest' | 'logoutResponse' | 'progress'>;
}

export function sloRouter(deps: SloRouterDeps): Router {
  const router = Router();
  const secure = deps.secureCookies;
  const rawForm = express.text({ type: 'application/x-www-form-urlencoded', limit: '600kb' });

  const render = (res: Response, outcome: LogoutOutcome) => {
    if (outcome.kind === 'signed-out') {
      res.type('html').send(signedOutPage({ nonce: nonceOf(res), hops: outcome.hops }));
    } else if (outcome.kind === 'hop') {
      allowLogoutHop(res, outcome.carrier.binding === 'post' ? outcome.carrier.action : outcome.carrier.url);
      res.type('html').send(logoutHopPage({ nonce: nonceOf(res), hop: outcome.hop, hops: outcome.hops, carrier: outcome.carrier, skipUrl: outcome.skipUrl, unreachableUrl: outcome.unreachableUrl }));
    } else {
      renderStep(res, outcome);
    }
  };

  const dispatch = async (req: Request, res: Response, parameter: 'SAMLRequest' | 'SAMLResponse', decode: (p: 'SAMLRequest' | 'SAMLResponse') => InboundMessage) => {
    if (parameter === 'SAMLRequest') {
      const { outcome, browserSessionEnded } = await deps.singleLogout.logoutRequest(inboundCall(req), () => decode(parameter), readCookie(req, SESSION_COOKIE, secure));
      if (browserSessionEnded) clearCookie(res, SESSION_COOKIE, secure);
      render(res, outcome);
    } else {
      render(res, await deps.singleLogout.logoutResponse(decode(parameter), req.log));
    }
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
    render(res, await deps.singleLogout.progress(key, req.query.skip === 'unreachable' ? 'unreachable' : req.query.skip === '1'));
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
