// AWS rest-json errors for the SSO portal API (docs/aws-cli.md, "How clients read error
// codes"): the code goes both in the `x-amzn-ErrorType` header and in the body's `__type`, with
// `message` beside it, so botocore and the JS SDK v3 read it whichever they look at first.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StsRefusedError, StsThrottledError, StsUnavailableError } from '../../../idp/sts/sts-errors.ts';
import { RoleRefusedError, SESSION_INVALID } from '../../../access/role-credentials.ts';
import { isDomainError, type DomainError } from '../../../model/errors.ts';
import { requestLoggerOf } from '../../request-log.ts';

const SHAPES: Record<DomainError['kind'], { status: number; type: string }> = {
  validation: { status: 400, type: 'InvalidRequestException' },
  unauthenticated: { status: 401, type: 'UnauthorizedException' },
  // Not in the published model, but what AWS answers for a role the caller cannot use
  // ("ForbiddenException ... GetRoleCredentials operation: No access"); clients surface the code.
  forbidden: { status: 403, type: 'ForbiddenException' },
  'not-found': { status: 404, type: 'ResourceNotFoundException' },
  conflict: { status: 409, type: 'ConflictException' },
  throttled: { status: 429, type: 'TooManyRequestsException' },
  // 503 is retried by the SDKs' standard retry strategy; the caller is denied either way.
  unavailable: { status: 503, type: 'ServiceUnavailableException' },
};

/** The one mapping of errors to AWS error answers on this surface; logs what an operator must see. */
export function sendPortalApiError(error: unknown, req: IncomingMessage, res: ServerResponse, requestId: string): void {
  if (res.headersSent) {
    requestLoggerOf(req).error({ err: error }, 'portal API error after the answer began');
    res.destroy();
    return;
  }
  if (!isDomainError(error)) {
    requestLoggerOf(req).error({ err: error }, 'portal API error');
    sendAwsError(res, requestId, 500, 'InternalServerException', 'An unexpected error occurred; nothing was issued');
    return;
  }
  const shape = SHAPES[error.kind];
  let message = error.message;
  if (error.kind === 'unauthenticated') message = SESSION_INVALID;
  if (error.kind === 'unavailable' && !(error instanceof StsUnavailableError)) {
    message = 'Gatehouse cannot reach a service it depends on right now; nothing was issued. Try again in a moment.';
  }
  if (error instanceof StsRefusedError || error instanceof StsThrottledError || error instanceof StsUnavailableError) {
    requestLoggerOf(req).warn({ err: { name: error.name, message: error.message, code: (error as { code?: string }).code } }, 'STS AssumeRoleWithSAML failed');
  } else if (error.kind === 'unavailable') {
    requestLoggerOf(req).warn({ err: error }, 'portal API dependency unavailable');
  } else if (error instanceof RoleRefusedError) {
    // A refused security decision: what was asked, by whom, and why (access/role-credentials.ts).
    requestLoggerOf(req).warn({ userId: error.userId, accountId: error.accountId, roleName: error.roleName, reason: error.reason }, 'GetRoleCredentials refused');
  }
  if (error.kind === 'throttled' || error.kind === 'unavailable') res.setHeader('Retry-After', '5');
  sendAwsError(res, requestId, shape.status, shape.type, message);
}

function sendAwsError(res: ServerResponse, requestId: string, status: number, type: string, message: string): void {
  res.statusCode = status;
  res.setHeader('x-amzn-ErrorType', type);
  res.setHeader('x-amzn-RequestId', requestId);
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ __type: type, message }));
}
