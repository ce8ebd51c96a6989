// What a browser page says for an error, shared by the portal and the admin console: a domain
// error's status and title (model/errors.ts), its message, and nothing of an unexpected error
// beyond "nothing was done". A dependency that is down gives 503 with Retry-After; the person is
// never let through (docs/security.md: "When a dependency is down").
import { isDomainError, type DomainError } from '../../model/errors.ts';

const PAGES: Record<DomainError['kind'], { status: number; title: string }> = {
  validation: { status: 400, title: 'That request was not valid' },
  unauthenticated: { status: 401, title: 'Please sign in again' },
  forbidden: { status: 403, title: 'Not allowed' },
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  throttled: { status: 429, title: 'Too many attempts' },
  unavailable: { status: 503, title: 'Temporarily unavailable' },
};

export interface ErrorPage {
  status: number;
  title: string;
  message: string;
  /** Seconds, for a Retry-After header. */
  retryAfter?: number;
  /** An error the server did not expect: to be logged at error level. */
  unexpected: boolean;
}

export function errorPageOf(error: unknown): ErrorPage {
  if (isDomainError(error)) {
    const { status, title } = PAGES[error.kind];
    if (error.kind === 'unavailable') {
      return { status, title, retryAfter: 5, unexpected: false, message: 'Gatehouse cannot reach a service it depends on right now. Nothing was done. Please try again in a moment.' };
    }
    return { status, title, message: error.message, unexpected: false };
  }
  // Body parsers' own errors (too large, malformed) carry a 4xx status.
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, title: 'That request was not valid', message: status === 413 ? 'The form was too large.' : 'The form could not be read.', unexpected: false };
  }
  return { status: 500, title: 'Something went wrong', message: 'An unexpected error occurred. Nothing was done.', unexpected: true };
}
