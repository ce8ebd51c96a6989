// The oidc-provider adapter's contract (access/oidc/ephemeral-adapter.ts), run on both ephemeral
// backends: the embedded store on a temp SQLite file and Redis on a private redis-server.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ephemeralAdapter, grantIds, grantsOfClientKey, grantsOfUserKey, revokeGrantRecords } from '../../access/oidc/ephemeral-adapter.ts';
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';
import { EmbeddedEphemeralStore } from '../../store/ephemeral/embedded.ts';
import { openEphemeralStore } from '../../store/ephemeral/open.ts';
import { startRedisServer, type PrivateRedis } from '../support/redis-server.ts';

function adapterContract(name: string, open: () => Promise<{ store: EphemeralStore; close(): Promise<void> }>) {
  describe(`oidc adapter on the ${name} store`, function () {
    this.timeout(20000);
    let store: EphemeralStore;
    let close: () => Promise<void>;
    const clients: Record<string, Record<string, unknown>> = { 'app-1': { client_id: 'app-1', redirect_uris: ['https://rp.example/cb'] } };
    let Adapter: ReturnType<typeof ephemeralAdapter>;

    before(async () => {
      ({ store, close } = await open());
      Adapter = ephemeralAdapter({ store, clients: async (id) => clients[id], nowSeconds: () => 1_800_000_000 });
    });
    after(() => close());

    it('keeps a record until it is destroyed, with its expiry', async () => {
      const codes = new Adapter('AuthorizationCode');
      await codes.upsert('c1', { grantId: 'g1', accountId: 'u1', clientId: 'app-1' }, 60);
      expect(await codes.find('c1')).to.deep.include({ grantId: 'g1', accountId: 'u1' });
      expect(await new Adapter('AccessToken').find('c1')).to.equal(undefined, 'models do not share ids');
      expect(await store.ttl('oidc:AuthorizationCode:c1')).to.be.within(1, 60);
      await codes.destroy('c1');
      expect(await codes.find('c1')).to.equal(undefined);
    });

    it('marks a record consumed, keeping the rest and its expiry', async () => {
      const codes = new Adapter('AuthorizationCode');
      await codes.upsert('c2', { grantId: 'g2', scope: 'openid' }, 60);
      await codes.consume('c2');
      const found = await codes.find('c2');
      expect(found).to.deep.include({ consumed: 1_800_000_000, scope: 'openid' });
      expect(await store.ttl('oidc:AuthorizationCode:c2')).to.be.within(1, 60);
    });

    it('finds device codes by user code and sessions by uid', async () => {
      await new Adapter('DeviceCode').upsert('d1', { userCode: 'ABCD-EFGH' }, 600);
      expect(await new Adapter('DeviceCode').findByUserCode('ABCD-EFGH')).to.deep.include({ userCode: 'ABCD-EFGH' });
      await new Adapter('Session').upsert('s1', { uid: 'uid-1', accountId: 'u1' }, 600);
      expect(await new Adapter('Session').findByUid('uid-1')).to.deep.include({ accountId: 'u1' });
      expect(await new Adapter('Session').findByUid('uid-2')).to.equal(undefined);
    });

    it('revokes every record of a grant, and nothing of another grant', async () => {
      await new Adapter('Grant').upsert('g3', { accountId: 'u3', clientId: 'app-1' }, 3600);
      await new Adapter('AccessToken').upsert('a3', { grantId: 'g3' }, 3600);
      await new Adapter('RefreshToken').upsert('r3', { grantId: 'g3' }, 86400);
      await new Adapter('RefreshToken').upsert('r4', { grantId: 'g4' }, 86400);
      await new Adapter('AccessToken').revokeByGrantId('g3');
      expect(await new Adapter('AccessToken').find('a3')).to.equal(undefined);
      expect(await new Adapter('RefreshToken').find('r3')).to.equal(undefined);
      expect(await new Adapter('Grant').find('g3')).to.equal(undefined);
      expect(await new Adapter('RefreshToken').find('r4')).to.deep.include({ grantId: 'g4' });
    });

    it('indexes grants by user and by client, for revocation when access changes', async () => {
      await new Adapter('Grant').upsert('g5', { accountId: 'u5', clientId: 'app-5' }, 3600);
      await new Adapter('RefreshToken').upsert('r5', { grantId: 'g5' }, 86400);
      expect(await grantIds(store, grantsOfUserKey('u5'))).to.deep.equal(['g5']);
      expect(await grantIds(store, grantsOfClientKey('app-5'))).to.deep.equal(['g5']);
      await revokeGrantRecords(store, 'g5');
      expect(await new Adapter('RefreshToken').find('r5')).to.equal(undefined);
    });

    it('reads clients from the applications, never from the store', async () => {
      expect(await new Adapter('Client').find('app-1')).to.deep.include({ client_id: 'app-1' });
      expect(await new Adapter('Client').find('app-2')).to.equal(undefined);
    });
  });
}

adapterContract('embedded', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oidc-adapter-'));
  const store = new EmbeddedEphemeralStore({ file: path.join(dir, 'e.db'), timeoutMs: 1000 });
  return { store, close: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
});

let redis: PrivateRedis;
adapterContract('Redis', async () => {
  redis = await startRedisServer();
  const store = await openEphemeralStore({ redis: { kind: 'url', url: redis.url }, sqliteFile: '', timeoutMs: 1000 });
  return { store, close: async () => { await store.close(); await redis.stop(); } };
});
