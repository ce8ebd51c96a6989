// The portal's "Access keys" dialog (docs/aws-cli.md; docs/admin-api.md). Credentials are
// fetched only by a POST carrying the portal session's CSRF token (ASVS V3.5.1): a link or an
// image can never make a browser mint credentials. The same use case as GetRoleCredentials
// serves it (access/role-credentials.ts): the user re-read, the entitlement checked now, then
// the cache or STS.
import express, { Router } from 'express';
import type { AccountService } from '../../access/accounts.ts';
import { NO_ACCESS, type RoleCredentialService } from '../../access/role-credentials.ts';
import { StsUnavailableError } from '../../idp/sts/sts-errors.ts';
import { isDomainError } from '../../model/errors.ts';
import { credentialsPage } from '../../views/credentials.ts';
import { nonceOf, pageSecurity } from '../http/page-security.ts';
import { sessionForPost, type PortalSessionDeps } from '../http/portal-session.ts';
import { portalErrorHandler } from './errors.ts';
import { answerOtherMethodsWith405 } from '../http/method-not-allowed.ts';

export const CREDENTIALS_PATH = '/start/credentials';

export interface PortalCredentialsRouterDeps extends PortalSessionDeps {
  /** For the dialog's worked AWS CLI profile: the start URL and the SSO region. */
  baseUrl: string;
  ssoRegion: string;
  roleCredentials: Pick<RoleCredentialService, 'credentials'>;
  accounts: Pick<AccountService, 'get'>;
}

export function portalCredentialsRouter(services: PortalCredentialsRouterDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 });
  const field = (body: unknown, name: string) => {
    const v = (body as Record<string, unknown> | undefined)?.[name];
    return typeof v === 'string' ? v : '';
  };

  router.post(CREDENTIALS_PATH, pageSecurity, form, async (req, res) => {
    const ctx = await sessionForPost(services, req);
    if (!ctx) return res.redirect(303, '/start');
    const accountId = field(req.body, 'accountId');
    const roleName = field(req.body, 'permissionSet');
    const page = {
      nonce: nonceOf(res),
      userName: ctx.session.userName,
      csrfToken: ctx.session.csrfToken,
      roleName,
      startUrl: `${services.baseUrl}/start`,
      region: services.ssoRegion,
    };
    try {
      const issued = await services.roleCredentials.credentials(
        {
          userId: ctx.session.userId,
          source: ctx.session.source,
          via: 'portal',
          session: async () => ({ authnInstant: ctx.session.authnInstant, sessionIndex: ctx.session.sessionIndex }),
          requestId: req.id,
        },
        accountId,
        roleName,
      );
      const account = await services.accounts.get(issued.accountId);
      res.type('html').send(credentialsPage({ ...page, account, credentials: issued.credentials }));
    } catch (e) {
      // A refusal (no access, STS said no), throttling or an unreachable STS is shown in the
      // dialog itself with what to do; anything else goes to the portal's error page.
      if (!isDomainError(e) || !(e.kind === 'forbidden' || e.kind === 'throttled' || e instanceof StsUnavailableError)) throw e;
      req.log?.warn({ err: { name: e.name, message: e.message } }, 'access keys not issued');
      const status = e.kind === 'forbidden' ? 403 : e.kind === 'throttled' ? 429 : 503;
      const message = e.message === NO_ACCESS ? 'You are not assigned that role on that account.' : e.message;
      res.status(status).type('html').send(credentialsPage({ ...page, account: { accountId, name: '' }, error: message }));
    }
  });

  router.use(CREDENTIALS_PATH, portalErrorHandler);
  return answerOtherMethodsWith405(router);
}
