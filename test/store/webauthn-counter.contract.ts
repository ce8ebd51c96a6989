// MfaStore.useWebauthnCounter (store/stores.ts), run by sql-contract.ts on every backend: the
// signature counter of a WebAuthn credential only moves forward, one conditional UPDATE deciding
// for every node at once; a credential without a counter (always 0) stays usable (WebAuthn L3
// §6.1.1); a TOTP device is never touched through it.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { SqlStores } from '../../store/stores.ts';
import { newUser } from '../support/new-user.ts';

interface Fresh {
  stores: SqlStores;
  dispose(): Promise<void>;
}


export function webauthnCounterContract(freshDatabase: () => Promise<Fresh>): void {
  describe('WebAuthn signature counters', () => {
    let db: Fresh;
    let userId: string;
    const at = new Date(Date.UTC(2030, 0, 1));
    const device = (kind: 'webauthn' | 'totp', lastStep: number) =>
      db.stores.mfa.createDevice({ id: `mfa-${randomUUID()}`, userId, kind, name: kind, secretSealed: 'sealed', lastStep, createdAt: at });
    const counterOf = async (id: string) => (await db.stores.mfa.getDevice(userId, id))!.lastStep;

    beforeEach(async () => {
      db = await freshDatabase();
      userId = (await db.stores.directory.createUser(newUser())).id;
    });
    afterEach(async () => {
      await db.dispose();
    });

    it('moves forward only: a lower or equal counter changes nothing', async () => {
      const key = await device('webauthn', 3);
      expect(await db.stores.mfa.useWebauthnCounter(key.id, 2, at)).to.equal(false);
      expect(await db.stores.mfa.useWebauthnCounter(key.id, 3, at)).to.equal(false);
      expect(await counterOf(key.id)).to.equal(3);
      expect((await db.stores.mfa.getDevice(userId, key.id))!.device.lastUsedAt?.getTime()).to.equal(at.getTime());
      const later = new Date(at.getTime() + 60_000);
      expect(await db.stores.mfa.useWebauthnCounter(key.id, 4, later)).to.equal(true);
      expect(await counterOf(key.id)).to.equal(4);
      expect((await db.stores.mfa.getDevice(userId, key.id))!.device.lastUsedAt?.getTime()).to.equal(later.getTime());
    });

    it('lets an authenticator without a counter sign in again and again, and only that', async () => {
      const key = await device('webauthn', 0);
      expect(await db.stores.mfa.useWebauthnCounter(key.id, 0, at)).to.equal(true);
      expect(await db.stores.mfa.useWebauthnCounter(key.id, 0, at)).to.equal(true);
      expect(await db.stores.mfa.useWebauthnCounter(key.id, 1, at)).to.equal(true);
      expect(await db.stores.mfa.useWebauthnCounter(key.id, 0, at)).to.equal(false);
    });

    it('accepts one of two nodes reporting the same new counter at once', async () => {
      const key = await device('webauthn', 5);
      const results = await Promise.all([db.stores.mfa.useWebauthnCounter(key.id, 6, at), db.stores.mfa.useWebauthnCounter(key.id, 6, at)]);
      expect(results.filter(Boolean)).to.have.length(1);
    });

    it('never touches an authenticator app', async () => {
      const app = await device('totp', 10);
      expect(await db.stores.mfa.useWebauthnCounter(app.id, 99, at)).to.equal(false);
      expect(await counterOf(app.id)).to.equal(10);
    });
  });
}
