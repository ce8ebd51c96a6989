// Access-change events from the services that make the changes (model/access-events.ts;
// docs/architecture.md, "Events"), run by test/store/sql-contract.ts on SQLite and PostgreSQL: each
// change publishes its events in one batch once committed and never when rolled back; a cascading
// deletion publishes one assignment.removed per assignment it took; a subscriber's failure fails
// the call while the change stays committed.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { AccountService } from '../../access/accounts.ts';
import { ApplicationService } from '../../access/applications/application-service.ts';
import { AssignmentService } from '../../access/assignments.ts';
import { AccessEventBus } from '../../access/events/bus.ts';
import { InstanceSettingsService } from '../../access/instance-settings.ts';
import { PermissionSetService } from '../../access/permission-sets.ts';
import { BuiltinDirectory } from '../../directory/builtin-directory.ts';
import { GroupService } from '../../directory/groups.ts';
import { IdentitySourceConfig } from '../../directory/identity-source-config.ts';
import { PasswordHasher } from '../../directory/passwords.ts';
import { UserService } from '../../directory/users.ts';
import type { AccessEvent } from '../../model/access-events.ts';
import type { SqlStores } from '../../store/stores.ts';
import { rejection } from '../support/rejection.ts';

interface Fresh {
  stores: SqlStores;
  dispose(): Promise<void>;
}


const accountId = () => String(100000000000 + (randomBytes(5).readUIntBE(0, 5) % 899999999999));

