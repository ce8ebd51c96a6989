// PostgreSQL settings as operators run them (docs/operations.md, "PostgreSQL"): DATABASE_READ_URL
// serves lists and the audit log and nothing else, DATABASE_POOL_SIZE bounds the connections of a
// node, DATABASE_STATEMENT_TIMEOUT_MS ends a statement that waits too long with a 503.
//
// The "replica" here is a second database holding different rows, so a test can tell which one
// answered; a real replica holds the same rows, a little late.
import { expect } from 'chai';
import pg from 'pg';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { openSqlStores } from '../../store/sql/open.ts';

async function connections(db: TestDatabase): Promise<number> {
  const client = new pg.Client({ connectionString: db.url.replace(/\/[^/]+$/, '/postgres') });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('select count(*) as n from pg_stat_activity where datname = $1', [db.name]);
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

describe('PostgreSQL settings', function () {
  this.timeout(30000);

  describe('DATABASE_READ_URL', () => {
    let primary: TestDatabase;
    let replica: TestDatabase;
    let gh: TestGatehouse;
    let org: SeededOrg;

    before(async () => {
      [primary, replica] = await Promise.all([createTestDatabase(), createTestDatabase()]);
      const other = await openSqlStores({ kind: 'postgres', url: replica.url });
      await other.accounts.create({
        accountId: '999999999999',
        name: 'Only on the replica',
        email: 'r@example.com',
        kind: 'member',
        samlProviderName: 'GatehouseIdP',
        signInEndpoint: 'https://signin.aws.amazon.com/saml',
      });
      await other.audit.append({ actor: 'system', action: 'replica.marker', target: 'instance/replica', detail: {} });
      await other.close();
      gh = await startGatehouse({ env: { DATABASE_URL: primary.url, DATABASE_READ_URL: replica.url } });
      org = await seedOrganization(gh.services, {
        users: [{ userName: 'alice', email: 'alice@example.com' }],
        accounts: [{ accountId: '111122223333', name: 'Production' }],
        permissionSets: [{ name: 'ReadOnly' }],
        assignments: [{ accountId: '111122223333', set: 'ReadOnly', user: 'alice' }],
      });
    });
    after(async () => {
      await gh?.close();
      await Promise.all([primary?.drop(), replica?.drop()]);
    });

    it('lists accounts, permission sets and assignments from the replica', async () => {
      const accounts = await gh.api('GET', '/accounts');
      expect(accounts.status).to.equal(200);
      expect(accounts.body.items.map((a: { name: string }) => a.name)).to.deep.equal(['Only on the replica']);
      expect((await gh.api('GET', '/permission-sets')).body.items).to.deep.equal([]);
      expect((await gh.api('GET', '/account-assignments')).body.items).to.deep.equal([]);
    });

    it('reads and exports the audit log from the replica', async () => {
      const page = await gh.api('GET', '/audit');
      expect(page.body.items.map((e: { action: string }) => e.action)).to.deep.equal(['replica.marker']);
      const exported = await fetch(`${gh.baseUrl}/api/v1/audit/export`, { headers: { authorization: `Bearer ${await gh.adminToken()}` } });
      expect((await exported.text()).trim().split('\n').map((l) => JSON.parse(l).action)).to.deep.equal(['replica.marker']);
    });

    it('signs in, authorizes and writes on the primary, and reads a record just written from the primary', async () => {
      // The admin token was issued against the primary (the replica has no admin), and so is a portal sign-in.
      const browser = new PortalClient(gh.baseUrl);
      expect((await browser.signIn('alice', org.users.alice!.password)).status).to.equal(303);
      const created = await gh.api('POST', '/accounts', { accountId: '444455556666', name: 'Created now', email: 'n@example.com' });
      expect(created.status).to.equal(201);
      expect((await gh.api('GET', '/accounts/444455556666')).body.name).to.equal('Created now');
      // What alice reaches is decided on the primary: the replica has neither her nor Production.
      const start = await browser.request('GET', '/start');
      expect(start.status).to.equal(200);
      expect(start.text).to.include('Production').and.not.include('Only on the replica');
      expect((await browser.federate('111122223333', 'ReadOnly')).fields.SAMLResponse).to.be.a('string');
    });

    it('the replica connection refuses writes', async () => {
      let refused: unknown;
      await gh.services.sql.lagTolerant.audit.append({ actor: 'system', action: 'should.fail', target: 'x/y', detail: {} }).catch((e: unknown) => (refused = e));
      expect(String(refused)).to.match(/read-only transaction/);
    });
  });

  it('DATABASE_POOL_SIZE bounds the connections one node opens under concurrent requests', async () => {
    const db = await createTestDatabase();
    const gh = await startGatehouse({ env: { DATABASE_URL: db.url, DATABASE_POOL_SIZE: '2' } });
    try {
      const token = await gh.adminToken();
      const answers = await Promise.all(
        Array.from({ length: 30 }, () => fetch(`${gh.baseUrl}/api/v1/accounts`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status)),
      );
      expect(new Set(answers)).to.deep.equal(new Set([200]));
      expect(await connections(db)).to.be.within(1, 2);
    } finally {
      await gh.close();
      await db.drop();
    }
  });

  it('DATABASE_STATEMENT_TIMEOUT_MS: a statement blocked past it ends in a 503 with Retry-After, long before the client deadline', async () => {
    const db = await createTestDatabase();
    const gh = await startGatehouse({ env: { DATABASE_URL: db.url, DATABASE_STATEMENT_TIMEOUT_MS: '300' } });
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    try {
      const token = await gh.adminToken();
      await locker.query('begin');
      await locker.query('lock table accounts in access exclusive mode');
      const started = Date.now();
      const blocked = await fetch(`${gh.baseUrl}/api/v1/accounts`, { headers: { authorization: `Bearer ${token}` } });
      const took = Date.now() - started;
      expect(blocked.status).to.equal(503);
      expect(blocked.headers.get('retry-after')).to.match(/^\d+$/);
      // The client-side deadline is 5 s (server/services.ts); the server cancelled the statement first.
      expect(took).to.be.below(3000);
      await locker.query('rollback');
      expect((await fetch(`${gh.baseUrl}/api/v1/accounts`, { headers: { authorization: `Bearer ${token}` } })).status).to.equal(200);
    } finally {
      await locker.end();
      await gh.close();
      await db.drop();
    }
  });
});
