// The portal's one error mapping: domain errors become plain HTML pages. A dependency that is
// down gives 503 and a page that says so; the person is never let through (docs/security.md: "When a dependency is down").
import type { ErrorRequestHandler } from 'express';
import { isDomainError, type DomainError } from '../../model/errors.ts';
import { messagePage } from '../../views/message.ts';
import { nonceOf } from '../http/page-security.ts';

const PAGES: Record<DomainError['kind'], { status: number; title: string }> = {
  validation: { status: 400, title: 'That request was not valid' },
  unauthenticated: { status: 401, title: 'Please sign in again' },
  forbidden: { status: 403, title: 'Not allowed' },
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  throttled: { status: 429, title: 'Too many attempts' },
  unavailable: { status: 503, title: 'Temporarily unavailable' },
};

export const portalErrorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const nonce = nonceOf(res) ?? '';
  if (isDomainError(error)) {
    const page = PAGES[error.kind];
    const message = error.kind === 'unavailable' ? 'Gatehouse cannot reach a service it depends on right now. Nothing was done. Please try again in a moment.' : error.message;
    if (error.kind === 'unavailable') req.log?.warn({ err: error }, 'portal dependency unavailable');
    if (error.kind === 'unavailable') res.setHeader('Retry-After', '5');
    res.status(page.status).type('html').send(messagePage({ nonce, title: page.title, message }));
    return;
  }
  const status = (error as { status?: number }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    res.status(status).type('html').send(messagePage({ nonce, title: 'That request was not valid', message: 'The form could not be read.' }));
    return;
  }
  req.log?.error({ err: error }, 'portal error');
  res.status(500).type('html').send(messagePage({ nonce, title: 'Something went wrong', message: 'An unexpected error occurred. Nothing was done.' }));
};
