// The admin policy is checked again inside the transaction of the write it allows
// (access/admin/admin-policy.ts guardWrites), on SQLite and on PostgreSQL: a change that takes a
// delegated administrator's role away, or assigns a permission set to the management account,
// while their call is under way, cannot slip between the check and the write. The other change is
// held open in a transaction of its own; the call is refused with 403, writes nothing, and the
// refusal is audited. On PostgreSQL the call's transaction is seen waiting for the held row (the
// check's FOR SHARE / FOR UPDATE) before the other change commits.
import { expect } from 'chai';
import pg from 'pg';
import { createPerson, tokenOf } from '../support/admin-people.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

const MANAGEMENT = '111111111111';
const DELEGATED = '222222222222';
const MEMBER = '333333333333';

const backends: { name: string; database(): Promise<TestDatabase | null> }[] = [
  { name: 'SQLite', database: async () => null },
  { name: 'PostgreSQL', database: () => createTestDatabase() },
];

/** A latch: `open()` lets whoever awaits `passed` through. */
function latch() {
  let open!: () => void;
  const passed = new Promise<void>((resolve) => (open = resolve));
  return { open, passed };
}

for (const backend of backends) {
  describe(`admin policy inside the write's transaction (${backend.name})`, function () {
    this.timeout(60_000);
    let gh: TestGatehouse;
    let db: TestDatabase | null;
    let dora: { id: string; token: string };
    let uma: { id: string };
    let memberSet: string;

    /** Resolves once some statement on the test database waits for a lock (PostgreSQL); at once on SQLite, whose one writer queues everything. */
    async function someoneWaitsForALock(): Promise<void> {
      if (!db) return;
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        for (let i = 0; i < 300; i++) {
          const { rows } = await client.query("select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'");
          if (rows[0].n > 0) return;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        throw new Error('no statement ever waited for the held row');
      } finally {
        await client.end();
      }
    }

    const refusals = async () => (await gh.api('GET', `/audit?outcome=refused&actor=${dora.id}&limit=1000`)).body.items as any[];

    beforeEach(async () => {
      db = await backend.database();
      gh = await startGatehouse({ env: db ? { DATABASE_URL: db.url } : {} });
      await gh.api('POST', '/accounts', { accountId: MANAGEMENT, name: 'Management', email: 'mgmt@example.com', kind: 'management' });
      await gh.api('POST', '/accounts', { accountId: DELEGATED, name: 'Identity', email: 'identity@example.com' });
      await gh.api('POST', '/accounts', { accountId: MEMBER, name: 'Workloads', email: 'work@example.com' });
      memberSet = (await gh.api('POST', '/permission-sets', { name: 'Developer' })).body.id;
      uma = await createPerson(gh, 'uma');
      const person = await createPerson(gh, 'dora');
      await gh.api('PUT', '/delegated-administrator', { accountId: DELEGATED, administrators: [{ principalType: 'USER', principalId: person.id }] });
      dora = { id: person.id, token: await tokenOf(gh, 'dora') };
      // Pool connections open before the race, so the call and the held transaction run side by side.
      await Promise.all(Array.from({ length: 6 }, () => gh.api('GET', '/accounts', undefined, dora.token)));
    });
    afterEach(async () => {
      await gh?.close();
      await db?.drop();
    });

    it('refuses a write whose author loses the role while it is under way, and writes nothing', async () => {
      const release = latch();
      const revoked = latch();
      const held = gh.services.sql.transaction(async (tx) => {
        await tx.adminRoles.revoke('USER', dora.id);
        revoked.open();
        await release.passed;
      });
      await revoked.passed;
      const call = gh.api('POST', '/account-assignments', { accountId: MEMBER, permissionSetId: memberSet, principalType: 'USER', principalId: uma.id }, dora.token);
      try {
        await someoneWaitsForALock();
      } finally {
        release.open();
      }
      await held;
      const answer = await call;
      expect(answer.status, JSON.stringify(answer.body)).to.equal(403);
      expect((await gh.api('GET', `/account-assignments?accountId=${MEMBER}`)).body.items).to.have.length(0);
      if (db) {
        // The early check passed (the revocation was not committed yet): the transaction's check refused.
        expect(answer.body.detail).to.match(/admin role was taken away/);
        const [event] = await refusals();
        expect(event.detail).to.include({ checkedInTransaction: true, attempted: 'assignment.change' });
        expect(event).to.include({ actorName: 'dora', outcome: 'refused' });
      }
    });

    it('refuses an edit of a permission set assigned to the management account while the edit is under way', async () => {
      const release = latch();
      const assigned = latch();
      const held = gh.services.sql.transaction(async (tx) => {
        await tx.assignments.create({ accountId: MANAGEMENT, permissionSetId: memberSet, principalType: 'USER', principalId: uma.id });
        assigned.open();
        await release.passed;
      });
      await assigned.passed;
      const call = gh.api('PATCH', `/permission-sets/${memberSet}`, { description: 'edited by the delegated administrator' }, dora.token);
      try {
        await someoneWaitsForALock();
      } finally {
        release.open();
      }
      await held;
      const answer = await call;
      expect(answer.status, JSON.stringify(answer.body)).to.equal(403);
      expect(answer.body.detail).to.match(/permission set provisioned to the management account/);
      expect((await gh.api('GET', `/permission-sets/${memberSet}`)).body.description ?? '').not.to.include('delegated');
      const [event] = await refusals();
      expect(event.detail).to.include({ attempted: 'permission-set.change' });
      if (db) expect(event.detail).to.include({ checkedInTransaction: true });
    });

    it('lets the same write through when nothing changes meanwhile', async () => {
      const answer = await gh.api('POST', '/account-assignments', { accountId: MEMBER, permissionSetId: memberSet, principalType: 'USER', principalId: uma.id }, dora.token);
      expect(answer.status, JSON.stringify(answer.body)).to.equal(201);
    });
  });
}
