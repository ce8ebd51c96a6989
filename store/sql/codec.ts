// Value conversions between the records of model/types.ts and what each driver stores. SQLite
// (better-sqlite3) binds only numbers, strings, bigints, buffers and null, so dates go in as epoch
// milliseconds and booleans as 0/1; pg takes Date and boolean as they are.

import type { DbBool, DbDate } from './schema.ts';

export type SqlDialect = 'sqlite' | 'postgres';

export interface Codec {
  readonly dialect: SqlDialect;
  date(d: Date): DbDate;
  bool(b: boolean): DbBool;
}

export function codecFor(dialect: SqlDialect): Codec {
  return dialect === 'sqlite'
    ? { dialect, date: (d) => d.getTime(), bool: (b) => (b ? 1 : 0) }
    : { dialect, date: (d) => new Date(d.getTime()), bool: (b) => b };
}

export function readDate(v: DbDate): Date {
  return v instanceof Date ? new Date(v.getTime()) : new Date(Number(v));
}

export function readBool(v: DbBool): boolean {
  return v === true || v === 1;
}

/** JSON fields are stored as text so they come back exactly as given (jsonb would reorder keys). */
export function writeJson(value: unknown): string {
  return JSON.stringify(value);
}

export function readJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/**
 * The case-insensitive key of a name. Computed here rather than with SQL lower(), which SQLite
 * applies to ASCII only; both backends then compare the stored keys byte by byte.
 */
export function nameKey(name: string): string {
  return name.toLowerCase();
}

/** A LIKE pattern matching `term` anywhere in a name key; `\` escapes LIKE's own wildcards. */
export function containsPattern(term: string): string {
  return `%${nameKey(term).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Byte-wise order of UTF-8 keys: the order of the database's collation ("C" / SQLite BINARY). */
export function compareKeys(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
