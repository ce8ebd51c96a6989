// Admin API tokens over SQL, stored by the SHA-256 of their secret (DESIGN.md "State"). A token
// belongs to a user and goes when the user does (ON DELETE CASCADE).

import { ConflictError, NotFoundError } from '../../model/errors.ts';
import type { ApiToken } from '../../model/types.ts';
import type { ApiTokenStore } from '../stores.ts';
import { readDate } from './codec.ts';
import type { SqlContext } from './context.ts';
import { translated } from './errors.ts';
import type { ApiTokenRow } from './schema.ts';

function readToken(row: ApiTokenRow): ApiToken {
  return { hash: row.hash, userId: row.user_id, createdAt: readDate(row.created_at), expiresAt: readDate(row.expires_at) };
}

export class SqlApiTokenStore implements ApiTokenStore {
  constructor(private readonly ctx: SqlContext) {}

  async create(token: ApiToken): Promise<void> {
    const { codec, db } = this.ctx;
    await translated(
      () =>
        db
          .insertInto('api_tokens')
          .values({ hash: token.hash, user_id: token.userId, created_at: codec.date(token.createdAt), expires_at: codec.date(token.expiresAt) })
          .execute(),
      {
        unique: () => new ConflictError('An API token with this hash already exists'),
        foreignKey: () => new NotFoundError('user', token.userId),
      },
    );
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

  async delete(hash: string): Promise<void> {
    const result = await translated(() => this.ctx.db.deleteFrom('api_tokens').where('hash', '=', hash).executeTakeFirst());
    if (Number(result.numDeletedRows) === 0) throw new NotFoundError('API token', `${hash.slice(0, 8)}…`);
  }

  async deleteForUser(userId: string): Promise<number> {
    const result = await translated(() => this.ctx.db.deleteFrom('api_tokens').where('user_id', '=', userId).executeTakeFirst());
    return Number(result.numDeletedRows);
  }
}
