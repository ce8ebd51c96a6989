// The portal API with Redis as the ephemeral store (HA mode): cached credentials are encrypted in
// Redis and bound to their user, and when Redis is down or hangs every call is refused with a
// 503: nobody gets credentials, least of all someone else's.
import { GetRoleCredentialsCommand, ListAccountsCommand, type SSOClient } from '@aws-sdk/client-sso';
import { expect } from 'chai';
import { startRedisServer, type PrivateRedis } from '../support/redis-server.ts';
import { PROD, rawPortalApi, startPortalApiWorld, type PortalApiWorld } from './portal-api-fixtures.ts';

describe('SSO portal API on Redis', function () {
  let redis: PrivateRedis;
  let w: PortalApiWorld;
  let sso: SSOClient;
  let alice: string;
  let bob: string;

  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    await redis?.stop();
  });
  beforeEach(async () => {
    await redis.restart();
    w = await startPortalApiWorld({ env: { REDIS_URL: redis.url } });
    sso = w.sso();
    alice = (await w.tokenFor('alice')).accessToken;
    bob = (await w.tokenFor('bob')).accessToken;
  });
  afterEach(async () => {
    redis.resume();
    await w?.close();
  });

  const get = (accessToken: string) => sso.send(new GetRoleCredentialsCommand({ accessToken, accountId: PROD, roleName: 'AdministratorAccess' }));
  const entryKey = (user: string) => `role-creds:${w.org.users[user]!.id}:${PROD}:${w.org.sets.AdministratorAccess!.id}`;

  it('keeps cached credentials encrypted, and a value moved under another user is never served to them', async () => {
    expect(w.gh.services.ephemeral.kind).to.equal('redis');
    const alices = (await get(alice)).roleCredentials!;
    const stored = await w.gh.services.ephemeral.get(entryKey('alice'));
    expect(stored).to.be.a('string');
    for (const secret of [alices.accessKeyId, alices.secretAccessKey, alices.sessionToken]) expect(stored).to.not.include(secret!);
    const ttl = (await w.gh.services.ephemeral.ttl(entryKey('alice')))!;
    // PT2H credentials are kept until 5 minutes before they expire.
    expect(ttl).to.be.within(7200 - 300 - 5, 7200 - 300);

    // Someone with write access to Redis copies alice's entry under bob's key.
    await w.gh.services.ephemeral.set(entryKey('bob'), stored!, 3600);
    const bobs = (await get(bob)).roleCredentials!;
    expect(bobs.accessKeyId).to.not.equal(alices.accessKeyId);
    expect(w.sts.hits).to.equal(2);
  });

  it('Redis down: 503 for every call and every user, never credentials; after a restart the tokens are gone', async () => {
    await get(alice);
    await get(bob);
    await redis.stop();
    for (const token of [alice, bob]) {
      for (const path of [`/federation/credentials?account_id=${PROD}&role_name=AdministratorAccess`, '/assignment/accounts', `/assignment/roles?account_id=${PROD}`]) {
        const raw = await rawPortalApi(w.gh.baseUrl, 'GET', path, token);
        expect(raw.status, path).to.equal(503);
        expect(raw.headers.get('x-amzn-errortype')).to.equal('ServiceUnavailableException');
        expect(raw.json!.__type).to.equal('ServiceUnavailableException');
        expect(raw.text).to.not.match(/ASIA|secretAccessKey|sessionToken/);
      }
    }
    const logout = await rawPortalApi(w.gh.baseUrl, 'POST', '/logout', alice);
    expect(logout.status).to.equal(503);
    expect(w.sts.hits).to.equal(2);

    await redis.restart();
    let status = 0;
    for (let i = 0; i < 50 && status !== 401; i++) {
      status = (await rawPortalApi(w.gh.baseUrl, 'GET', '/assignment/accounts', alice)).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).to.equal(401);
  });

  it('Redis hanging: refused within the dependency timeout, then served again once it answers', async () => {
    await get(alice);
    redis.pause();
    const started = Date.now();
    const e = await sso.send(new ListAccountsCommand({ accessToken: alice })).then(
      () => null,
      (err: Error & { $metadata?: { httpStatusCode?: number } }) => err,
    );
    expect(e?.name).to.equal('ServiceUnavailableException');
    expect(e?.$metadata?.httpStatusCode).to.equal(503);
    expect(Date.now() - started).to.be.below(4000);
    redis.resume();
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      ok = (await rawPortalApi(w.gh.baseUrl, 'GET', `/federation/credentials?account_id=${PROD}&role_name=AdministratorAccess`, alice)).status === 200;
      if (!ok) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ok).to.equal(true);
    expect(w.sts.hits).to.equal(1);
  });
});
