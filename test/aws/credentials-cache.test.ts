// The role-credential cache on the embedded ephemeral store (the Redis path is covered through
// HTTP in portal-api-redis.test.ts): encrypted and bound to its entry, kept until 5 minutes
// before expiry, purged per user, per (account, permission set), and all at once.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { CACHE_MARGIN_SECONDS, CredentialCache, type RoleCredentials } from '../../access/credential-cache.ts';
import { EmbeddedEphemeralStore } from '../../store/ephemeral/embedded.ts';

const creds = (lifetimeSeconds: number, tag = 'A'): RoleCredentials => ({
  accessKeyId: `ASIA${tag.repeat(16)}`,
  secretAccessKey: randomBytes(30).toString('base64'),
  sessionToken: randomBytes(200).toString('base64'),
  expiration: new Date(Date.now() + lifetimeSeconds * 1000),
});

describe('role-credential cache', () => {
  let dir: string;
  let store: EmbeddedEphemeralStore;
  let cache: CredentialCache;
  const key = randomBytes(32);

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gatehouse-cache-'));
    store = new EmbeddedEphemeralStore({ file: path.join(dir, 'ephemeral.db'), timeoutMs: 1000 });
    cache = new CredentialCache(store, key);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('returns what was put, for that user, account and permission set only', async () => {
    const c = creds(3600);
    await cache.put('u1', '111122223333', 'ps-1', c);
    expect(await cache.get('u1', '111122223333', 'ps-1')).to.deep.equal(c);
    expect(await cache.get('u2', '111122223333', 'ps-1')).to.equal(null);
    expect(await cache.get('u1', '444455556666', 'ps-1')).to.equal(null);
    expect(await cache.get('u1', '111122223333', 'ps-2')).to.equal(null);
  });

  it('stores only ciphertext, which neither another entry nor another key can open, nor a tampered copy', async () => {
    const c = creds(3600);
    await cache.put('u1', '111122223333', 'ps-1', c);
    const raw = (await store.get('role-creds:u1:111122223333:ps-1'))!;
    for (const secret of [c.accessKeyId, c.secretAccessKey, c.sessionToken]) expect(raw).to.not.include(secret);

    await store.set('role-creds:u2:111122223333:ps-1', raw, 3600);
    expect(await cache.get('u2', '111122223333', 'ps-1')).to.equal(null);
    expect(await new CredentialCache(store, randomBytes(32)).get('u1', '111122223333', 'ps-1')).to.equal(null);

    const [v, iv, tag, body] = raw.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0]! ^= 1;
    for (const tampered of [
      [v, iv, tag, flipped.toString('base64url')].join('.'),
      [v, iv, Buffer.from(tag!, 'base64url').subarray(0, 4).toString('base64url'), body].join('.'),
      'v1.garbage',
      '',
    ]) {
      await store.set('role-creds:u1:111122223333:ps-1', tampered || 'x', 3600);
      expect(await cache.get('u1', '111122223333', 'ps-1')).to.equal(null);
    }
  });

  it('keeps an entry until 5 minutes before the credentials expire, and not at all when they are about to', async () => {
    await cache.put('u1', '111122223333', 'ps-1', creds(3600));
    expect(await store.ttl('role-creds:u1:111122223333:ps-1')).to.be.within(3600 - CACHE_MARGIN_SECONDS - 2, 3600 - CACHE_MARGIN_SECONDS);
    // Within the margin it is a miss even if the store still holds it.
    expect(await cache.get('u1', '111122223333', 'ps-1', Date.now() + (3600 - 299) * 1000)).to.equal(null);
    expect(await cache.get('u1', '111122223333', 'ps-1', Date.now() + (3600 - 310) * 1000)).to.not.equal(null);

    await cache.put('u1', '111122223333', 'ps-2', creds(CACHE_MARGIN_SECONDS));
    expect(await store.get('role-creds:u1:111122223333:ps-2')).to.equal(null);
  });

  it("purges one user's entries, or every user's entries of one (account, permission set)", async () => {
    await cache.put('u1', '111122223333', 'ps-1', creds(3600));
    await cache.put('u1', '444455556666', 'ps-2', creds(3600));
    await cache.put('u2', '111122223333', 'ps-1', creds(3600));
    await cache.put('u2', '444455556666', 'ps-2', creds(3600));

    expect(await cache.purgeUser('u1')).to.equal(2);
    expect(await cache.get('u1', '111122223333', 'ps-1')).to.equal(null);
    expect(await cache.get('u1', '444455556666', 'ps-2')).to.equal(null);
    expect(await cache.get('u2', '111122223333', 'ps-1')).to.not.equal(null);

    await cache.put('u1', '111122223333', 'ps-1', creds(3600));
    await cache.purgePair('111122223333', 'ps-1');
    expect(await cache.get('u1', '111122223333', 'ps-1')).to.equal(null);
    expect(await cache.get('u2', '111122223333', 'ps-1')).to.equal(null);
    expect(await cache.get('u2', '444455556666', 'ps-2')).to.not.equal(null);
    expect(await cache.purgePair('999999999999', 'ps-9')).to.equal(0);
  });

  it('purges every entry of every user at once (the attribute → session tag mapping changed)', async () => {
    for (let i = 0; i < 600; i++) await cache.put(`u${i}`, '111122223333', `ps-${i % 3}`, creds(3600));
    expect(await cache.purgeAll()).to.equal(600);
    for (const i of [0, 299, 599]) expect(await cache.get(`u${i}`, '111122223333', `ps-${i % 3}`)).to.equal(null);
    // Entries put after the purge are kept, and found by the next one.
    await cache.put('u1', '444455556666', 'ps-1', creds(3600));
    expect(await cache.get('u1', '444455556666', 'ps-1')).to.not.equal(null);
    expect(await cache.purgeAll()).to.equal(1);
    expect(await cache.purgeAll()).to.equal(0);
  });
});
