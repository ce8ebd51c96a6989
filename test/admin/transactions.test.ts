// One transaction per change, seen from outside (docs/architecture.md, "Transactions"): concurrent
// PATCHes of one permission set through the admin API cannot together pass its 20-policy limit, on
// SQLite and on PostgreSQL; and the authorization epoch, which tells every node that access
// changed, is replaced once a change has committed (its access-change events are published) and
// never for one that rolled back.
import { expect } from 'chai';
import { AUTHORIZATION_EPOCH_KEY } from '../../access/authorization-epoch.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

const backends: { name: string; database(): Promise<{ env: Record<string, string>; drop(): Promise<void> }> }[] = [
  { name: 'SQLite', database: async () => ({ env: {}, drop: async () => {} }) },
  {
    name: 'PostgreSQL',
    async database() {
      const db: TestDatabase = await createTestDatabase();
      return { env: { DATABASE_URL: db.url }, drop: () => db.drop() };
    },
  },
];

for (const backend of backends) {
  describe(`one transaction per change, through the admin API (${backend.name})`, function () {
    this.timeout(60_000);
    let gh: TestGatehouse;
    let drop: () => Promise<void>;
    beforeEach(async () => {
      const database = await backend.database();
      drop = database.drop;
      gh = await startGatehouse({ env: database.env });
    });
    afterEach(async () => {
      await gh?.close();
      await drop?.();
    });

    it('20 concurrent PATCH /permission-sets/{id} on a set with 19 policies leave exactly 20; the others get 400 naming the limit', async () => {
      const managed = Array.from({ length: 18 }, (_, i) => `arn:aws:iam::aws:policy/Managed${i}`);
      const created = await gh.api('POST', '/permission-sets', { name: 'Limited', managedPolicies: managed, customerManagedPolicies: [{ name: 'Kept' }] });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const id = created.body.id as string;
      await gh.adminToken();
      // Connections open before the race (PostgreSQL pool), so the PATCHes run side by side.
      await Promise.all(Array.from({ length: 10 }, () => gh.api('GET', `/permission-sets/${id}`)));

      // Each PATCH alone makes 20. Half add a managed policy, half a customer managed policy: once
      // one kind is in, an edit of the other kind makes 21 and must be refused. (On SQLite, one
      // process reads and writes with no event-loop turn between, so there the race needs a second
      // process; the store contract runs it through the service instead.)
      const bodies = Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? { managedPolicies: [...managed, `arn:aws:iam::aws:policy/Added${i}`] }
          : { customerManagedPolicies: [{ name: 'Kept' }, { name: `Added${i}` }] },
      );
      const answers = await Promise.all(bodies.map((body) => gh.api('PATCH', `/permission-sets/${id}`, body)));

      const refused = answers.filter((a) => a.status !== 200);
      for (const answer of refused) {
        expect(answer.status, JSON.stringify(answer.body)).to.equal(400);
        expect(answer.body.detail).to.match(/at most 20 managed and customer managed policies/);
      }
      const stored = (await gh.api('GET', `/permission-sets/${id}`)).body;
      expect(stored.managedPolicies.length + stored.customerManagedPolicies.length).to.equal(20);
      expect(refused).to.have.length(10);
      // An audit record for each edit that was made, none for a refused one.
      const updates = (await gh.api('GET', '/audit?action=permission-set.update&limit=100')).body.items.filter(
        (e: { target: string }) => e.target === `permission-set/${id}`,
      );
      expect(updates).to.have.length(10);
      expect(stored.version).to.equal(11);
    });

    it('replaces the authorization epoch after a change commits, never for one that rolled back, and keeps no audit record of the rollback', async () => {
      const epoch = () => gh.services.ephemeral.get(AUTHORIZATION_EPOCH_KEY);
      const group = (await gh.api('POST', '/groups', { displayName: 'Engineers' })).body.id as string;
      const user = (await gh.api('POST', '/users', { userName: 'erin', displayName: 'Erin' })).body.id as string;
      const before = 'the epoch before';
      await gh.services.ephemeral.set(AUTHORIZATION_EPOCH_KEY, before, 3600);

      // The membership change joins a transaction that then fails: undone, and never announced.
      const failed = await gh.services.sql
        .transaction(async () => {
          await gh.services.groups.addMember(group, { userId: user }, 'tester');
          throw new Error('boom');
        })
        .catch((e: unknown) => e);
      expect((failed as Error).message).to.equal('boom');
      expect(await epoch()).to.equal(before);
      expect((await gh.api('GET', `/groups/${group}/members`)).body.items).to.deep.equal([]);
      expect((await gh.api('GET', '/audit?actor=tester')).body.items).to.deep.equal([]);

      let duringWork: string | null = null;
      await gh.services.sql.transaction(async () => {
        await gh.services.groups.addMember(group, { userId: user }, 'tester');
        duringWork = await epoch();
      });
      expect(duringWork).to.equal(before);
      const after = await epoch();
      expect(after).to.be.a('string').and.not.equal(before);
      expect((await gh.api('GET', '/audit?actor=tester')).body.items.map((e: { action: string }) => e.action)).to.deep.equal(['group.member.add']);
    });
  });
}
