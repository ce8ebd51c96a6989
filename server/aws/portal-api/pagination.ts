// Paging for ListAccounts and ListAccountRoles (docs/aws-cli.md, paginators-1.json):
// `max_result` 1..100 and an opaque `next_token`, omitted on the last page. The token names the
// list it belongs to and where the next page starts; anything else is InvalidRequestException.
import { ValidationError } from '../../../model/errors.ts';

export const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 100;

export interface PageRequest {
  /** Which list the token belongs to, e.g. 'accounts' or 'roles:111122223333'. */
  list: string;
  maxResult: unknown;
  nextToken: unknown;
}

export function page<T>(items: readonly T[], request: PageRequest): { items: T[]; nextToken?: string } {
  const size = pageSize(request.maxResult);
  const start = request.nextToken === undefined ? 0 : offsetOf(request.nextToken, request.list);
  const slice = items.slice(start, start + size);
  const end = start + slice.length;
  return end < items.length ? { items: slice, nextToken: encode(request.list, end) } : { items: slice };
}

function pageSize(value: unknown): number {
  if (value === undefined) return DEFAULT_PAGE_SIZE;
  const n = typeof value === 'string' && /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_PAGE_SIZE)) {
    throw new ValidationError(`max_result must be an integer from 1 to ${MAX_PAGE_SIZE}`, [{ field: 'max_result', message: 'out of range' }]);
  }
  return n;
}

const encode = (list: string, offset: number) => Buffer.from(JSON.stringify({ l: list, o: offset }), 'utf8').toString('base64url');

function offsetOf(token: unknown, list: string): number {
  const invalid = () => new ValidationError('next_token is not valid for this request', [{ field: 'next_token', message: 'invalid' }]);
  if (typeof token !== 'string' || token.length === 0 || token.length > 512 || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const { l, o } = (parsed ?? {}) as { l?: unknown; o?: unknown };
  if (l !== list || typeof o !== 'number' || !Number.isInteger(o) || o < 0) throw invalid();
  return o;
}
