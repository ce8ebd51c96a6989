// The MfaStore contract (store/stores.ts), run by sql-contract.ts on every backend: a user's
// devices oldest first; a TOTP time step is taken once, and never an older one, whoever asks at the
// same moment (RFC 6238 §5.2); recovery codes are used once; resets and deleting the user take
// everything with them. An instance upgraded from before MFA keeps it off; a new one has it on.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { NotFoundError } from '../../model/errors.ts';
import { MFA_OFF, NEW_INSTANCE_MFA_POLICY } from '../../model/mfa.ts';
import { connectSql } from '../../store/sql/connect.ts';
import { migrate } from '../../store/sql/migrate.ts';
import { migrations, type UntypedDb } from '../../store/sql/migrations.ts';
import { openSqlStores, type SqlTarget } from '../../store/sql/open.ts';
import type { NewMfaDevice, SqlStores } from '../../store/stores.ts';
import { rejection } from '../support/rejection.ts';

interface Fresh {
  stores: SqlStores;
  dispose(): Promise<void>;
}


export function mfaStoreContract(freshDatabase: () => Promise<Fresh>, emptyTarget: () => Promise<{ target: SqlTarget; drop(): Promise<void> }>): void {
  describe('MFA devices and recovery codes', () => {
    it('keeps an instance from before MFA signing in without it after the upgrade; a new instance asks at every sign-in', async () => {
      const { target, drop } = await emptyTarget();
      try {
        const { db: raw, dialect } = connectSql(target);
        // By its name without the number, which may change when migrations of other work are merged.
        const before = migrations.findIndex((m) => m.name.endsWith('_mfa'));
        expect(before).to.be.above(0);
        const at = dialect === 'postgres' ? new Date() : Date.now();
        try {
          await migrate(raw, dialect, migrations.slice(0, before));
          const old = raw as unknown as UntypedDb;
          await old.insertInto('instance').values({ singleton: 1, id: 'ssoins-old', arn: 'arn:aws:sso:::instance/ssoins-old', management_account_id: null, session_duration_minutes: 480, access_control_attributes_json: '{}', metadata_trust_json: null, created_at: at, updated_at: at }).execute();
        } finally {
          await raw.destroy();
        }
        const stores = await openSqlStores(target);
        try {
          expect((await stores.instance.getOrCreate()).mfa).to.deep.equal(MFA_OFF);
        } finally {
          await stores.close();
        }
      } finally {
        await drop();
      }
      const fresh = await freshDatabase();
      try {
        expect((await fresh.stores.instance.getOrCreate()).mfa).to.deep.equal(NEW_INSTANCE_MFA_POLICY);
      } finally {
        await fresh.dispose();
      }
    });

    let db: Fresh;
    before(async () => {
      db = await freshDatabase();
    });
    after(async () => db?.dispose());

    async function user(): Promise<string> {
      const id = randomUUID();
      await db.stores.directory.createUser({ id, userName: `mfa-${id.slice(0, 8)}`, displayName: 'Mfa Person', name: { givenName: 'M', familyName: 'P' }, emails: [], attributes: {}, enabled: true, isAdmin: false, source: 'builtin', externalId: null });
      return id;
    }
    const device = (userId: string, over: Partial<NewMfaDevice> = {}): NewMfaDevice => ({
      id: `mfa-${randomUUID()}`,
      userId,
      kind: 'totp',
      name: 'Phone',
      secretSealed: 'v1.sealed',
      lastStep: 100,
      createdAt: new Date('2026-12-01T10:00:00Z'),
      ...over,
    });

    it('keeps devices per user, oldest first, renames and deletes them, and refuses a device for no user', async () => {
      const [a, b] = [await user(), await user()];
      const second = await db.stores.mfa.createDevice(device(a, { name: 'Tablet', createdAt: new Date('2026-12-02T10:00:00Z') }));
      const first = await db.stores.mfa.createDevice(device(a));
      await db.stores.mfa.createDevice(device(b));
      expect((await db.stores.mfa.listDevices(a)).map((d) => d.name)).to.deep.equal(['Phone', 'Tablet']);
      expect(first).to.include({ userId: a, kind: 'totp' });
      expect((await db.stores.mfa.getDevice(a, first.id))!.lastStep).to.equal(100);
      expect(await db.stores.mfa.getDevice(b, first.id)).to.equal(null);
      expect((await db.stores.mfa.renameDevice(a, second.id, 'Work tablet')).name).to.equal('Work tablet');
      expect(await rejection(db.stores.mfa.renameDevice(b, second.id, 'x'))).to.be.instanceOf(NotFoundError);
      expect(await rejection(db.stores.mfa.deleteDevice(b, second.id))).to.be.instanceOf(NotFoundError);
      await db.stores.mfa.deleteDevice(a, second.id);
      expect((await db.stores.mfa.listDevices(a)).map((d) => d.id)).to.deep.equal([first.id]);
      expect(await rejection(db.stores.mfa.createDevice(device('no-such-user')))).to.be.instanceOf(NotFoundError);
    });

    it('takes each time step once and never an older one, even when two ask at once', async () => {
      const a = await user();
      const d = await db.stores.mfa.createDevice(device(a));
      const at = new Date('2026-12-06T03:00:00Z');
      expect(await db.stores.mfa.useTotpStep(d.id, 100, at)).to.equal(false);
      expect(await db.stores.mfa.useTotpStep(d.id, 99, at)).to.equal(false);
      const both = await Promise.all([db.stores.mfa.useTotpStep(d.id, 101, at), db.stores.mfa.useTotpStep(d.id, 101, at)]);
      expect(both.filter(Boolean)).to.have.length(1);
      expect((await db.stores.mfa.getDevice(a, d.id))!.device.lastUsedAt?.toISOString()).to.equal(at.toISOString());
      expect(await db.stores.mfa.useTotpStep(d.id, 102, at)).to.equal(true);
    });

    it('uses each recovery code once, replaces them all, and resets or deletes everything with the user', async () => {
      const a = await user();
      await db.stores.mfa.createDevice(device(a));
      await db.stores.mfa.replaceRecoveryCodes(a, ['h1', 'h2', 'h3']);
      const at = new Date();
      expect(await db.stores.mfa.useRecoveryCode(a, 'h1', at)).to.equal(true);
      expect(await db.stores.mfa.useRecoveryCode(a, 'h1', at)).to.equal(false);
      expect(await db.stores.mfa.useRecoveryCode(a, 'nope', at)).to.equal(false);
      expect(await db.stores.mfa.countUnusedRecoveryCodes(a)).to.equal(2);
      await db.stores.mfa.replaceRecoveryCodes(a, ['h4']);
      expect(await db.stores.mfa.useRecoveryCode(a, 'h2', at)).to.equal(false);
      expect(await db.stores.mfa.countUnusedRecoveryCodes(a)).to.equal(1);
      expect(await db.stores.mfa.deleteAllForUser(a)).to.equal(1);
      expect(await db.stores.mfa.listDevices(a)).to.deep.equal([]);
      expect(await db.stores.mfa.countUnusedRecoveryCodes(a)).to.equal(0);

      const b = await user();
      await db.stores.mfa.createDevice(device(b));
      await db.stores.mfa.replaceRecoveryCodes(b, ['h5']);
      await db.stores.directory.deleteUser(b);
      expect(await db.stores.mfa.listDevices(b)).to.deep.equal([]);
      expect(await db.stores.mfa.countUnusedRecoveryCodes(b)).to.equal(0);
    });
  });
}
