// A fresh PostgreSQL database for one test run, on the shared server at 127.0.0.1:5432 (trust
// auth, user postgres; scripts/services.sh starts it). Each run creates `gatehouse_test_<random>`
// and drops it afterwards, so runs never see each other's data.
//
//   const db = await createTestDatabase();   // { name, url }
//   ...
//   await db.drop();
//
// or, in a mocha suite: `const pgUrl = freshPostgresDatabase();` and call `pgUrl()` inside tests.

import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const POSTGRES_SERVER_URL = 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabase {
  name: string;
  /** postgres:// URL of the new database. */
  url: string;
  /** Drops the database, ending any connection still open to it. Safe to call twice. */
  drop(): Promise<void>;
}

async function onServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${POSTGRES_SERVER_URL}/postgres`, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(prefix = 'gatehouse_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  if (!/^[a-z0-9_]{1,63}$/.test(name)) throw new Error(`unsafe database name ${name}`);
  await onServer((c) => c.query(`CREATE DATABASE "${name}"`));
  let dropped = false;
  return {
    name,
    url: `${POSTGRES_SERVER_URL}/${name}`,
    async drop() {
      if (dropped) return;
      dropped = true;
      // WITH (FORCE) (PostgreSQL 13+) ends sessions a test left open instead of failing.
      await onServer((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** Registers mocha hooks that create a database before the suite and drop it after; returns its URL getter. */
export function freshPostgresDatabase(prefix?: string): () => string {
  let db: TestDatabase | undefined;
  before(async () => {
    db = await createTestDatabase(prefix);
  });
  after(async () => {
    await db?.drop();
  });
  return () => {
    if (!db) throw new Error('freshPostgresDatabase: the database exists only inside the suite');
    return db.url;
  };
}
