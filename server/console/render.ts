// Rendering console pages, and turning a refused input into the form state that shows each
// problem next to its field.
import type { Request, Response } from 'express';
import { ConflictError, NotFoundError, ValidationError } from '../../model/errors.ts';
import { consoleLayout, type ConsolePage } from '../../views/console/layout.ts';
import type { FormState } from '../../views/console/form.ts';
import { adminOf } from './console-auth.ts';

export function render(res: Response, page: ConsolePage, status = 200): void {
  const admin = adminOf(res);
  res.status(status).type('html').send(consoleLayout({ nonce: res.locals.nonce as string, userName: admin.user.userName, csrfToken: admin.csrfToken }, page));
}

/**
 * The form state for a refusal the administrator can correct: a ValidationError's problems go to
 * their fields (`fieldOf` maps a problem path to a form field; unmapped ones go to the summary), a
 * conflict or a missing referenced object to the summary. Anything else is rethrown.
 */
export function refusedForm(error: unknown, values: Record<string, string>, fieldOf: (path: string) => string | null = (p) => p.split('.')[0] ?? null): FormState {
  if (error instanceof ValidationError) {
    const errors: Record<string, string> = {};
    const rest: string[] = [];
    for (const p of error.problems) {
      const field = fieldOf(p.field);
      if (field && values[field] !== undefined) errors[field] = errors[field] ? `${errors[field]} ${p.message}` : p.message;
      else rest.push(`${p.field}: ${p.message}`);
    }
    const summary = rest.length ? rest.join('; ') : Object.keys(errors).length ? undefined : error.message;
    return { values, errors, ...(summary ? { summary } : {}) };
  }
  if (error instanceof ConflictError || error instanceof NotFoundError) return { values, errors: {}, summary: error.message };
  throw error;
}

/** A string field of the parsed form, trimmed. */
export const field = (req: Request, name: string): string => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v.trim() : '';
};

/** Every value of a repeated form field or query parameter (checkbox lists). */
export function many(source: unknown, name: string): string[] {
  const v = (source as Record<string, unknown> | undefined)?.[name];
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return [...new Set(list.filter((x): x is string => typeof x === 'string' && x.length > 0 && x.length <= 256))];
}

/** A string query parameter, at most `max` characters. */
export const queryParam = (req: Request, name: string, max = 256): string => {
  const v = req.query[name];
  return typeof v === 'string' ? v.slice(0, max) : '';
};

/** The list query of a console list page: ?name= and ?nextToken=. */
export const listParams = (req: Request) => ({
  name: queryParam(req, 'name'),
  nextToken: queryParam(req, 'nextToken', 512) || undefined,
});

/** Notices shown after a redirect, by key (never text from the query string). */
const NOTICES: Record<string, string> = {
  created: 'Created.',
  saved: 'Saved.',
  deleted: 'Deleted.',
  enabled: 'The user is enabled.',
  disabled: 'The user is disabled; their portal sessions have ended.',
  unlocked: 'The user is unlocked and may sign in again.',
  'member-added': 'Member added.',
  'member-removed': 'Member removed.',
  assigned: 'Assigned.',
  unassigned: 'Assignment removed.',
  reset: 'The identity source is back to the built-in directory.',
};
export const noticeOf = (req: Request): string | undefined => NOTICES[queryParam(req, 'done', 32)];
