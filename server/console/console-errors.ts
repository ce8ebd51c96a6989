// The console's one error mapping: domain errors become a page that says what happened. An
// administrator sees it inside the console frame; anyone else a plain page (nothing of the
// console is shown to them).
import type { ErrorRequestHandler } from 'express';
import { isDomainError, type DomainError } from '../../model/errors.ts';
import { html } from '../../views/html.ts';
import { messagePage } from '../../views/message.ts';
import type { ConsoleAdmin } from './console-auth.ts';
import { render } from './render.ts';

const PAGES: Record<DomainError['kind'], { status: number; title: string }> = {
  validation: { status: 400, title: 'That request was not valid' },
  unauthenticated: { status: 401, title: 'Please sign in again' },
  forbidden: { status: 403, title: 'Not allowed' },
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  throttled: { status: 429, title: 'Too many attempts' },
  unavailable: { status: 503, title: 'Temporarily unavailable' },
};

export const consoleErrorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  let status = 500;
  let title = 'Something went wrong';
  let message = 'An unexpected error occurred. Nothing was done.';
  if (isDomainError(error)) {
    ({ status, title } = PAGES[error.kind]);
    message = error.kind === 'unavailable' ? 'Gatehouse cannot reach a service it depends on right now. Nothing was done. Please try again in a moment.' : error.message;
    if (error.kind === 'unavailable') res.setHeader('Retry-After', '5');
  } else if (typeof (error as { status?: number }).status === 'number' && (error as { status: number }).status < 500) {
    status = (error as { status: number }).status;
    title = 'That request was not valid';
    message = status === 413 ? 'The form was too large.' : 'The form could not be read.';
  } else {
    req.log?.error({ err: error }, 'console error');
  }
  if ((res.locals.consoleAdmin as ConsoleAdmin | undefined) && status !== 403) {
    render(res, { title, section: 'home', body: html`<div class="card" role="alert"><p>${message}</p><p><a href="/admin">Back to the dashboard</a></p></div>` }, status);
    return;
  }
  res.status(status).type('html').send(messagePage({ nonce: (res.locals.nonce as string) ?? '', title, message }));
};
