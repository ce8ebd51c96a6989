// Opens the database behind the SQL stores: a SQLite file through better-sqlite3 (WAL, so readers
// never wait for the writer and a second process can share the file; foreign keys on; a busy
// timeout so concurrent writers queue instead of failing), or PostgreSQL through a pg Pool.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { SqlDialect } from './codec.ts';
import { unavailable } from './errors.ts';
import { withStatementCache } from './statement-cache.ts';
import type { Schema } from './schema.ts';

/** Where the durable state lives; the same shape as Config['database'] (server/config.ts). */
export type SqlTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export interface SqlOptions {
  /** SQLite: how long a writer waits for another process's write lock. Default 5000. */
  busyTimeoutMs?: number;
  /** PostgreSQL: how long to wait for a connection before UnavailableError. Default 5000. */
  connectTimeoutMs?: number;
  /** PostgreSQL: pool size. Default 10. */
  poolSize?: number;
  /** PostgreSQL: a query with no answer after this long fails (UnavailableError), so a hung server never hangs requests. Default 5000. */
  queryTimeoutMs?: number;
  /**
   * PostgreSQL: the server cancels a statement running longer than this (statement_timeout), so a
   * slow query stops using the database too, not only the waiting request. Default: none.
   */
  statementTimeoutMs?: number;
  /** PostgreSQL: every transaction of this pool is read only (default_transaction_read_only), for a replica. */
  readOnly?: boolean;
}

export interface SqlConnection {
  db: Kysely<Schema>;
  dialect: SqlDialect;
}

export function connectSql(target: SqlTarget, options: SqlOptions = {}): SqlConnection {
  return target.kind === 'sqlite' ? connectSqlite(target.file, options) : connectPostgres(target.url, options);
}

function connectSqlite(file: string, options: SqlOptions): SqlConnection {
  let database: Database.Database;
  try {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    database = new Database(file);
    const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
    database.pragma(`busy_timeout = ${busyTimeoutMs}`);
    // Switching a new file to WAL needs an exclusive lock, and SQLite answers SQLITE_BUSY at once,
    // without calling the busy handler, while another process is doing the same switch or building
    // the WAL index; two processes opening one new database at the same moment retry for a while.
    const opened = database;
    retryWhileBusy(() => opened.pragma('journal_mode = WAL'), busyTimeoutMs);
    database.pragma('foreign_keys = ON');
    // Durable at every checkpoint, and fsync-free commits in WAL mode (sqlite.org/pragma.html#pragma_synchronous).
    database.pragma('synchronous = NORMAL');
  } catch (e) {
    throw unavailable(e);
  }
  return { db: new Kysely<Schema>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) }), dialect: 'sqlite' };
}

/** Runs `step` again every 10 ms while it fails with SQLITE_BUSY (any extended code), up to `forMs`. */
function retryWhileBusy(step: () => unknown, forMs: number): void {
  const deadline = Date.now() + forMs;
  for (;;) {
    try {
      step();
      return;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || Date.now() >= deadline) throw e;
      // A synchronous pause: the connection is opened synchronously, before any request is served.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

function connectPostgres(url: string, options: SqlOptions): SqlConnection {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    query_timeout: options.queryTimeoutMs ?? 5000,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    // A write sent to a replica by mistake fails (SQLSTATE 25006) instead of reaching a server that
    // happens to accept it.
    ...(options.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
  });
  // An idle client whose server went away emits 'error' on the pool; unhandled, that would end the
  // process. The pool drops the client; the next query reports UnavailableError if the server is gone.
  pool.on('error', () => {});
  // A client checked out when the server goes away emits 'error' too (besides failing its query);
  // the pool only listens on idle ones, so every client gets a listener of its own.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return { db: new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres' };
}
