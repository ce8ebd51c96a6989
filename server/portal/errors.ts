// The portal's one error mapping: errors become plain HTML pages (server/http/error-page.ts).
import type { ErrorRequestHandler } from 'express';
import { isDomainError } from '../../model/errors.ts';
import { messagePage } from '../../views/message.ts';
import { errorPageOf } from '../http/error-page.ts';
import { nonceOf } from '../http/page-security.ts';

export const portalErrorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const page = errorPageOf(error);
  if (page.unexpected) req.log?.error({ err: error }, 'portal error');
  else if (isDomainError(error) && error.kind === 'unavailable') req.log?.warn({ err: error }, 'portal dependency unavailable');
  if (page.retryAfter !== undefined) res.setHeader('Retry-After', String(page.retryAfter));
  res.status(page.status).type('html').send(messagePage({ nonce: nonceOf(res) ?? '', title: page.title, message: page.message }));
};
