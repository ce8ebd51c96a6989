// /oidc: the OpenID Provider (server/oidc/provider.ts) and its interaction step. An authorization
// that needs the person comes to /oidc/interaction/:uid: signed out, it goes to the portal's
// sign-in (and second factor) and comes back here; signed in and assigned, the provider is told
// who signed in and how (amr, acr, auth_time); signed in but not assigned, a page says so.
import { Router, type Request, type Response } from 'express';
import type { OidcAccess } from '../../access/oidc/oidc-access.ts';
import { continuePage, oidcAccessDeniedPage } from '../../views/oidc.ts';
import { nonceOf, pageSecurity } from '../http/page-security.ts';
import { signedInPerson, toSignIn, type PortalSessionDeps } from '../http/portal-session.ts';
import { portalErrorHandler } from '../portal/errors.ts';
import type { OidcProviderHolder } from './provider-holder.ts';
import { INTERACTION_PATH, OIDC_MOUNT } from './provider.ts';

export interface OidcRouterDeps extends PortalSessionDeps {
  providers: Pick<OidcProviderHolder, 'current'>;
  access: Pick<OidcAccess, 'signIn'>;
}

export function oidcProviderRouter(deps: OidcRouterDeps): Router {
  const router = Router();

  router.get(`${INTERACTION_PATH}/:uid`, pageSecurity, async (req: Request, res: Response) => {
    const { provider } = await deps.providers.current();
    const details = await provider.interactionDetails(req, res);
    const person = await signedInPerson(deps, req, res);
    if (!person) return toSignIn(deps, req, res, `${INTERACTION_PATH}/${details.uid}`);
    const clientId = String(details.params.client_id ?? '');
    const decision = await deps.access.signIn(person.session, { user: person.user, groups: await person.groups() }, clientId);
    if (decision.status === 'denied') {
      return res.status(403).type('html').send(
        oidcAccessDeniedPage({ nonce: nonceOf(res), applicationName: decision.applicationName, userName: person.session.userName, csrfToken: person.session.csrfToken }),
      );
    }
    // A page that moves on by itself, not a redirect: when this request follows the sign-in form's
    // post, a redirect chain ending at the app's origin would be a form submission to it, which
    // the sign-in page's CSP (form-action 'self', CSP Level 3 §6.3.1) rightly blocks.
    const next = await provider.interactionResult(req, res, { login: { ...decision.login } }, { mergeWithLastSubmission: false });
    res.type('html').send(continuePage({ nonce: nonceOf(res), url: next }));
  });
  router.use(INTERACTION_PATH, portalErrorHandler);

  router.use(OIDC_MOUNT, async (req, res) => {
    const { callback } = await deps.providers.current();
    await callback(req, res);
  });
  return router;
}
