// The contract of the stores behind administration (store/stores.ts), run by sql-contract.ts on
// every backend: admin roles of users and groups, the one delegated administrator account, API
// tokens listed and revoked by id, and the audit log's filters, context and retention purge.
import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { ConflictError, NotFoundError } from '../../model/errors.ts';
import type { SqlStores } from '../../store/stores.ts';
import { connectSql } from '../../store/sql/connect.ts';
import { migrate } from '../../store/sql/migrate.ts';
import { migrations, type UntypedDb } from '../../store/sql/migrations.ts';
import { openSqlStores, type SqlTarget } from '../../store/sql/open.ts';
import { rejection } from '../support/rejection.ts';
import { newUser } from '../support/new-user.ts';

interface Fresh {
  stores: SqlStores;
  dispose(): Promise<void>;
}

const hex = (n: number) => randomBytes(n).toString('hex');



const account = (accountId: string) => ({
  accountId,
  name: `acct ${accountId}`,
  email: 'a@example.com',
  kind: 'member' as const,
  samlProviderName: 'Gatehouse',
  signInEndpoint: 'https://signin.aws.amazon.com/saml',
});

export function adminStoresContract(freshDatabase: () => Promise<Fresh>, emptyTarget: () => Promise<{ target: SqlTarget; drop(): Promise<void> }>): void {
  describe('administration stores (a fresh database per test)', () => {
    it('upgrades a database of the previous schema: its API tokens get an id and the administrator role, its audit events the outcome success', async () => {
      const { target, drop } = await emptyTarget();
      try {
        const { db: raw, dialect } = connectSql(target);
        // By its name without the number, which may change when migrations of other work are merged.
        const before = migrations.findIndex((m) => m.name.endsWith('_admin_roles_and_audit'));
        expect(before).to.be.above(0);
        const hash = 'ab'.repeat(32);
        const at = dialect === 'postgres' ? new Date() : Date.now();
        const later = dialect === 'postgres' ? new Date(Date.now() + 3_600_000) : Date.now() + 3_600_000;
        try {
          await migrate(raw, dialect, migrations.slice(0, before));
          const db = raw as unknown as UntypedDb;
          await db.insertInto('directory_users').values({ id: 'u1', user_name: 'old', user_name_key: 'old', display_name: 'Old', display_name_key: 'old', name_json: '{}', emails_json: '[]', attributes_json: '{}', enabled: dialect === 'postgres' ? true : 1, is_admin: dialect === 'postgres' ? true : 1, source: 'builtin', external_id: null, created_at: at, updated_at: at }).execute();
          await db.insertInto('api_tokens').values({ hash, user_id: 'u1', created_at: at, expires_at: later }).execute();
          await db.insertInto('audit_events').values({ id: 'e1', at, actor: 'u1', action: 'user.create', target: 'user/u1', detail_json: '{}' }).execute();
        } finally {
          await raw.destroy();
        }
        const stores = await openSqlStores(target);
        try {
          expect(await stores.apiTokens.find(hash)).to.include({ id: `tok-${hash.slice(0, 16)}`, role: 'administrator', userId: 'u1' });
          expect((await stores.apiTokens.get(`tok-${hash.slice(0, 16)}`))!.hash).to.equal(hash);
          expect((await stores.audit.list({ actor: 'u1' })).items[0]).to.include({ outcome: 'success', actorName: null, address: null });
          expect(await stores.adminRoles.rolesOf('u1', [])).to.deep.equal(['administrator']);
        } finally {
          await stores.close();
        }
      } finally {
        await drop();
      }
    });

    let db: Fresh;
    let s: SqlStores;
    beforeEach(async () => {
      db = await freshDatabase();
      s = db.stores;
    });
    afterEach(async () => {
      await db.dispose();
    });

    it('gives users and groups one admin role each, a user\'s administrator role being its isAdmin flag', async () => {
      const first = await s.directory.createUser(newUser({ isAdmin: true }));
      const ada = await s.directory.createUser(newUser());
      const group = await s.directory.createGroup({ id: randomUUID(), displayName: 'admins', description: '', source: 'builtin', externalId: null });
      await s.directory.addMember(group.id, ada.id);
      const at = new Date('2030-01-01T00:00:00.000Z');

      expect(await s.adminRoles.rolesOf(first.id, [])).to.deep.equal(['administrator']);
      expect(await s.adminRoles.rolesOf(ada.id, [group.id])).to.deep.equal([]);

      await s.adminRoles.grant({ principalType: 'GROUP', principalId: group.id, role: 'delegated-administrator', grantedAt: at, grantedBy: first.id });
      expect(await s.adminRoles.rolesOf(ada.id, [group.id])).to.deep.equal(['delegated-administrator']);
      expect(await s.adminRoles.rolesOf(ada.id, [])).to.deep.equal([]);

      // A user's grant replaces its previous one, across the flag and the table.
      await s.adminRoles.grant({ principalType: 'USER', principalId: ada.id, role: 'administrator', grantedAt: at, grantedBy: first.id });
      expect((await s.directory.getUser(ada.id))!.isAdmin).to.equal(true);
      await s.adminRoles.grant({ principalType: 'USER', principalId: ada.id, role: 'delegated-administrator', grantedAt: at, grantedBy: first.id });
      expect((await s.directory.getUser(ada.id))!.isAdmin).to.equal(false);
      expect((await s.adminRoles.get('USER', ada.id))!.role).to.equal('delegated-administrator');
      expect((await s.adminRoles.rolesOf(ada.id, [group.id])).sort()).to.deep.equal(['delegated-administrator']);

      const listed = await s.adminRoles.list();
      expect(listed.map((g) => `${g.principalType}/${g.principalId}/${g.role}`).sort()).to.deep.equal(
        [`GROUP/${group.id}/delegated-administrator`, `USER/${ada.id}/delegated-administrator`, `USER/${first.id}/administrator`].sort(),
      );
      expect(listed.find((g) => g.principalId === group.id)).to.deep.equal({ principalType: 'GROUP', principalId: group.id, role: 'delegated-administrator', grantedAt: at, grantedBy: first.id });

      await s.adminRoles.revoke('USER', ada.id);
      await s.adminRoles.revoke('USER', first.id);
      expect((await s.directory.getUser(first.id))!.isAdmin).to.equal(false);
      expect(await s.adminRoles.get('USER', first.id)).to.equal(null);
      expect(await rejection(s.adminRoles.revoke('USER', ada.id))).to.be.instanceOf(NotFoundError);
      expect(await rejection(s.adminRoles.grant({ principalType: 'GROUP', principalId: randomUUID(), role: 'administrator', grantedAt: at, grantedBy: 'x' }))).to.be.instanceOf(NotFoundError);

      // Deleting the group takes its grant along.
      await s.directory.deleteGroup(group.id);
      expect(await s.adminRoles.get('GROUP', group.id)).to.equal(null);
    });

    it('registers one delegated administrator account at a time; deleting the account deregisters it', async () => {
      await s.accounts.create(account('111111111111'));
      await s.accounts.create(account('222222222222'));
      expect(await s.delegatedAdministrator.get()).to.equal(null);
      const at = new Date('2030-02-03T04:05:06.789Z');
      await s.delegatedAdministrator.register({ accountId: '111111111111', registeredAt: at, registeredBy: 'admin-id' });
      expect(await rejection(s.delegatedAdministrator.register({ accountId: '222222222222', registeredAt: at, registeredBy: 'admin-id' }))).to.be.instanceOf(ConflictError);
      expect(await s.delegatedAdministrator.get()).to.deep.equal({ accountId: '111111111111', registeredAt: at, registeredBy: 'admin-id' });
      await s.delegatedAdministrator.deregister();
      expect(await rejection(s.delegatedAdministrator.deregister())).to.be.instanceOf(NotFoundError);
      expect(await rejection(s.delegatedAdministrator.register({ accountId: '333333333333', registeredAt: at, registeredBy: 'x' }))).to.be.instanceOf(NotFoundError);
      await s.delegatedAdministrator.register({ accountId: '222222222222', registeredAt: at, registeredBy: 'admin-id' });
      await s.accounts.delete('222222222222', { cascade: true });
      expect(await s.delegatedAdministrator.get()).to.equal(null);
    });

    it('lists API tokens newest first, per user, with their role, and revokes one by id', async () => {
      const a = await s.directory.createUser(newUser());
      const b = await s.directory.createUser(newUser());
      const later = new Date(Date.now() + 3_600_000);
      const t1 = await s.apiTokens.create({ hash: hex(32), userId: a.id, role: 'delegated-administrator', createdAt: new Date(Date.now() - 2000), expiresAt: later });
      const t2 = await s.apiTokens.create({ hash: hex(32), userId: a.id, createdAt: new Date(Date.now() - 1000), expiresAt: later });
      const t3 = await s.apiTokens.create({ hash: hex(32), userId: b.id, createdAt: new Date(), expiresAt: later });
      await s.apiTokens.create({ hash: hex(32), userId: b.id, createdAt: new Date(Date.now() - 5000), expiresAt: new Date(Date.now() - 1) });
      expect((await s.apiTokens.list()).items.map((t) => t.id)).to.deep.equal([t3.id, t2.id, t1.id]);
      expect((await s.apiTokens.list({ userId: a.id })).items).to.deep.equal([t2, t1]);
      const page = await s.apiTokens.list({ limit: 2 });
      expect(page.items).to.have.length(2);
      expect((await s.apiTokens.list({ limit: 2, nextToken: page.nextToken })).items.map((t) => t.id)).to.deep.equal([t1.id]);
      expect((await s.apiTokens.get(t1.id))!.role).to.equal('delegated-administrator');
      await s.apiTokens.deleteById(t1.id);
      expect(await s.apiTokens.get(t1.id)).to.equal(null);
      expect(await s.apiTokens.find(t1.hash)).to.equal(null);
      expect(await rejection(s.apiTokens.deleteById(t1.id))).to.be.instanceOf(NotFoundError);
    });

    it('filters the audit log by time range, object and outcome, and purges only what is older than the retention', async () => {
      const base = Date.parse('2030-06-01T00:00:00.000Z');
      const at = (minutes: number) => new Date(base + minutes * 60_000);
      await s.audit.append({ actor: 'u1', action: 'user.update', target: 'user/1', detail: { before: { a: 1 }, after: { a: 2 } }, at: at(0) });
      await s.audit.append({ actor: 'u1', action: 'admin.refused', target: 'instance/x', detail: {}, outcome: 'refused', actorName: 'ada', address: '192.0.2.1', at: at(10) });
      await s.audit.append({ actor: 'u2', action: 'user.update', target: 'user/2', detail: {}, at: at(20) });
      const ids = async (q: Parameters<SqlStores['audit']['list']>[0]) => (await s.audit.list(q)).items.map((e) => e.target);
      expect(await ids({ from: at(0), to: at(20) })).to.deep.equal(['instance/x', 'user/1']);
      expect(await ids({ from: at(10) })).to.deep.equal(['user/2', 'instance/x']);
      expect(await ids({ target: 'user/1' })).to.deep.equal(['user/1']);
      expect(await ids({ outcome: 'refused' })).to.deep.equal(['instance/x']);
      const [refused] = (await s.audit.list({ outcome: 'refused' })).items;
      expect(refused).to.include({ actorName: 'ada', address: '192.0.2.1', outcome: 'refused' });
      const [edit] = (await s.audit.list({ target: 'user/1' })).items;
      expect(edit).to.include({ actorName: null, address: null, outcome: 'success' });
      expect(edit!.detail).to.deep.equal({ before: { a: 1 }, after: { a: 2 } });

      expect(await s.audit.purgeBefore(at(10))).to.equal(1);
      expect(await ids({})).to.deep.equal(['user/2', 'instance/x']);
      expect(await s.audit.purgeBefore(at(30), 1)).to.equal(1);
      expect(await ids({})).to.deep.equal(['user/2']);
    });
  });
}
