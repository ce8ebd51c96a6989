// The SSO OIDC API (service `sso-oidc`, docs/aws-cli.md) at the root of the Gatehouse URL, where the
// AWS CLI and SDKs call it once AWS_ENDPOINT_URL_SSO_OIDC (or `[services]` sso_oidc endpoint_url)
// points at Gatehouse: RegisterClient, StartDeviceAuthorization, CreateToken. GET /authorize (the
// PKCE flow's browser step) is a portal page: server/portal/authorize.ts.
import express, { Router, type Response } from 'express';
import type { SsoOidcService } from '../../../access/sso-oidc/sso-oidc.ts';
import { oidcErrorHandler } from './errors.ts';

// rest-json bodies are small; anything bigger is refused before it is read into memory (a 1 MB
// clientName is InvalidRequestException, and nothing is stored). Parsed whatever the content
// type says: the clients always send JSON.
const jsonBody = express.json({ limit: '32kb', strict: true, type: () => true });

function sendJson(res: Response, body: object): void {
  // RFC 6749 §5.1: token responses must not be cached (Pragma for HTTP/1.0 caches).
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  res.setHeader('x-amzn-RequestId', res.req.id);
  res.status(200).json(body);
}

export interface OidcRouterDeps {
  ssoOidc: Pick<SsoOidcService, 'registerClient' | 'startDeviceAuthorization' | 'createToken'>;
}

export function oidcRouter(services: OidcRouterDeps): Router {
  const router = Router();

  router.post('/client/register', jsonBody, async (req, res) => {
    sendJson(res, await services.ssoOidc.registerClient(req.body, req.ip ?? 'unknown'));
  });

  router.post('/device_authorization', jsonBody, async (req, res) => {
    sendJson(res, await services.ssoOidc.startDeviceAuthorization(req.body));
  });

  router.post('/token', jsonBody, async (req, res) => {
    sendJson(res, await services.ssoOidc.createToken(req.body));
  });

  // Errors of these routes only: the router is mounted at the root, so it must not catch others'.
  router.use(['/client/register', '/device_authorization', '/token'], oidcErrorHandler);
  return router;
}