export function accessEventsContract(freshDatabase: () => Promise<Fresh>): void {
  describe('access-change events published by the services (one database for the suite)', () => {
    let db: Fresh;
    let s: SqlStores;
    let bus: AccessEventBus;
    let batches: AccessEvent[][];
    let svc: ReturnType<typeof services>;

    const services = (stores: SqlStores, events: AccessEventBus) => {
      const assignments = new AssignmentService(stores, events);
      return {
        assignments,
        users: new UserService(stores, assignments, new PasswordHasher(), events),
        groups: new GroupService(stores, assignments, events),
        accounts: new AccountService(stores, 'https://signin.aws.amazon.com/saml', events),
        permissionSets: new PermissionSetService(stores, events),
        instance: new InstanceSettingsService(stores, events),
        applications: new ApplicationService({
          store: stores.applications,
          directory: stores.directory,
          transaction: stores.transaction,
          ownEntityIds: ['https://gatehouse.example.com/saml/metadata'],
          fetch: () => Promise.reject(new Error('no metadata is fetched in this test')),
          instanceTrust: async () => (await stores.instance.getOrCreate()).metadataTrust,
          events,
        }),
        identitySource: new IdentitySourceConfig({
          builtin: new BuiltinDirectory(stores.directory, new PasswordHasher()),
          directory: stores.directory,
          settings: stores.settings,
          transaction: stores.transaction,
          environment: null,
          key: randomBytes(32),
          events,
        }),
      };
    };

    before(async () => {
      db = await freshDatabase();
      s = db.stores;
    });
    after(async () => {
      await db?.dispose();
    });
    beforeEach(() => {
      bus = new AccessEventBus();
      batches = [];
      bus.subscribe((events) => void batches.push([...events]));
      svc = services(s, bus);
    });

    /** A user, a group, an account, two permission sets; nothing published while making them. */
    async function world() {
      const tag = randomBytes(4).toString('hex');
      const user = await svc.users.create({ userName: `u-${tag}`, displayName: 'U', attributes: { department: 'finance' } }, 'admin');
      const group = await svc.groups.create({ displayName: `g-${tag}` }, 'admin');
      const account = await svc.accounts.create({ accountId: accountId(), name: `a-${tag}`, email: `a-${tag}@example.com` }, 'admin');
      const setA = await svc.permissionSets.create({ name: `A-${tag}` }, 'admin');
      const setB = await svc.permissionSets.create({ name: `B-${tag}` }, 'admin');
      expect(batches).to.deep.equal([]);
      return { user, group, account, setA, setB };
    }
    const key = (accountIdValue: string, permissionSetId: string, principalType: 'USER' | 'GROUP', principalId: string) => ({
      accountId: accountIdValue,
      permissionSetId,
      principalType,
      principalId,
    });

    it('each change publishes what it did, in one batch per change', async () => {
      const { user, group, account, setA } = await world();
      const direct = key(account.accountId, setA.id, 'USER', user.id);

      await svc.users.update(user.id, { attributes: { department: 'engineering', team: 'core' } }, 'admin');
      await svc.users.update(user.id, { displayName: 'U2', emails: [{ value: 'u@example.com', primary: true }] }, 'admin');
      await svc.users.update(user.id, { isAdmin: true }, 'admin');
      await svc.groups.addMember(group.id, { userId: user.id }, 'admin');
      await svc.groups.removeMember(group.id, user.id, 'admin');
      await svc.assignments.create(direct, 'admin');
      await svc.assignments.delete(direct, 'admin');
      await svc.accounts.update(account.accountId, { name: 'Renamed' }, 'admin');
      await svc.permissionSets.update(setA.id, { sessionDuration: 'PT2H', relayState: null }, 'admin');
      await svc.instance.update({ accessControlAttributes: { department: 'Department' } }, 'admin');
      await svc.instance.update({ sessionDurationMinutes: 60, accessControlAttributes: { department: 'Department' } }, 'admin');
      await svc.users.update(user.id, { enabled: false, attributes: { department: 'engineering', team: 'core' } }, 'admin');

      expect(batches).to.deep.equal([
        [{ type: 'user.attributes-changed', userId: user.id, attributes: ['department', 'team'] }],
        [{ type: 'user.attributes-changed', userId: user.id, attributes: ['displayName', 'email'] }],
        // isAdmin changes nothing anyone reaches through Identity Center: nothing published.
        [{ type: 'membership.added', groupId: group.id, userId: user.id }],
        [{ type: 'membership.removed', groupId: group.id, userId: user.id }],
        [{ type: 'assignment.created', assignment: direct }],
        [{ type: 'assignment.removed', assignment: direct, cause: 'unassigned' }],
        [{ type: 'account.updated', accountId: account.accountId }],
        [{ type: 'permission-set.edited', permissionSetId: setA.id, fields: ['sessionDuration', 'relayState'] }],
        [{ type: 'instance.abac-changed', attributes: ['department'] }],
        // The same mapping again is no change of it.
        [{ type: 'user.disabled', userId: user.id }],
      ]);
    });

    it('application assignments and the identity source publish their changes too', async () => {
      const { user, group } = await world();
      const tag = randomBytes(4).toString('hex');
      const app = await svc.applications.create({ name: `app-${tag}`, entityId: `https://sp-${tag}.example.com`, acs: [{ url: `https://sp-${tag}.example.com/acs` }] }, 'admin');
      expect(batches).to.deep.equal([]);
      await svc.applications.assign(app.id, { principalType: 'USER', principalId: user.id }, 'admin');
      await svc.applications.assign(app.id, { principalType: 'GROUP', principalId: group.id }, 'admin');
      await svc.applications.unassign(app.id, { principalType: 'USER', principalId: user.id }, 'admin');
      await svc.applications.delete(app.id, false, 'admin');
      await svc.identitySource.reset('admin');
      expect(batches).to.deep.equal([
        [{ type: 'application-assignment.changed', applicationId: app.id, principal: { type: 'USER', id: user.id } }],
        [{ type: 'application-assignment.changed', applicationId: app.id, principal: { type: 'GROUP', id: group.id } }],
        [{ type: 'application-assignment.changed', applicationId: app.id, principal: { type: 'USER', id: user.id } }],
        [{ type: 'application-assignment.changed', applicationId: app.id, principal: null }],
        [{ type: 'identity-source.changed' }],
      ]);
    });

    it('deleting a user or group publishes each of its assignments as removed, then the deletion, together', async () => {
      const { user, group, account, setA, setB } = await world();
      const mine = [key(account.accountId, setA.id, 'USER', user.id), key(account.accountId, setB.id, 'USER', user.id)];
      const groups = key(account.accountId, setA.id, 'GROUP', group.id);
      for (const a of [...mine, groups]) await svc.assignments.create(a, 'admin');
      batches.length = 0;

      await svc.users.delete(user.id, 'admin');
      await svc.groups.delete(group.id, 'admin');
      expect(batches).to.have.length(2);
      expect(batches[0]!.slice(0, 2)).to.have.deep.members(mine.map((assignment) => ({ type: 'assignment.removed', assignment, cause: 'principal-deleted' })));
      expect(batches[0]![2]).to.deep.equal({ type: 'user.deleted', userId: user.id });
      expect(batches[1]).to.deep.equal([
        { type: 'assignment.removed', assignment: groups, cause: 'principal-deleted' },
        { type: 'group.deleted', groupId: group.id },
      ]);
    });

    it('a cascading deletion of an account or a permission set publishes one assignment.removed per assignment it took', async () => {
      const { user, group, account, setA, setB } = await world();
      const other = await svc.accounts.create({ accountId: accountId(), name: 'Other', email: 'other@example.com' }, 'admin');
      const onAccount = [
        key(account.accountId, setA.id, 'USER', user.id),
        key(account.accountId, setA.id, 'GROUP', group.id),
        key(account.accountId, setB.id, 'USER', user.id),
      ];
      const onSetB = key(other.accountId, setB.id, 'GROUP', group.id);
      for (const a of [...onAccount, onSetB]) await svc.assignments.create(a, 'admin');
      batches.length = 0;

      await svc.accounts.delete(account.accountId, true, 'admin');
      expect(batches).to.have.length(1);
      const [accountBatch] = batches;
      expect(accountBatch!.filter((e) => e.type === 'assignment.removed')).to.have.deep.members(
        onAccount.map((assignment) => ({ type: 'assignment.removed', assignment, cause: 'account-deleted' })),
      );
      expect(accountBatch!.at(-1)).to.deep.equal({ type: 'account.deleted', accountId: account.accountId });
      expect(accountBatch).to.have.length(4);

      // setB's assignment on the deleted account went with it: only the one left goes now.
      await svc.permissionSets.delete(setB.id, true, 'admin');
      expect(batches[1]).to.deep.equal([
        { type: 'assignment.removed', assignment: onSetB, cause: 'permission-set-deleted' },
        { type: 'permission-set.deleted', permissionSetId: setB.id },
      ]);
      // Without cascade and nothing assigned: the deletion alone.
      await svc.permissionSets.delete(setA.id, false, 'admin');
      expect(batches[2]).to.deep.equal([{ type: 'permission-set.deleted', permissionSetId: setA.id }]);
    });

    it('publishes only once the change is committed: subscribers see it done, and nothing is published for a rollback', async () => {
      const { user, account, setA } = await world();
      const direct = key(account.accountId, setA.id, 'USER', user.id);
      await svc.assignments.create(direct, 'admin');
      batches.length = 0;

      // A service call joined to a transaction that then fails: its change is undone, unannounced.
      const failed = await rejection(
        s.transaction(async () => {
          await svc.assignments.delete(direct, 'admin');
          await svc.accounts.delete(account.accountId, false, 'admin');
          throw new Error('boom');
        }),
      );
      expect((failed as Error).message).to.equal('boom');
      expect(batches).to.deep.equal([]);
      expect((await s.assignments.list({ principalId: user.id })).items).to.have.length(1);

      // Joined and committed: both changes in one batch, after the commit, when the rows are gone.
      let seenByTheSubscriber: number | undefined;
      bus.subscribe(async () => {
        seenByTheSubscriber = (await s.assignments.list({ principalId: user.id })).items.length;
      });
      await s.transaction(async () => {
        await svc.assignments.delete(direct, 'admin');
        await svc.accounts.delete(account.accountId, false, 'admin');
        expect(batches).to.deep.equal([]);
      });
      expect(batches).to.deep.equal([
        [
          { type: 'assignment.removed', assignment: direct, cause: 'unassigned' },
          { type: 'account.deleted', accountId: account.accountId },
        ],
      ]);
      expect(seenByTheSubscriber).to.equal(0);
    });

    it('a failing subscriber fails the call, the change stays committed, and the other subscribers still hear of it', async () => {
      const { user, account, setA } = await world();
      const direct = key(account.accountId, setA.id, 'USER', user.id);
      bus.subscribe(() => {
        throw new Error('the epoch could not be written');
      });
      const later: AccessEvent[] = [];
      bus.subscribe((events) => void later.push(...events));

      const failed = await rejection(svc.assignments.create(direct, 'admin'));
      expect((failed as Error).message).to.equal('the epoch could not be written');
      expect((await s.assignments.list({ principalId: user.id })).items).to.have.length(1);
      expect(batches).to.deep.equal([[{ type: 'assignment.created', assignment: direct }]]);
      expect(later).to.deep.equal([{ type: 'assignment.created', assignment: direct }]);
    });
  });
}
