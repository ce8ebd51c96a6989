// The SSO portal API (service `sso`, docs/aws-cli.md) at the root of Gatehouse's URL,
// as the AWS CLI v2 and the SDKs call it when AWS_ENDPOINT_URL_SSO (or `[services]` sso
// endpoint_url) points here: ListAccounts, ListAccountRoles, GetRoleCredentials and Logout.
//
// Every call carries the bearer token of SSO OIDC CreateToken in `x-amz-sso_bearer_token` (no
// SigV4). The token reaches only its own user's entitlements at the moment of the call
// (access/role-credentials.ts checks the token, its portal session, the user and the
// entitlement at every call, against a snapshot only trusted under the current authorization
// epoch). A dead token is refused before anything else is looked at.
//
// Plain node:http, in front of express (server/http-server.ts explains why): the handler takes
// a request whose path and method are one of the four operations and answers it; any other
// request is left to express.
import type { IncomingMessage, ServerResponse } from 'node:http';
import querystring, { type ParsedUrlQuery } from 'node:querystring';
import type { SsoAccessToken, SsoAccessTokenService } from '../../../access/sso-access-tokens.ts';
import { NO_ACCESS, SESSION_INVALID, type RoleCredentialService } from '../../../access/role-credentials.ts';
import type { SsoLogoutService } from '../../../access/sso-logout.ts';
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../../../model/errors.ts';
import { ACCOUNT_ID } from '../../../model/ids.ts';
import { sendPortalApiError } from './errors.ts';
import { listAccountRolesBody, listAccountsBody } from './list-bodies.ts';

/** Node lower-cases header names; the underscore is AWS's own (§1). */
const BEARER_HEADER = 'x-amz-sso_bearer_token';

/** Answers the request if it is a portal API call (true), or leaves it alone (false). */
export type PortalApiHandler = (req: IncomingMessage, res: ServerResponse, requestId: string) => boolean;

interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  /** The query string as express's 'simple' parser reads it: a repeated name gives an array. */
  query: ParsedUrlQuery;
  /** The bearer token, if the header is there exactly once. */
  token: string | undefined;
}

type Operation = (call: Call) => Promise<void>;

export interface PortalApiDeps {
  ssoAccessTokens: Pick<SsoAccessTokenService, 'resolve'>;
  roleCredentials: Pick<RoleCredentialService, 'accessForToken' | 'credentialsForToken'>;
  /** Logout: ends the CLI sign-in of a bearer token on every node (access/sso-logout.ts). */
  ssoLogout: Pick<SsoLogoutService, 'logout'>;
}

export function portalApiHandler(services: PortalApiDeps): PortalApiHandler {
  const authenticate = async (call: Call): Promise<SsoAccessToken> => {
    const token = await services.ssoAccessTokens.resolve(call.token);
    if (!token) throw new UnauthenticatedError(SESSION_INVALID);
    return token;
  };

  // ListAccounts: GET /assignment/accounts?max_result=&next_token=
  const listAccounts: Operation = async (call) => {
    const { access } = await services.roleCredentials.accessForToken(call.token);
    sendBody(call, listAccountsBody(access, call.query.max_result, call.query.next_token));
  };

  // ListAccountRoles: GET /assignment/roles?account_id=&max_result=&next_token=
  const listAccountRoles: Operation = async (call) => {
    const { access: all } = await services.roleCredentials.accessForToken(call.token);
    const accountId = call.query.account_id;
    if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) {
      throw new ValidationError('account_id is required and must be a 12-digit AWS account id', [{ field: 'account_id', message: 'required' }]);
    }
    const access = all.find((a) => a.account.accountId === accountId);
    // An account the user does not reach now, existing or not, gets the same answer as a role
    // they lack in GetRoleCredentials: nothing to enumerate.
    if (!access) throw new ForbiddenError(NO_ACCESS);
    sendBody(call, listAccountRolesBody(access, call.query.max_result, call.query.next_token));
  };

  // GetRoleCredentials: GET /federation/credentials?account_id=&role_name=
  const getRoleCredentials: Operation = async (call) => {
    const { account_id: accountId, role_name: roleName } = call.query;
    if (typeof accountId !== 'string' || typeof roleName !== 'string') {
      await authenticate(call);
      throw new ValidationError('account_id and role_name are required', [{ field: typeof accountId !== 'string' ? 'account_id' : 'role_name', message: 'required' }]);
    }
    const { credentials } = await services.roleCredentials.credentialsForToken(call.token, accountId, roleName, call.requestId);
    call.res.setHeader('Cache-Control', 'no-store');
    sendJson(call, {
      roleCredentials: {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        sessionToken: credentials.sessionToken,
        // Epoch milliseconds (§1: botocore divides by 1000, the JS SDK does new Date(expiration)).
        expiration: credentials.expiration.getTime(),
      },
    });
  };

  // Logout: POST /logout, no body; 200 with an empty body. The CLI sign-in the token belongs to
  // ends at once on every node, its refresh tokens included, and the user's cached role
  // credentials go with it (access/sso-logout.ts).
  const logout: Operation = async (call) => {
    await services.ssoLogout.logout(call.token);
    call.res.setHeader('x-amzn-RequestId', call.requestId);
    call.res.statusCode = 200;
    call.res.end();
  };

  const routes = new Map<string, { method: 'GET' | 'POST'; operation: Operation }>([
    ['/assignment/accounts', { method: 'GET', operation: listAccounts }],
    ['/assignment/roles', { method: 'GET', operation: listAccountRoles }],
    ['/federation/credentials', { method: 'GET', operation: getRoleCredentials }],
    ['/logout', { method: 'POST', operation: logout }],
  ]);

  return (req, res, requestId) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const route = routes.get(q < 0 ? url : url.slice(0, q));
    // HEAD is answered as GET without the body, as express did for these routes.
    if (!route || (req.method !== route.method && !(route.method === 'GET' && req.method === 'HEAD'))) return false;
    const header = req.headers[BEARER_HEADER];
    const call: Call = { req, res, requestId, query: q < 0 ? {} : querystring.parse(url.slice(q + 1)), token: typeof header === 'string' ? header : undefined };
    route.operation(call).catch((error: unknown) => sendPortalApiError(error, call.req, call.res, call.requestId));
    return true;
  };
}

/** Written directly: these answers are never cached (no ETag or freshness logic wanted). */
function sendJson(call: Call, body: unknown): void {
  sendBody(call, JSON.stringify(body));
}

function sendBody({ res, requestId }: Call, json: string): void {
  res.setHeader('x-amzn-RequestId', requestId);
  res.setHeader('Content-Type', 'application/json');
  res.end(json);
}
