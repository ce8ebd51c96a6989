// The SQL store contract on PostgreSQL (a fresh database per use, dropped afterwards: empty for the
// tests of opening and migrating, else a copy of one migrated once per run), then what
// only PostgreSQL shows: a server that does not answer and a database that vanishes under a live
// store are UnavailableError, and the planner serves entitlements from the principal index.

import { expect } from 'chai';
import { sql } from 'kysely';
import pg from 'pg';
import { UnavailableError } from '../../model/errors.ts';
import { entitlementsQuery } from '../../store/sql/assignment-store.ts';
import { connectSql } from '../../store/sql/connect.ts';
import { openSqlStores } from '../../store/sql/open.ts';
import { freePort } from '../support/free-port.ts';
import { createTestDatabase, migratedPostgresTemplate } from '../support/postgres.ts';
import { seedForPlan, sqlStoreContract } from './sql-contract.ts';

describe('SQL stores on PostgreSQL', () => {
  const migratedDatabase = migratedPostgresTemplate();
  sqlStoreContract({
    name: 'postgres',
    async emptyTarget() {
      const db = await createTestDatabase();
      return { target: { kind: 'postgres', url: db.url }, drop: () => db.drop() };
    },
    async migratedTarget() {
      const db = await migratedDatabase();
      return { target: { kind: 'postgres', url: db.url }, drop: () => db.drop() };
    },
  });

  describe('PostgreSQL specifics', () => {
    it('reports a server that does not answer as UnavailableError when opening', async () => {
      const port = await freePort();
      const started = Date.now();
      let error: unknown;
      await openSqlStores({ kind: 'postgres', url: `postgres://postgres@127.0.0.1:${port}/gatehouse` }, { connectTimeoutMs: 1000 }).catch(
        (e: unknown) => (error = e),
      );
      expect(error).to.be.instanceOf(UnavailableError);
      expect((error as UnavailableError).dependency).to.equal('sql');
      expect(Date.now() - started).to.be.below(5000);
    });

    it('reports a database that vanished under a live store as UnavailableError, from ping and from every store', async () => {
      const db = await migratedDatabase();
      const stores = await openSqlStores({ kind: 'postgres', url: db.url }, { connectTimeoutMs: 1000 });
      try {
        await stores.ping();
        await db.drop(); // ends the pool's sessions too
        for (const call of [() => stores.ping(), () => stores.accounts.list(), () => stores.assignments.entitlements('u', ['g'])]) {
          let error: unknown;
          await call().catch((e: unknown) => (error = e));
          expect(error).to.be.instanceOf(UnavailableError);
        }
      } finally {
        await stores.close();
        await db.drop();
      }
    });

    it('reports a server too slow to answer as UnavailableError after the query timeout, then works again', async () => {
      const db = await migratedDatabase();
      const stores = await openSqlStores({ kind: 'postgres', url: db.url }, { queryTimeoutMs: 300 });
      const blocker = new pg.Client({ connectionString: db.url });
      await blocker.connect();
      try {
        await blocker.query('BEGIN');
        await blocker.query('LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE');
        const started = Date.now();
        let error: unknown;
        await stores.accounts.list().catch((e: unknown) => (error = e));
        expect(error).to.be.instanceOf(UnavailableError);
        expect(Date.now() - started).to.be.within(250, 3000);
        await blocker.query('ROLLBACK');
        expect((await stores.accounts.list()).items).to.deep.equal([]);
      } finally {
        await blocker.end();
        await stores.close();
        await db.drop();
      }
    });

    it('serves entitlements from the principal index, never a sequential scan of assignments (EXPLAIN)', async () => {
      const testDb = await migratedDatabase();
      try {
        const { db } = connectSql({ kind: 'postgres', url: testDb.url });
        try {
          const sample = await seedForPlan(db, 'postgres');
          await sql`analyze`.execute(db);
          const compiled = entitlementsQuery(db, sample.userId, sample.groupIds).compile();
          const explained = await db.executeQuery<{ 'QUERY PLAN': string }>({ ...compiled, sql: `explain ${compiled.sql}` });
          const plan = explained.rows.map((r) => r['QUERY PLAN']).join('\n');
          expect(plan).to.contain('account_assignments_by_principal');
          expect(plan).to.not.contain('Seq Scan');
          const answer = await entitlementsQuery(db, sample.userId, sample.groupIds).execute();
          expect(answer).to.have.length(sample.expectedPairs);
        } finally {
          await db.destroy();
        }
      } finally {
        await testDb.drop();
      }
    });
  });
});
