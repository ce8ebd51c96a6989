// SAML HTTP bindings. The IdP metadata lives at /saml/metadata, which is also our entity id.
import { Router } from 'express';
import { buildIdpMetadata } from '../../idp/saml/metadata.ts';
import type { Services } from '../services.ts';
import { sloRouter } from './slo.ts';
import { ssoRouter } from './sso.ts';

export function samlRouter(services: Services): Router {
  const router = Router();
  // Built once: the key and URL do not change while the process runs.
  const metadata = buildIdpMetadata({ baseUrl: services.config.baseUrl, signingCertificates: [services.signingKey.certificateDer] });
  router.get('/saml/metadata', (_req, res) => {
    res.type('application/samlmetadata+xml').setHeader('Cache-Control', 'public, max-age=3600');
    res.send(metadata);
  });
  // SP-initiated SSO and Single Logout with custom applications (issue 6).
  router.use(ssoRouter(services));
  router.use(sloRouter(services));
  return router;
}
