// AWS rest-json errors for the SSO portal API (aws-identity-center.md §1, "How clients read error
// codes"): the code goes both in the `x-amzn-ErrorType` header and in the body's `__type`, with
// `message` beside it, so botocore and the JS SDK v3 read it whichever they look at first.
import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, Request, Response } from 'express';
import { StsRefusedError, StsThrottledError, StsUnavailableError } from '../../../idp/sts/sts-errors.ts';
import { SESSION_INVALID } from '../../../access/role-credentials.ts';
import { isDomainError, type DomainError } from '../../../model/errors.ts';

export function sendAwsError(req: Request, res: Response, status: number, type: string, message: string): void {
  res
    .status(status)
    .set('x-amzn-ErrorType', type)
    .set('x-amzn-RequestId', req.id ?? randomUUID())
    .type('application/json')
    .send(JSON.stringify({ __type: type, message }));
}

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

export const portalApiErrorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  if (isDomainError(error)) {
    const shape = SHAPES[error.kind];
    let message = error.message;
    if (error.kind === 'unauthenticated') message = SESSION_INVALID;
    if (error.kind === 'unavailable' && !(error instanceof StsUnavailableError)) {
      message = 'Gatehouse cannot reach a service it depends on right now; nothing was issued. Try again in a moment.';
    }
    if (error instanceof StsRefusedError || error instanceof StsThrottledError || error instanceof StsUnavailableError) {
      req.log?.warn({ err: { name: error.name, message: error.message, code: (error as { code?: string }).code } }, 'STS AssumeRoleWithSAML failed');
    } else if (error.kind === 'unavailable') {
      req.log?.warn({ err: error }, 'portal API dependency unavailable');
    }
    if (error.kind === 'throttled' || error.kind === 'unavailable') res.set('Retry-After', '5');
    sendAwsError(req, res, shape.status, shape.type, message);
    return;
  }
  const status = (error as { status?: number }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    sendAwsError(req, res, 400, 'InvalidRequestException', 'The request could not be read');
    return;
  }
  req.log?.error({ err: error }, 'portal API error');
  sendAwsError(req, res, 500, 'InternalServerException', 'An unexpected error occurred; nothing was issued');
};
