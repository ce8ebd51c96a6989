// A fresh PostgreSQL database for one test run, on the shared server at 127.0.0.1:5432 (trust
// auth, user postgres; scripts/services.sh starts it). Each run creates `gatehouse_test_<random>`
// and drops it afterwards, so runs never see each other's data.
//
//   const db = await createTestDatabase();   // { name, url }
//   ...
//   await db.drop();
//
// or, in a mocha suite: `const pgUrl = freshPostgresDatabase();` and call `pgUrl()` inside tests.
//
// A test that needs the schema but is not about migrating copies a template migrated once per suite:
// `const migrated = migratedPostgresTemplate();` then `const db = await migrated();` in a test. A
// test of opening or migrating a database uses createTestDatabase(), whose database is truly empty.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openSqlStores } from '../../store/sql/open.ts';

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

const SAFE_NAME = /^[a-z0-9_]{1,63}$/;

/** A new database: empty, or a copy of `template` (which nobody may be connected to meanwhile). */
export async function createTestDatabase(prefix = 'gatehouse_test', template?: string): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  if (!SAFE_NAME.test(name)) throw new Error(`unsafe database name ${name}`);
  if (template !== undefined && !SAFE_NAME.test(template)) throw new Error(`unsafe template name ${template}`);
  await onServer((c) => c.query(`CREATE DATABASE "${name}"${template === undefined ? '' : ` TEMPLATE "${template}"`}`));
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

/**
 * Registers mocha hooks that migrate a template database (openSqlStores, as a first start does)
 * before the suite and drop it after; returns a function that makes a new database as a copy of it
 * (CREATE DATABASE … TEMPLATE), which holds what migrating an empty database gives: the schema and
 * the record of the migrations applied, no rows. Copying takes a fraction of the time of
 * migrating, and opening the copy runs the product's migration check all the same (finding
 * nothing to do).
 */
export function migratedPostgresTemplate(prefix?: string): () => Promise<TestDatabase> {
  let template: TestDatabase | undefined;
  before(async () => {
    template = await createTestDatabase('gatehouse_template');
    // Closed before any copy: PostgreSQL copies only a database nobody is connected to.
    await (await openSqlStores({ kind: 'postgres', url: template.url })).close();
  });
  after(async () => {
    await template?.drop();
  });
  return () => {
    if (!template) throw new Error('migratedPostgresTemplate: the template exists only inside the suite');
    return createTestDatabase(prefix, template.name);
  };
}
