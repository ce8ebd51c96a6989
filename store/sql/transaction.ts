// A transaction that will write. On SQLite it starts with BEGIN IMMEDIATE, taking the write lock up
// front: a deferred transaction that reads first and writes later cannot wait for another process's
// writer and fails with SQLITE_BUSY instead (sqlite.org/lang_transaction.html). On PostgreSQL it is
// an ordinary transaction.

import { sql, type Kysely } from 'kysely';
import type { SqlDialect } from './codec.ts';
import type { Schema } from './schema.ts';

export async function writeTransaction<T, DB = Schema>(
  db: Kysely<DB>,
  dialect: SqlDialect,
  work: (trx: Kysely<DB>) => Promise<T>,
): Promise<T> {
  if (dialect === 'postgres') return db.transaction().execute(work);
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await work(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (e) {
      await sql`rollback`.execute(conn).catch(() => {});
      throw e;
    }
  });
}
