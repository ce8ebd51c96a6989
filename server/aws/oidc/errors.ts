// The SSO OIDC API's one error mapping (docs/aws-cli.md "Errors" and §1 "How clients read error
// codes"): every failure becomes `{"error","error_description"}` with the AWS exception name both
// in `__type` and in the `x-amzn-ErrorType` header (botocore reads the header first, JS v3 too;
// each works alone, so we send both). Statuses are the model's: InvalidClientException 401,
// InternalServerException 500, everything else 400.
//
// The description goes in `message` as well: the model's exceptions carry only `error` and
// `error_description`, but the CLI prints `message` ("An error occurred (InvalidGrantException)
// when calling the CreateToken operation: <message>") and the JS SDK makes it Error.message;
// without it a person sees an empty reason, or "UnknownError".
//
// A dependency that does not answer (Redis, SQL, the directory) is InternalServerException with
// 503 and Retry-After: never a success, never a token (docs/security.md: "When a dependency is down"), and the status tells
// load balancers and the SDKs' retry logic that trying again later is right.
import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, Response } from 'express';
import { isOAuthError, type OAuthErrorCode } from '../../../access/sso-oidc/oauth-errors.ts';
import { isDomainError } from '../../../model/errors.ts';

const EXCEPTIONS: Record<OAuthErrorCode | 'server_error', { type: string; status: number }> = {
  authorization_pending: { type: 'AuthorizationPendingException', status: 400 },
  slow_down: { type: 'SlowDownException', status: 400 },
  expired_token: { type: 'ExpiredTokenException', status: 400 },
  access_denied: { type: 'AccessDeniedException', status: 400 },
  invalid_grant: { type: 'InvalidGrantException', status: 400 },
  invalid_request: { type: 'InvalidRequestException', status: 400 },
  invalid_scope: { type: 'InvalidScopeException', status: 400 },
  unauthorized_client: { type: 'UnauthorizedClientException', status: 400 },
  unsupported_grant_type: { type: 'UnsupportedGrantTypeException', status: 400 },
  invalid_client_metadata: { type: 'InvalidClientMetadataException', status: 400 },
  invalid_redirect_uri: { type: 'InvalidRedirectUriException', status: 400 },
  invalid_client: { type: 'InvalidClientException', status: 401 },
  server_error: { type: 'InternalServerException', status: 500 },
};

export function sendOidcError(res: Response, code: OAuthErrorCode | 'server_error', description: string, status?: number): void {
  const { type, status: modelStatus } = EXCEPTIONS[code];
  res
    .status(status ?? modelStatus)
    .setHeader('x-amzn-ErrorType', type)
    .setHeader('x-amzn-RequestId', res.req.id ?? randomUUID())
    .setHeader('Cache-Control', 'no-store')
    .setHeader('Pragma', 'no-cache')
    .json({ __type: type, message: description, error: code, error_description: description });
}

export const oidcErrorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  if (isOAuthError(error)) return sendOidcError(res, error.code, error.message);
  if (isDomainError(error)) {
    switch (error.kind) {
      case 'unavailable':
        req.log?.warn({ err: error }, 'sso-oidc dependency unavailable');
        res.setHeader('Retry-After', '5');
        return sendOidcError(res, 'server_error', 'A service Gatehouse depends on is unavailable; nothing was issued. Try again shortly.', 503);
      case 'throttled':
        return sendOidcError(res, 'slow_down', error.message);
      case 'unauthenticated':
        return sendOidcError(res, 'invalid_client', error.message);
      case 'validation':
        return sendOidcError(res, 'invalid_request', error.message);
      default:
        return sendOidcError(res, 'invalid_request', error.message);
    }
  }
  // body-parser: unreadable JSON, a body over the limit, an unsupported charset.
  const status = (error as { status?: number }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const tooLarge = (error as { type?: string }).type === 'entity.too.large';
    return sendOidcError(res, 'invalid_request', tooLarge ? 'The request body is too large' : 'The request body is not valid JSON');
  }
  req.log?.error({ err: error }, 'sso-oidc error');
  sendOidcError(res, 'server_error', 'An unexpected error occurred; nothing was issued.');
};
