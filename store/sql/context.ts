// What every SQL store is built from: the Kysely handle, the dialect, and its value codec. The
// stores of a unit of work (unit-of-work.ts) get a context whose handle is their transaction.

import type { Kysely } from 'kysely';
import type { Codec, SqlDialect } from './codec.ts';
import type { Schema } from './schema.ts';

export interface SqlContext {
  readonly db: Kysely<Schema>;
  readonly dialect: SqlDialect;
  readonly codec: Codec;
  /** True for the stores of a unit of work: their statements run in its transaction, and they never open another. */
  readonly inTransaction: boolean;
}
