// Transactions at the level of one store's statements. writeTransaction starts a transaction that
// will write: on SQLite with BEGIN IMMEDIATE, taking the write lock up front, because a deferred
// transaction that reads first and writes later cannot wait for another process's writer and fails
// with SQLITE_BUSY instead (sqlite.org/lang_transaction.html); on PostgreSQL an ordinary one.
// The helpers below let one store method work the same inside a unit of work (unit-of-work.ts) and
// outside one.

import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { SqlDialect } from './codec.ts';
import type { SqlContext } from './context.ts';
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

/** Several statements of one store method as one: in the unit of work when there is one, else in a transaction of their own. */
export function atomically<T>(ctx: SqlContext, work: (db: Kysely<Schema>) => Promise<T>): Promise<T> {
  return ctx.inTransaction ? work(ctx.db) : writeTransaction(ctx.db, ctx.dialect, work);
}

/**
 * One statement whose failure the store answers with a further query (which referenced row was
 * missing). In PostgreSQL a failed statement aborts its whole transaction, and every later
 * statement fails too, so inside a transaction the statement runs under a savepoint that its
 * failure rolls back to (postgresql.org/docs/current/sql-savepoint.html). SQLite undoes only the
 * failed statement by itself (sqlite.org/lang_conflict.html, ABORT).
 */
export async function recoverable<T>(ctx: SqlContext, statement: () => Promise<T>): Promise<T> {
  if (!ctx.inTransaction || ctx.dialect !== 'postgres') return statement();
  const db = ctx.db;
  await sql`savepoint gatehouse_statement`.execute(db);
  try {
    const result = await statement();
    await sql`release savepoint gatehouse_statement`.execute(db);
    return result;
  } catch (e) {
    await sql`rollback to savepoint gatehouse_statement`.execute(db).catch(() => {});
    throw e;
  }
}

/**
 * A read that holds its rows against other writers until the transaction ends. PostgreSQL: SELECT
 * ... FOR UPDATE (postgresql.org/docs/current/explicit-locking.html#LOCKING-ROWS). SQLite has no
 * row locks and needs none: a unit of work began with BEGIN IMMEDIATE and holds the database's one
 * write lock already. Outside a transaction it is refused: the lock would end with the statement.
 */
export function lockedForUpdate<DB, TB extends keyof DB, O>(ctx: SqlContext, query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O> {
  if (!ctx.inTransaction) throw new Error('a read for update protects nothing outside a transaction: use it inside stores.transaction()');
  return ctx.dialect === 'postgres' ? query.forUpdate() : query;
}

/**
 * A read that keeps its rows from being changed or deleted by other writers until the transaction
 * ends, while other readers may hold them too. PostgreSQL: SELECT ... FOR SHARE; SQLite needs no
 * lock, as for lockedForUpdate. Refused outside a transaction.
 */
export function lockedForShare<DB, TB extends keyof DB, O>(ctx: SqlContext, query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O> {
  if (!ctx.inTransaction) throw new Error('a read for share protects nothing outside a transaction: use it inside stores.transaction()');
  return ctx.dialect === 'postgres' ? query.forShare() : query;
}
