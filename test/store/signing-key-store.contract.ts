// The SigningKeyStore contract (store/stores.ts), run by sql-contract.ts on every backend, each test
// on a fresh database: one next, one current, one previous key at most, whoever acts at once;
// promote and retire change nothing when refused; a retired key loses its private key but its
// certificate is never stored again.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { ConflictError, NotFoundError } from '../../model/errors.ts';
import { newSigningKeyId } from '../../model/ids.ts';
import type { SqlStores, NewSigningKey } from '../../store/stores.ts';
import { rejection } from '../support/rejection.ts';

interface Fresh {
  stores: SqlStores;
  dispose(): Promise<void>;
}

const key = (status: 'next' | 'current', fingerprint = randomBytes(32).toString('hex')): NewSigningKey => ({
  id: newSigningKeyId(),
  status,
  origin: 'generated',
  certificatePem: `-----BEGIN CERTIFICATE-----\n${fingerprint}\n-----END CERTIFICATE-----\n`,
  fingerprintSha256: fingerprint,
  privateKeySealed: `v1.sealed.${fingerprint}`,
});


export function signingKeyStoreContract(freshDatabase: () => Promise<Fresh>): void {
  describe('signing keys (each test on a fresh database)', () => {
    let db: Fresh;
    beforeEach(async () => {
      db = await freshDatabase();
    });
    afterEach(async () => {
      await db?.dispose();
    });

    it('stores a key and reads it back exactly, dates as Date', async () => {
      const s = db.stores.signingKeys;
      const at = new Date('2030-01-02T03:04:05.678Z');
      const given = key('current');
      const stored = await s.insert(given, at);
      expect(stored).to.deep.equal({ ...given, createdAt: at, promotedAt: at, retiredAt: null });
      expect(await s.get(given.id)).to.deep.equal(stored);
      expect(await s.list()).to.deep.equal([stored]);
      expect(await s.get('sk-0000000000000000')).to.equal(null);
    });

    it('holds one next and one current key, and a certificate only once', async () => {
      const s = db.stores.signingKeys;
      const current = key('current');
      await s.insert(current, new Date());
      expect(await rejection(s.insert(key('current'), new Date()))).to.be.instanceOf(ConflictError);
      await s.insert(key('next'), new Date());
      const second = await rejection(s.insert(key('next'), new Date()));
      expect(second).to.be.instanceOf(ConflictError);
      expect((second as Error).message).to.match(/next signing key already exists/);
      // Several nodes staging at once: exactly one wins.
      const racing = await freshDatabase();
      try {
        await racing.stores.signingKeys.insert(key('current'), new Date());
        const results = await Promise.allSettled([1, 2, 3].map(() => racing.stores.signingKeys.insert(key('next'), new Date())));
        expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
        expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof ConflictError)).to.equal(true);
      } finally {
        await racing.dispose();
      }
      const same = await rejection(s.insert({ ...key('next'), fingerprintSha256: current.fingerprintSha256 }, new Date()));
      expect(same).to.be.instanceOf(ConflictError);
    });

    it('promotes next to current and current to previous in one step; retires previous and next, erasing the private key', async () => {
      const s = db.stores.signingKeys;
      const first = await s.insert(key('current'), new Date('2030-01-01T00:00:00Z'));
      const second = await s.insert(key('next'), new Date('2030-02-01T00:00:00Z'));
      const promotedAt = new Date('2030-03-01T00:00:00Z');
      await s.promote(second.id, promotedAt);
      expect(await s.get(second.id)).to.deep.include({ status: 'current', promotedAt });
      expect(await s.get(first.id)).to.deep.include({ status: 'previous', promotedAt: first.promotedAt });

      // With a previous key still published, nothing is promoted.
      const third = await s.insert(key('next'), new Date('2030-04-01T00:00:00Z'));
      const blocked = await rejection(s.promote(third.id, new Date()));
      expect(blocked).to.be.instanceOf(ConflictError);
      expect((blocked as Error).message).to.include(first.id);
      expect((await s.list()).map((k) => k.status)).to.deep.equal(['previous', 'current', 'next']);

      const retiredAt = new Date('2030-05-01T00:00:00Z');
      await s.retire(first.id, retiredAt);
      expect(await s.get(first.id)).to.deep.include({ status: 'retired', privateKeySealed: null, retiredAt });
      await s.retire(third.id, retiredAt);
      expect(await s.get(third.id)).to.deep.include({ status: 'retired', privateKeySealed: null });
      // Two retired keys side by side; the retired certificate is never stored again.
      expect((await s.list()).map((k) => k.status)).to.deep.equal(['retired', 'current', 'retired']);
      expect(await rejection(s.insert({ ...key('next'), fingerprintSha256: first.fingerprintSha256 }, new Date()))).to.be.instanceOf(ConflictError);
    });

    it('refuses to promote anything but the next key, or to retire the current one, and changes nothing', async () => {
      const s = db.stores.signingKeys;
      const current = await s.insert(key('current'), new Date());
      expect(await rejection(s.promote(current.id, new Date()))).to.be.instanceOf(ConflictError);
      expect(await rejection(s.retire(current.id, new Date()))).to.be.instanceOf(ConflictError);
      expect(await rejection(s.promote('sk-0000000000000000', new Date()))).to.be.instanceOf(NotFoundError);
      expect(await rejection(s.retire('sk-0000000000000000', new Date()))).to.be.instanceOf(NotFoundError);
      const next = await s.insert(key('next'), new Date());
      await s.retire(next.id, new Date());
      expect(await rejection(s.retire(next.id, new Date()))).to.be.instanceOf(ConflictError);
      expect(await rejection(s.promote(next.id, new Date()))).to.be.instanceOf(ConflictError);
      expect(await s.get(current.id)).to.deep.equal(current);
    });

    it('lets exactly one of several promotions at once through', async () => {
      const s = db.stores.signingKeys;
      await s.insert(key('current'), new Date());
      const next = await s.insert(key('next'), new Date());
      const results = await Promise.allSettled([1, 2, 3].map(() => s.promote(next.id, new Date())));
      expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
      expect((await s.list()).map((k) => k.status).sort()).to.deep.equal(['current', 'previous']);
    });
  });
}
