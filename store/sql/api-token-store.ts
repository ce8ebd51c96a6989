// Admin API tokens over SQL, stored by the SHA-256 of their secret (DESIGN.md "State"), listed and
// revoked by a public id. A token belongs to a user and goes when the user does (ON DELETE CASCADE).

import { ConflictError, NotFoundError } from '../../model/errors.ts';
import { newApiTokenId } from '../../model/ids.ts';
import type { AdminRole, ApiToken } from '../../model/types.ts';
import type { ApiTokenStore, NewApiToken, Page } from '../stores.ts';
import { readDate } from './codec.ts';
import type { SqlContext } from './context.ts';
import { translated } from './errors.ts';
import { keyBeyond } from './fragments.ts';
import { decodeToken, pageLimit, toPage } from './pagination.ts';
import type { ApiTokenRow } from './schema.ts';

function readToken(row: ApiTokenRow): ApiToken {
  return {
    hash: row.hash,
    id: row.id ?? `tok-${row.hash.slice(0, 16)}`,
    userId: row.user_id,
    role: row.role as AdminRole,
    createdAt: readDate(row.created_at),
    expiresAt: readDate(row.expires_at),
  };
}

export class SqlApiTokenStore implements ApiTokenStore {
  constructor(private readonly ctx: SqlContext) {}

  async create(input: NewApiToken): Promise<ApiToken> {
    const { codec, db } = this.ctx;
    const token: ApiToken = { ...input, id: input.id ?? newApiTokenId(), role: input.role ?? 'administrator' };
    await translated(
      () =>
        db
          .insertInto('api_tokens')
          .values({
            hash: token.hash,
            id: token.id,
            role: token.role,
            user_id: token.userId,
            created_at: codec.date(token.createdAt),
            expires_at: codec.date(token.expiresAt),
          })
          .execute(),
      {
        unique: () => new ConflictError('An API token with this hash or id already exists'),
        foreignKey: () => new NotFoundError('user', token.userId),
      },
    );
    return { ...token };
  }

  async find(hash: string, now: Date = new Date()): Promise<ApiToken | null> {
    const row = await translated(() =>
      this.ctx.db
        .selectFrom('api_tokens')
        .selectAll()
        .where('hash', '=', hash)
        .where('expires_at', '>', this.ctx.codec.date(now))
        .executeTakeFirst(),
    );
    return row ? readToken(row) : null;
  }

  async get(id: string, now: Date = new Date()): Promise<ApiToken | null> {
    const row = await translated(() =>
      this.ctx.db.selectFrom('api_tokens').selectAll().where('id', '=', id).where('expires_at', '>', this.ctx.codec.date(now)).executeTakeFirst(),
    );
    return row ? readToken(row) : null;
  }

  async list(query: { userId?: string; limit?: number; nextToken?: string } = {}, now: Date = new Date()): Promise<Page<ApiToken>> {
    const { db, codec } = this.ctx;
    const limit = pageLimit(query.limit);
    let q = db.selectFrom('api_tokens').selectAll().where('expires_at', '>', codec.date(now));
    if (query.userId !== undefined) q = q.where('user_id', '=', query.userId);
    if (query.nextToken) {
      const [atMs, hash] = decodeToken(query.nextToken, ['number', 'string']) as [number, string];
      q = q.where(keyBeyond(['created_at', 'hash'], [codec.date(new Date(atMs)), hash], '<'));
    }
    const rows = await translated(() => q.orderBy('created_at', 'desc').orderBy('hash', 'desc').limit(limit + 1).execute());
    return toPage(rows, limit, (r) => [readDate(r.created_at).getTime(), r.hash], readToken);
  }

  async delete(hash: string): Promise<void> {
    const result = await translated(() => this.ctx.db.deleteFrom('api_tokens').where('hash', '=', hash).executeTakeFirst());
    if (Number(result.numDeletedRows) === 0) throw new NotFoundError('API token', `${hash.slice(0, 8)}…`);
  }

  async deleteById(id: string): Promise<void> {
    const result = await translated(() => this.ctx.db.deleteFrom('api_tokens').where('id', '=', id).executeTakeFirst());
    if (Number(result.numDeletedRows) === 0) throw new NotFoundError('API token', id);
  }

  async deleteForUser(userId: string): Promise<number> {
    const result = await translated(() => this.ctx.db.deleteFrom('api_tokens').where('user_id', '=', userId).executeTakeFirst());
    return Number(result.numDeletedRows);
  }
}
