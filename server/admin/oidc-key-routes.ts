// /api/v1/oidc/signing-keys: the OpenID Provider's signing keys (docs/oidc-applications.md
// "Signing keys"). POST …/rotate makes new RS256 and ES256 keys current; the replaced ones stay in
// the JWKS until the next rotation.
import type { Router } from 'express';
import type { OidcSigningKeys } from '../../access/oidc/signing-keys.ts';
import { actorOf } from './auth.ts';

export interface OidcKeyRoutesDeps {
  oidcSigningKeys: Pick<OidcSigningKeys, 'list' | 'rotate'>;
  /** This node's provider takes the new keys at its next request; the others at their next re-read. */
  oidcProviders: { invalidate(): void };
}

export function mountOidcSigningKeys(router: Router, services: OidcKeyRoutesDeps): void {
  router.get('/oidc/signing-keys', async (_req, res) => {
    res.json({ items: await services.oidcSigningKeys.list() });
  });
  router.post('/oidc/signing-keys/rotate', async (_req, res) => {
    const rotated = await services.oidcSigningKeys.rotate(actorOf(res));
    services.oidcProviders.invalidate();
    res.json(rotated);
  });
}
