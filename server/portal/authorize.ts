// GET /authorize: the browser step of the authorization-code flow with PKCE that AWS CLI 2.22+
// uses for `aws sso login` (docs/aws-cli.md "Authorization code + PKCE"). The CLI opens
// /authorize?response_type=code&client_id&redirect_uri=http://127.0.0.1:<port>/oauth/callback
// &state&code_challenge_method=S256&scopes&code_challenge; the person signs in if needed, sees a
// consent page and clicks; the browser is then sent to the CLI's loopback listener with a
// single-use code (or error=access_denied) and the state.
import express, { Router, type Request, type Response } from 'express';
import type { AuthorizationCodeService } from '../../access/sso-oidc/authorization-codes.ts';
import { approvalBy, clientRedirect, type BrowserApprovals } from '../../access/sso-oidc/browser-approvals.ts';
import { authorizeConsentPage } from '../../views/authorize.ts';
import { messagePage } from '../../views/message.ts';
import { renderStep } from '../http/browser-step.ts';
import { allowFormTarget, nonceOf, pageSecurity } from '../http/page-security.ts';
import { formField, signedInPerson, signedInPersonForPost, toSignIn, type PortalSessionDeps } from '../http/portal-session.ts';
import { portalErrorHandler } from './errors.ts';
import { answerOtherMethodsWith405 } from '../http/method-not-allowed.ts';

const AUTHORIZE_PARAMS = ['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge_method', 'scopes', 'scope', 'code_challenge'];

// Everything but [A-Za-z0-9_.-] percent-encoded, so the return path after sign-in only holds
// characters the portal's safeReturnTo accepts.
const strictEncode = (v: string) => encodeURIComponent(v).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** This request's /authorize URL rebuilt from the parameters we read (nothing else is carried). */
function returnPath(query: Request['query']): string {
  const parts = AUTHORIZE_PARAMS.flatMap((name) => {
    const v = query[name];
    return typeof v === 'string' && v.length <= 1024 ? [`${name}=${strictEncode(v)}`] : [];
  });
  return `/authorize?${parts.join('&')}`;
}

export interface AuthorizeRouterDeps extends PortalSessionDeps {
  codes: Pick<AuthorizationCodeService, 'check' | 'awaitConsent'>;
  approvals: Pick<BrowserApprovals, 'decideAuthorization'>;
}

export function authorizeRouter(services: AuthorizeRouterDeps): Router {
  const router = Router();
  router.use('/authorize', pageSecurity, express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 }));

  const errorPage = (res: Response, status: number, title: string, message: string) =>
    res.status(status).type('html').send(messagePage({ nonce: nonceOf(res), title, message }));

  router.get('/authorize', async (req, res) => {
    const check = await services.codes.check(req.query);
    if (!check.ok) {
      // RFC 6749 §4.1.2.1: an unknown client or an unregistered redirect URI is never redirected to.
      if (check.redirectUri === null) return errorPage(res, 400, 'Cannot continue the sign-in', check.message);
      return renderStep(res, clientRedirect(check.redirectUri, { error: check.error, error_description: check.description, state: check.state }));
    }
    const person = await signedInPerson(services, req, res);
    if (!person) return toSignIn(services, req, res, returnPath(req.query));
    const consentId = await services.codes.awaitConsent(check.request, approvalBy(person).portalSessionHash);
    // CSP form-action also governs where the form's redirect may go: the client's loopback origin.
    allowFormTarget(res, check.request.redirectUri);
    res.type('html').send(
      authorizeConsentPage({
        nonce: nonceOf(res),
        userName: person.session.userName,
        csrfToken: person.session.csrfToken,
        consentId,
        clientName: check.request.clientName,
        redirectUri: check.request.redirectUri,
        scopes: check.request.scopes,
      }),
    );
  });

  const decide = (decision: 'approve' | 'deny') => async (req: Request, res: Response) => {
    const person = await signedInPersonForPost(services, req, res);
    if (!person) return toSignIn(services, req, res, '/start');
    const step = await services.approvals.decideAuthorization(person, formField(req, 'consent'), decision);
    if (!step) {
      return errorPage(res, 400, 'This request has expired', 'This sign-in request is no longer waiting for you: it expired or was already answered. Start the sign-in again from your terminal.');
    }
    renderStep(res, step);
  };
  router.post('/authorize/approve', decide('approve'));
  router.post('/authorize/deny', decide('deny'));

  router.use('/authorize', portalErrorHandler);
  return answerOtherMethodsWith405(router);
}
