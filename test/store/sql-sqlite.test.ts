// The SQL store contract on SQLite (a temp file per database), then what only SQLite shows: the
// file and its directory are created, WAL lets readers through while another process writes, a
// writer waits out a short lock and gives up with UnavailableError on a long one, and the
// entitlements query is served by its index.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { sql } from 'kysely';
import { UnavailableError } from '../../model/errors.ts';
import { entitlementsQuery } from '../../store/sql/assignment-store.ts';
import { connectSql } from '../../store/sql/connect.ts';
import { openSqlStores } from '../../store/sql/open.ts';
import type { NewAccount } from '../../store/stores.ts';
import { seedForPlan, sqlStoreContract } from './sql-contract.ts';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-sql-'));
}

const account = (accountId: string): NewAccount => ({
  accountId,
  name: 'locked',
  email: 'a@example.com',
  kind: 'member',
  samlProviderName: 'Gatehouse',
  signInEndpoint: 'https://signin.aws.amazon.com/saml',
});

/** Another process holding SQLite's write lock on `file` for `ms`; resolves once it holds it. */
async function lockInAnotherProcess(file: string, ms: number): Promise<{ done: Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const D = require('better-sqlite3'); const d = new D(process.argv[1]); d.exec('BEGIN IMMEDIATE');
       process.stdout.write('locked\\n'); setTimeout(() => { d.exec('COMMIT'); d.close(); }, Number(process.argv[2]));`,
      file,
      String(ms),
    ],
    { cwd: path.resolve(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.on('exit', (code) => reject(new Error(`lock holder exited early (${code})`)));
  });
  return { done: new Promise((resolve) => child.on('exit', () => resolve())) };
}

describe('SQL stores on SQLite', () => {
  sqlStoreContract({
    name: 'sqlite',
    async emptyTarget() {
      const dir = tempDir();
      return {
        target: { kind: 'sqlite', file: path.join(dir, 'gatehouse.db') },
        drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
      };
    },
  });

  describe('SQLite specifics', () => {
    let dir: string;
    beforeEach(() => {
      dir = tempDir();
    });
    afterEach(() => {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('creates the missing directories of the file and puts the database in WAL mode', async () => {
      const file = path.join(dir, 'data', 'nested', 'gatehouse.db');
      const stores = await openSqlStores({ kind: 'sqlite', file });
      await stores.close();
      expect(fs.existsSync(file)).to.equal(true);
      const raw = new Database(file, { readonly: true });
      try {
        expect(raw.pragma('journal_mode', { simple: true })).to.equal('wal');
      } finally {
        raw.close();
      }
    });

    it('reports a file it cannot create as UnavailableError', async () => {
      const blocker = path.join(dir, 'not-a-directory');
      fs.writeFileSync(blocker, 'x');
      let error: unknown;
      await openSqlStores({ kind: 'sqlite', file: path.join(blocker, 'gatehouse.db') }).catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(UnavailableError);
      expect((error as UnavailableError).dependency).to.equal('sql');
    });

    it('waits out another process\'s short write lock', async function () {
      this.timeout(20_000);
      const file = path.join(dir, 'gatehouse.db');
      const stores = await openSqlStores({ kind: 'sqlite', file }, { busyTimeoutMs: 5000 });
      try {
        const lock = await lockInAnotherProcess(file, 1000);
        // The lock is really held now: a writer that does not wait is refused.
        const probe = new Database(file, { timeout: 0 });
        try {
          expect(() => probe.exec("INSERT INTO audit_events (id, at, actor, action, target, detail_json) VALUES ('p', 0, 'a', 'b', 'c', '{}')")).to.throw(/locked|busy/i);
        } finally {
          probe.close();
        }
        const started = Date.now();
        await stores.accounts.create(account('111111111111'));
        expect(Date.now() - started).to.be.at.least(50);
        expect(await stores.accounts.get('111111111111')).to.not.equal(null);
        await lock.done;
      } finally {
        await stores.close();
      }
    });

    it('lets readers through a long write lock, and gives writers UnavailableError after the busy timeout', async () => {
      const file = path.join(dir, 'gatehouse.db');
      const stores = await openSqlStores({ kind: 'sqlite', file }, { busyTimeoutMs: 150 });
      const holder = new Database(file);
      try {
        await stores.accounts.create(account('222222222222'));
        holder.exec('BEGIN IMMEDIATE');
        expect(await stores.accounts.get('222222222222')).to.not.equal(null);
        const started = Date.now();
        let error: unknown;
        await stores.accounts.create(account('333333333333')).catch((e: unknown) => (error = e));
        expect(error).to.be.instanceOf(UnavailableError);
        expect(Date.now() - started).to.be.at.least(100);
        holder.exec('ROLLBACK');
        await stores.accounts.create(account('333333333333'));
      } finally {
        holder.close();
        await stores.close();
      }
    });

    it('serves entitlements from the principal index, never a scan of assignments (EXPLAIN QUERY PLAN)', async () => {
      const file = path.join(dir, 'gatehouse.db');
      await (await openSqlStores({ kind: 'sqlite', file })).close();
      const { db } = connectSql({ kind: 'sqlite', file });
      try {
        const sample = await seedForPlan(db, 'sqlite');
        await sql`analyze`.execute(db);
        const compiled = entitlementsQuery(db, sample.userId, sample.groupIds).compile();
        const raw = new Database(file, { readonly: true });
        try {
          const parameters = compiled.parameters as unknown[];
          const plan = raw
            .prepare(`explain query plan ${compiled.sql}`)
            .all(...parameters)
            .map((r) => (r as { detail: string }).detail)
            .join('\n');
          expect(plan).to.contain('USING COVERING INDEX account_assignments_by_principal');
          expect(plan).to.not.match(/SCAN account_assignments(?! USING)/);
          // And the plan answers right: exactly the pairs the seed gave this user.
          expect(raw.prepare(compiled.sql).all(...parameters)).to.have.length(sample.expectedPairs);
        } finally {
          raw.close();
        }
      } finally {
        await db.destroy();
      }
    });
  });
});
