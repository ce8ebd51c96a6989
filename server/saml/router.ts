// SAML HTTP bindings. The IdP metadata lives at /saml/metadata, which is also our entity id.
import { Router } from 'express';
import { publishedKeys, type SigningKeyring } from '../../access/signing-keys/keyring.ts';
import { buildIdpMetadata } from '../../idp/saml/metadata.ts';
import { sloRouter, type SloRouterDeps } from './slo.ts';
import { ssoRouter, type SsoRouterDeps } from './sso.ts';

export interface SamlRouterDeps extends SsoRouterDeps, SloRouterDeps {
  baseUrl: string;
  signingKeyring: Pick<SigningKeyring, 'fresh'>;
}

export function samlRouter(deps: SamlRouterDeps): Router {
  const router = Router();
  // Built again only when the key set changes: current, next and previous certificates, so a
  // relying party that re-reads it before a promotion trusts the next key in time.
  let built: { version: string; xml: string } | null = null;
  router.get('/saml/metadata', async (_req, res) => {
    const keys = await deps.signingKeyring.fresh();
    if (built?.version !== keys.version) {
      const signingCertificates = publishedKeys(keys).map((k) => k.certificateDer);
      built = { version: keys.version, xml: buildIdpMetadata({ baseUrl: deps.baseUrl, signingCertificates }) };
    }
    // Short enough that a cache between us and a relying party does not hide a staged key for
    // long (docs/operations.md "Signing key rollover").
    res.type('application/samlmetadata+xml').setHeader('Cache-Control', 'public, max-age=300');
    res.send(built.xml);
  });
  // SP-initiated SSO and Single Logout with custom applications (docs/saml-applications.md).
  router.use(ssoRouter(deps));
  router.use(sloRouter(deps));
  return router;
}
