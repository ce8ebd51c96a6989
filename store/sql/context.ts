// What every SQL store is built from: the Kysely handle, the dialect, and its value codec.

import type { Kysely } from 'kysely';
import type { Codec, SqlDialect } from './codec.ts';
import type { Schema } from './schema.ts';

export interface SqlContext {
  readonly db: Kysely<Schema>;
  readonly dialect: SqlDialect;
  readonly codec: Codec;
}
