// Driver errors, translated once into the domain errors of model/errors.ts: a unique violation
// becomes ConflictError, a foreign-key violation whatever the calling store says it means, and a
// database that does not answer UnavailableError('sql') (callers deny, never allow).

import { ConflictError, DomainError, UnavailableError } from '../../model/errors.ts';

export type DriverFailure =
  | { kind: 'unique'; columns: string[] }
  | { kind: 'foreign-key' }
  | { kind: 'unavailable' }
  | { kind: 'other' };

interface DriverError {
  code?: unknown;
  message?: unknown;
  detail?: unknown;
}

// SQLite result codes (https://www.sqlite.org/rescode.html) that mean the file cannot be used now.
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|READONLY|NOTADB|CORRUPT|PROTOCOL|AUTH)/;
// PostgreSQL SQLSTATE classes (appendix A): 08 connection exception, 53 insufficient resources,
// 57 operator intervention (shutdown, cancel), 28 authorization, 3D000 no such database.
const PG_UNAVAILABLE = /^(08|53|57|28)|^3D000$/;
const NODE_NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Query read timeout/i, // pg's query_timeout: the server took too long to answer
  /Cannot use a pool after calling end/i,
  /driver has already been destroyed/i,
  /database connection is not open/i,
];

export function classify(e: unknown): DriverFailure {
  if (typeof e !== 'object' || e === null) return { kind: 'other' };
  const { code, message, detail } = e as DriverError;
  const text = typeof message === 'string' ? message : '';
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    // "UNIQUE constraint failed: table.col_a, table.col_b"
    const list = text.split('failed:')[1] ?? '';
    return { kind: 'unique', columns: list.split(',').map((c) => c.trim().split('.').pop() ?? '').filter(Boolean) };
  }
  if (code === '23505') {
    // "Key (col_a, col_b)=(...) already exists."
    const list = typeof detail === 'string' ? (/^Key \(([^)]*)\)=/.exec(detail)?.[1] ?? '') : '';
    return { kind: 'unique', columns: list.split(',').map((c) => c.trim()).filter(Boolean) };
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503') return { kind: 'foreign-key' };
  if (typeof code === 'string' && (SQLITE_UNAVAILABLE.test(code) || PG_UNAVAILABLE.test(code) || NODE_NETWORK.has(code))) {
    return { kind: 'unavailable' };
  }
  if (UNAVAILABLE_MESSAGES.some((re) => re.test(text))) return { kind: 'unavailable' };
  return { kind: 'other' };
}

export function unavailable(e: unknown): UnavailableError {
  const reason = e instanceof Error ? e.message : String(e);
  return new UnavailableError('sql', `sql is unavailable: ${reason}`, { cause: e });
}

export interface FailureMeaning {
  /** The error for a unique violation on these columns; ConflictError('already exists') otherwise. */
  unique?: (columns: string[]) => Error;
  /** The error for a foreign-key violation (may look up which reference is missing). */
  foreignKey?: () => Error | Promise<Error>;
}

/** Runs one store operation and translates whatever the driver throws. */
export async function translated<T>(operation: () => Promise<T>, meaning: FailureMeaning = {}): Promise<T> {
  try {
    return await operation();
  } catch (e) {
    if (e instanceof DomainError) throw e;
    const failure = classify(e);
    switch (failure.kind) {
      case 'unique':
        throw meaning.unique ? meaning.unique(failure.columns) : new ConflictError('The resource already exists');
      case 'foreign-key':
        if (meaning.foreignKey) throw await translated(async () => meaning.foreignKey!());
        throw new ConflictError('The resource is still referenced');
      case 'unavailable':
        throw unavailable(e);
      default:
        throw e;
    }
  }
}
