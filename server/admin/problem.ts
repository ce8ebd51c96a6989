// The admin API's one error mapping: domain errors become RFC 9457 problem+json documents.
import type { ErrorRequestHandler } from 'express';
import { isDomainError, ThrottledError, type DomainError } from '../../model/errors.ts';

const STATUS: Record<DomainError['kind'], number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  throttled: 429,
  unavailable: 503,
};

const TITLE: Record<DomainError['kind'], string> = {
  validation: 'Invalid input',
  unauthenticated: 'Authentication required',
  forbidden: 'Forbidden',
  'not-found': 'Not found',
  conflict: 'Conflict',
  throttled: 'Too many requests',
  unavailable: 'Service unavailable',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
}

export function problemFor(error: unknown): Problem {
  if (isDomainError(error)) {
    const problem: Problem = { type: `urn:gatehouse:problem:${error.kind}`, title: TITLE[error.kind], status: STATUS[error.kind], detail: error.message };
    if (error.kind === 'validation' && 'problems' in error) problem.errors = (error as { problems: Problem['errors'] }).problems;
    return problem;
  }
  // body-parser errors: malformed JSON, too large, wrong charset.
  const status = (error as { status?: number; type?: string }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const detail = status === 413 ? 'The request body is too large' : 'The request body is not valid JSON';
    return { type: 'urn:gatehouse:problem:validation', title: 'Invalid input', status, detail, errors: [{ field: '(body)', message: detail }] };
  }
  return { type: 'urn:gatehouse:problem:internal', title: 'Internal error', status: 500, detail: 'An unexpected error occurred' };
}

export const problemHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const problem = problemFor(error);
  if (problem.status >= 500) req.log?.error({ err: error }, 'admin API error');
  if (problem.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="gatehouse-admin"');
  // RFC 6585 §4: a 429 may say how long to wait.
  if (error instanceof ThrottledError && error.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(Math.ceil(error.retryAfterSeconds)));
  // RFC 9110 §10.2.3: a 503 (a dependency down, docs/security.md "When a dependency is down") says when to retry, as the portal's pages do.
  if (problem.status === 503) res.setHeader('Retry-After', '5');
  res.status(problem.status).type('application/problem+json').json(problem);
};
