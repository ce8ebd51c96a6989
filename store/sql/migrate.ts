// Applies the pending migrations at open, safely when several processes start at once: on
// PostgreSQL under a transaction-scoped advisory lock, on SQLite inside BEGIN IMMEDIATE (which holds
// the file's write lock). Both dialects run DDL transactionally, so a failed migration leaves nothing
// half done. Kysely's own Migrator is not used: on SQLite it takes no lock across processes.

import { sql, type Kysely } from 'kysely';
import type { Schema } from './schema.ts';
import type { SqlDialect } from './codec.ts';
import { migrations as allMigrations, columnTypes, type Migration, type UntypedDb } from './migrations.ts';
import { writeTransaction } from './transaction.ts';

const TABLE = 'gatehouse_schema_migrations';
// Arbitrary, fixed: the advisory lock key that serialises Gatehouse migrations on PostgreSQL.
const PG_LOCK_KEY = 7_310_254_981;

/** Returns the names of the migrations this call applied. */
export async function migrate(
  db: Kysely<Schema>,
  dialect: SqlDialect,
  migrations: readonly Migration[] = allMigrations,
): Promise<string[]> {
  return writeTransaction(db as unknown as UntypedDb, dialect, async (trx) => {
    if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${sql.lit(PG_LOCK_KEY)})`.execute(trx);
    const types = columnTypes(dialect);
    await trx.schema
      .createTable(TABLE)
      .ifNotExists()
      .addColumn('name', types.key, (c) => c.primaryKey())
      .addColumn('applied_at', types.date, (c) => c.notNull())
      .execute();
    const done = new Set((await trx.selectFrom(TABLE).select('name').execute()).map((r) => String(r.name)));
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      await migration.up(trx, dialect, types);
      const now = new Date();
      await trx
        .insertInto(TABLE)
        .values({ name: migration.name, applied_at: dialect === 'postgres' ? now : now.getTime() })
        .execute();
      applied.push(migration.name);
    }
    return applied;
  });
}
