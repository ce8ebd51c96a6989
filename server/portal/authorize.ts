// GET /authorize: the browser step of the authorization-code flow with PKCE that AWS CLI 2.22+
// uses for `aws sso login` (docs/aws-cli.md "Authorization code + PKCE"). The CLI opens
// /authorize?response_type=code&client_id&redirect_uri=http://127.0.0.1:<port>/oauth/callback
// &state&code_challenge_method=S256&scopes&code_challenge; the person signs in if needed, sees a
// consent page and clicks; the browser is then sent to the CLI's loopback listener with a
// single-use code (or error=access_denied) and the state.
import express, { Router, type Request, type Response } from 'express';
import type { AuthorizationRequest } from '../../access/sso-oidc/authorization-codes.ts';
import { authorizeConsentPage } from '../../views/authorize.ts';
import { messagePage } from '../../views/message.ts';
import type { Services } from '../services.ts';
import { personOf, toSignIn } from './device.ts';
import { portalErrorHandler } from './errors.ts';
import { allowFormTarget, nonceOf, pageSecurity } from './page-security.ts';
import { currentSession, sessionForPost } from '../http/portal-session.ts';

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

/** The loopback redirect with OAuth response parameters appended (RFC 6749 §4.1.2). */
function backToClient(res: Response, redirectUri: string, params: Record<string, string | null>): void {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v);
  // 303: the answer to a form POST is fetched with GET.
  res.redirect(303, url.toString());
}

const field = (req: Request, name: string) => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
};

export function authorizeRouter(services: Services): Router {
  const router = Router();
  router.use('/authorize', pageSecurity, express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 }));

  const errorPage = (res: Response, status: number, title: string, message: string) =>
    res.status(status).type('html').send(messagePage({ nonce: nonceOf(res), title, message }));

  router.get('/authorize', async (req, res) => {
    const check = await services.ssoOidc.codes.check(req.query);
    if (!check.ok) {
      // RFC 6749 §4.1.2.1: an unknown client or an unregistered redirect URI is never redirected to.
      if (check.redirectUri === null) return errorPage(res, 400, 'Cannot continue the sign-in', check.message);
      return backToClient(res, check.redirectUri, { error: check.error, error_description: check.description, state: check.state });
    }
    const person = await personOf(services, await currentSession(services, req));
    if (!person) return toSignIn(res, returnPath(req.query));
    const consentId = await services.ssoOidc.codes.awaitConsent(check.request, person.approval.portalSessionHash);
    // CSP form-action also governs where the form's redirect may go: the client's loopback origin.
    allowFormTarget(res, check.request.redirectUri);
    res.type('html').send(
      authorizeConsentPage({
        nonce: nonceOf(res),
        userName: person.ctx.session.userName,
        csrfToken: person.ctx.session.csrfToken,
        consentId,
        clientName: check.request.clientName,
        redirectUri: check.request.redirectUri,
        scopes: check.request.scopes,
      }),
    );
  });

  const decide = (decision: 'approve' | 'deny') => async (req: Request, res: Response) => {
    const person = await personOf(services, await sessionForPost(services, req));
    if (!person) return toSignIn(res, '/start');
    const request: AuthorizationRequest | null = await services.ssoOidc.codes.takeConsent(field(req, 'consent'), person.approval.portalSessionHash);
    if (!request) {
      return errorPage(res, 400, 'This request has expired', 'This sign-in request is no longer waiting for you: it expired or was already answered. Start the sign-in again from your terminal.');
    }
    await services.audit.append({
      actor: person.approval.userId,
      action: decision === 'approve' ? 'sso-oidc.authorize.approve' : 'sso-oidc.authorize.deny',
      target: `sso-oidc-client/${request.clientId}`,
      detail: { clientName: request.clientName, redirectUri: request.redirectUri },
    });
    if (decision === 'deny') {
      return backToClient(res, request.redirectUri, { error: 'access_denied', error_description: 'The user denied the request', state: request.state });
    }
    const code = await services.ssoOidc.codes.issue(request, person.approval);
    backToClient(res, request.redirectUri, { code, state: request.state });
  };
  router.post('/authorize/approve', decide('approve'));
  router.post('/authorize/deny', decide('deny'));

  router.use('/authorize', portalErrorHandler);
  return router;
}
