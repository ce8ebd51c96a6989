// better-sqlite3 behind Kysely with prepared statements kept and reused. Kysely's SqliteDialect
// asks the database to prepare every query anew, and preparing costs more than running most of our
// queries (profiled on the GetRoleCredentials path: preparing was ~17 % of its CPU). A statement
// is keyed by its SQL text, which Kysely builds with placeholders, so the set of distinct texts is
// small; the cap only guards against unbounded growth (IN lists of varying length).
import type Database from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { BoundedCache } from '../../cache/bounded-cache.ts';

const MAX_STATEMENTS = 1000;

export function withStatementCache(database: Database.Database): SqliteDatabase {
  const statements = new BoundedCache<string, SqliteStatement>(MAX_STATEMENTS);
  return {
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql) as unknown as SqliteStatement;
        statements.set(sql, statement);
      }
      return statement;
    },
    close() {
      statements.clear();
      database.close();
    },
  };
}
