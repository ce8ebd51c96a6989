// Typed domain errors. Services throw these; each HTTP surface maps them once to its own wire
// shape (problem+json for the admin API, AWS error shapes for the AWS APIs, an HTML page for the
// portal). Nothing below server/ knows about status codes.

export interface FieldProblem {
  /** Dotted path of the offending field, e.g. `name.givenName` or `emails.0.value`. */
  field: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly kind: 'validation' | 'not-found' | 'conflict' | 'forbidden' | 'unauthenticated' | 'unavailable' | 'throttled';
}

/** Bad input. Nothing was changed. */
export class ValidationError extends DomainError {
  readonly kind = 'validation' as const;
  constructor(message: string, readonly problems: FieldProblem[] = []) {
    super(message);
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends DomainError {
  readonly kind = 'not-found' as const;
  constructor(readonly resource: string, readonly id: string) {
    super(`${resource} ${JSON.stringify(id)} was not found`);
    this.name = 'NotFoundError';
  }
}

/** Uniqueness clash, or a delete refused because something still refers to the resource. */
export class ConflictError extends DomainError {
  readonly kind = 'conflict' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden' as const;
  constructor(message = 'Forbidden') {
    super(message);
    this.name = 'ForbiddenError';
  }
}

export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated' as const;
  constructor(message = 'Authentication required') {
    super(message);
    this.name = 'UnauthenticatedError';
  }
}

/** A dependency (SQL, the ephemeral store, a directory) did not answer. Callers must deny, never allow. */
export class UnavailableError extends DomainError {
  readonly kind = 'unavailable' as const;
  constructor(readonly dependency: string, message?: string, options?: { cause?: unknown }) {
    super(message ?? `${dependency} is unavailable`, options);
    this.name = 'UnavailableError';
  }
}

export class ThrottledError extends DomainError {
  readonly kind = 'throttled' as const;
  constructor(message = 'Too many attempts; try again later', readonly retryAfterSeconds?: number) {
    super(message);
    this.name = 'ThrottledError';
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
