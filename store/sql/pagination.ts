// Keyset pagination: every list is ordered by a unique key (the natural name key, then the id), and
// the opaque nextToken carries the key of the last item returned. A page never skips or repeats an
// item even when rows are added or removed between calls, and no query ever uses OFFSET.

import { ValidationError } from '../../model/errors.ts';
import type { Page } from '../stores.ts';

export type KeyValue = string | number;

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** ListQuery.limit: 1..1000, default 100 (out-of-range values are clamped, not refused). */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(MAX_LIMIT, Math.max(1, Math.floor(limit)));
}

export function encodeToken(key: KeyValue[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The key inside a nextToken; ValidationError when the token was not made by this store. */
export function decodeToken(token: string, shape: ('string' | 'number')[]): KeyValue[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== shape.length || key.some((v, i) => typeof v !== shape[i])) {
    throw new ValidationError('nextToken is not valid', [{ field: 'nextToken', message: 'is not a token this list returned' }]);
  }
  return key as KeyValue[];
}

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only tells that more remain, and the
 * token is the key of the last row handed out.
 */
export function toPage<R, T>(rows: R[], limit: number, keyOf: (row: R) => KeyValue[], map: (row: R) => T): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const page: Page<T> = { items: kept.map(map) };
  const last = kept[kept.length - 1];
  if (more && last !== undefined) page.nextToken = encodeToken(keyOf(last));
  return page;
}
