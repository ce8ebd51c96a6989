// The console's one error mapping: domain errors become a page that says what happened. An
// administrator sees it inside the console frame; anyone else a plain page (nothing of the
// console is shown to them).
import type { ErrorRequestHandler } from 'express';
import { html } from '../../views/html.ts';
import { messagePage } from '../../views/message.ts';
import { errorPageOf } from '../http/error-page.ts';
import type { ConsoleAdmin } from './console-auth.ts';
import { render } from './render.ts';

export const consoleErrorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const { status, title, message, retryAfter, unexpected } = errorPageOf(error);
  if (unexpected) req.log?.error({ err: error }, 'console error');
  if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
  if ((res.locals.consoleAdmin as ConsoleAdmin | undefined) && status !== 403) {
    render(res, { title, section: 'home', body: html`<div class="card" role="alert"><p>${message}</p><p><a href="/admin">Back to the dashboard</a></p></div>` }, status);
    return;
  }
  res.status(status).type('html').send(messagePage({ nonce: (res.locals.nonce as string) ?? '', title, message }));
};
