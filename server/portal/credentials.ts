// The portal's "Access keys" page (docs/portal.md; docs/aws-cli.md). The role row's button is a
// form post carrying the session's CSRF token (ASVS V3.5.1), answered 303 with the page's own
// address (RFC 9110 §15.4.4), so a reload or a bookmark shows the page again without resubmitting
// a form. The GET mints credentials only for a navigation that started on this origin, a typed
// address or a bookmark (Fetch Metadata `Sec-Fetch-Site`): a link on another site gets a button to
// click instead. The same use case as GetRoleCredentials serves it (access/role-credentials.ts):
// the user re-read, the entitlement checked now, then the cache or STS.
import express, { Router, type Request } from 'express';
import type { AccountService } from '../../access/accounts.ts';
import { NO_ACCESS, type RoleCredentialService } from '../../access/role-credentials.ts';
import { StsUnavailableError } from '../../idp/sts/sts-errors.ts';
import type { Clock } from '../../model/clock.ts';
import { isDomainError } from '../../model/errors.ts';
import { credentialsPage } from '../../views/credentials.ts';
import { nonceOf, pageSecurity } from '../http/page-security.ts';
import { formField, sessionForPost, signedInPerson, toSignIn, type PortalSessionDeps } from '../http/portal-session.ts';
import { portalErrorHandler } from './errors.ts';
import { startedHere } from './links.ts';
import { answerOtherMethodsWith405 } from '../http/method-not-allowed.ts';

export const CREDENTIALS_PATH = '/start/credentials';

/** The page's address for one account and role (the AWS access portal's parameter names). */
export const credentialsUrl = (accountId: string, roleName: string) =>
  `${CREDENTIALS_PATH}?account_id=${encodeURIComponent(accountId)}&role_name=${encodeURIComponent(roleName)}`;

export interface PortalCredentialsRouterDeps extends PortalSessionDeps {
  /** For the page's `aws configure sso` answers and `~/.aws/config` block. */
  baseUrl: string;
  ssoRegion: string;
  roleCredentials: Pick<RoleCredentialService, 'credentials'>;
  accounts: Pick<AccountService, 'get'>;
  /** For "expires in 59 min" (model/clock.ts). */
  clock: Clock;
}

export function portalCredentialsRouter(services: PortalCredentialsRouterDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 });
  const query = (req: Request, name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string).slice(0, 256) : '');

  router.post(CREDENTIALS_PATH, pageSecurity, form, async (req, res) => {
    const target = credentialsUrl(formField(req, 'accountId').slice(0, 256), formField(req, 'permissionSet').slice(0, 256));
    const ctx = await sessionForPost(services, req);
    if (!ctx) return toSignIn(services, req, res, target);
    res.redirect(303, target);
  });

  router.get(CREDENTIALS_PATH, pageSecurity, async (req, res) => {
    const accountId = query(req, 'account_id');
    const roleName = query(req, 'role_name');
    const person = await signedInPerson(services, req, res);
    if (!person) return toSignIn(services, req, res, credentialsUrl(accountId, roleName));
    const { session } = person;
    const page = {
      nonce: nonceOf(res),
      userName: session.userName,
      csrfToken: session.csrfToken,
      roleName,
      baseUrl: services.baseUrl,
      region: services.ssoRegion,
      now: new Date(services.clock.now()),
    };
    if (!startedHere(req)) {
      return res.type('html').send(credentialsPage({ ...page, account: { accountId, name: '' }, confirm: true }));
    }
    try {
      const issued = await services.roleCredentials.credentials(
        {
          userId: session.userId,
          source: session.source,
          via: 'portal',
          session: async () => ({ authnInstant: session.authnInstant, sessionIndex: session.sessionIndex }),
          requestId: req.id,
        },
        accountId,
        roleName,
      );
      const account = await services.accounts.get(issued.accountId);
      // "expires in" counts from now, after STS answered: a time read before the call would
      // overstate what is left by the call's duration.
      res.type('html').send(credentialsPage({ ...page, now: new Date(services.clock.now()), account, credentials: issued.credentials }));
    } catch (e) {
      // A refusal (no access, STS said no), throttling or an unreachable STS is shown on the page
      // itself with what to do; anything else goes to the portal's error page.
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
