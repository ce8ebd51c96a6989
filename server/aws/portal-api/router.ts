// The SSO portal API (service `sso`, aws-identity-center.md §1) at the root of Gatehouse's URL,
// as the AWS CLI v2 and the SDKs call it when AWS_ENDPOINT_URL_SSO (or `[services]` sso
// endpoint_url) points here: ListAccounts, ListAccountRoles, GetRoleCredentials and Logout.
//
// Every call carries the bearer token of SSO OIDC CreateToken in `x-amz-sso_bearer_token` (no
// SigV4). The token reaches only its own user's entitlements at the moment of the call
// (access/role-credentials.ts checks the token, its portal session, the user and the
// entitlement at every call, against a snapshot only trusted under the current authorization
// epoch). A dead token is refused before anything else is looked at.
import { Router, type Request, type Response } from 'express';
import type { SsoAccessToken } from '../../../access/sso-access-tokens.ts';
import { NO_ACCESS, SESSION_INVALID } from '../../../access/role-credentials.ts';
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../../../model/errors.ts';
import { ACCOUNT_ID } from '../../../model/ids.ts';
import type { Services } from '../../services.ts';
import { portalApiErrorHandler } from './errors.ts';
import { page } from './pagination.ts';

/** Express lower-cases header names; the underscore is AWS's own (§1). */
export const BEARER_HEADER = 'x-amz-sso_bearer_token';

export function portalApiRouter(services: Services): Router {
  const router = Router();

  const tokenOf = (req: Request) => {
    const value = req.headers[BEARER_HEADER];
    return typeof value === 'string' ? value : undefined;
  };
  const authenticate = async (req: Request): Promise<SsoAccessToken> => {
    const token = await services.ssoAccessTokens.resolve(tokenOf(req));
    if (!token) throw new UnauthenticatedError(SESSION_INVALID);
    return token;
  };
  // Written directly: these answers are never cached (no ETag or freshness logic wanted).
  const json = (res: Response, body: unknown) => {
    res.setHeader('x-amzn-RequestId', res.req.id);
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(body));
  };

  // ListAccounts: GET /assignment/accounts?max_result=&next_token=
  router.get('/assignment/accounts', async (req, res) => {
    const { access } = await services.roleCredentials.accessForToken(tokenOf(req));
    const { items, nextToken } = page(access, { list: 'accounts', maxResult: req.query.max_result, nextToken: req.query.next_token });
    json(res, {
      accountList: items.map(({ account }) => ({ accountId: account.accountId, accountName: account.name, emailAddress: account.email })),
      ...(nextToken ? { nextToken } : {}),
    });
  });

  // ListAccountRoles: GET /assignment/roles?account_id=&max_result=&next_token=
  router.get('/assignment/roles', async (req, res) => {
    const { access: all } = await services.roleCredentials.accessForToken(tokenOf(req));
    const accountId = req.query.account_id;
    if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) {
      throw new ValidationError('account_id is required and must be a 12-digit AWS account id', [{ field: 'account_id', message: 'required' }]);
    }
    const access = all.find((a) => a.account.accountId === accountId);
    // An account the user does not reach now, existing or not, gets the same answer as a role
    // they lack in GetRoleCredentials: nothing to enumerate.
    if (!access) throw new ForbiddenError(NO_ACCESS);
    const { items, nextToken } = page(access.permissionSets, { list: `roles:${accountId}`, maxResult: req.query.max_result, nextToken: req.query.next_token });
    json(res, {
      roleList: items.map((s) => ({ roleName: s.name, accountId })),
      ...(nextToken ? { nextToken } : {}),
    });
  });

  // GetRoleCredentials: GET /federation/credentials?account_id=&role_name=
  router.get('/federation/credentials', async (req, res) => {
    const { account_id: accountId, role_name: roleName } = req.query;
    if (typeof accountId !== 'string' || typeof roleName !== 'string') {
      await authenticate(req);
      throw new ValidationError('account_id and role_name are required', [{ field: typeof accountId !== 'string' ? 'account_id' : 'role_name', message: 'required' }]);
    }
    const { credentials } = await services.roleCredentials.credentialsForToken(tokenOf(req), accountId, roleName);
    res.setHeader('Cache-Control', 'no-store');
    json(res, {
      roleCredentials: {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        sessionToken: credentials.sessionToken,
        // Epoch milliseconds (§1: botocore divides by 1000, the JS SDK does new Date(expiration)).
        expiration: credentials.expiration.getTime(),
      },
    });
  });

  // Logout: POST /logout, no body; 200 with an empty body. The token is dead at once on every
  // node, and the user's cached role credentials go with it (issue 5 item 5).
  router.post('/logout', async (req, res) => {
    const token = await authenticate(req);
    await services.ssoAccessTokens.revoke(tokenOf(req)!);
    await services.credentialCache.purgeUser(token.userId);
    await services.audit.append({ actor: token.userId, action: 'sso.logout', target: 'sso-api', detail: { clientId: token.clientId } });
    res.set('x-amzn-RequestId', req.id).status(200).end();
  });

  router.use(portalApiErrorHandler);
  return router;
}
