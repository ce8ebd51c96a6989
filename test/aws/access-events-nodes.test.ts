// Access-change events seen from two nodes (docs/architecture.md, "Events"): two Gatehouse nodes
// share PostgreSQL and a private Redis; the AWS SDK (client-sso) calls node A, the administrator
// changes things through node B's admin API. The events are published on node B only; node A learns
// through what the reactions write to Redis (the authorization epoch, the credential cache).
import { GetRoleCredentialsCommand, ListAccountsCommand, type SSOClient } from '@aws-sdk/client-sso';
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { startRedisServer, type PrivateRedis } from '../support/redis-server.ts';
import { DEV, PROD, startPortalApiWorld, type PortalApiWorld, failure } from './portal-api-fixtures.ts';

describe('access-change events across two nodes', function () {
  this.timeout(60000);
  let redis: PrivateRedis;
  let db: TestDatabase;
  let w: PortalApiWorld;
  let b: TestGatehouse;
  let sso: SSOClient;

  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    await redis?.stop();
  });
  beforeEach(async () => {
    await redis.restart();
    db = await createTestDatabase();
    const env = { DATABASE_URL: db.url, REDIS_URL: redis.url };
    // Node A (w.gh) with the STS stand-in and the seeded organization; node B on the same database,
    // Redis and signing key, with its own port and its own process memory.
    w = await startPortalApiWorld({ env });
    b = await startGatehouse({ env: { ...env, STS_ENDPOINT: w.sts.url }, dataDir: w.gh.config.dataDir });
    sso = w.sso();
  });
  afterEach(async () => {
    await b?.close();
    await w?.close();
    await db?.drop();
  });

  const credentialsOf = async (accessToken: string, accountId: string, roleName: string) =>
    (await sso.send(new GetRoleCredentialsCommand({ accessToken, accountId, roleName }))).roleCredentials!;
  /** The session tags STS received for the assertion that bought these credentials. */
  const tagsBehind = (accessKeyId: string | undefined) => {
    const call = w.sts.calls.find((c) => 'accessKeyId' in c.outcome && c.outcome.accessKeyId === accessKeyId);
    expect(call, `no STS call issued ${accessKeyId}`).to.not.equal(undefined);
    return call!.principalTags;
  };

  it('an account deleted with ?cascade=true through node B: the next GetRoleCredentials for it on node A is refused, and none of its credentials stay cached', async () => {
    const { accessToken: alice } = await w.tokenFor('alice');
    const aliceId = w.org.users.alice!.id;
    const readOnly = w.org.sets.ReadOnly!.id;
    // Cached on node A: served twice, STS asked once.
    const first = await credentialsOf(alice, DEV, 'ReadOnly');
    expect((await credentialsOf(alice, DEV, 'ReadOnly')).accessKeyId).to.equal(first.accessKeyId);
    expect(w.sts.hits).to.equal(1);
    expect(await w.gh.services.credentialCache.get(aliceId, DEV, readOnly)).to.not.equal(null);

    expect((await b.api('DELETE', `/accounts/${DEV}`)).status).to.equal(409);
    expect((await b.api('DELETE', `/accounts/${DEV}?cascade=true`)).status).to.equal(204);

    const refused = await failure(credentialsOf(alice, DEV, 'ReadOnly'));
    expect(refused.name).to.equal('ForbiddenException');
    expect(refused.$metadata?.httpStatusCode).to.equal(403);
    expect((await sso.send(new ListAccountsCommand({ accessToken: alice }))).accountList!.map((a) => a.accountId)).to.deep.equal([PROD]);
    // The cascade removed the assignment, and its event took the pair's cached credentials along.
    expect(await w.gh.services.credentialCache.get(aliceId, DEV, readOnly)).to.equal(null);

    // The account and the assignment made again: new credentials from STS, never the ones cached
    // under the assignment that was taken away.
    expect((await b.api('POST', '/accounts', { accountId: DEV, name: 'Development', email: 'dev@example.com' })).status).to.equal(201);
    const assigned = await b.api('POST', '/account-assignments', { accountId: DEV, permissionSetId: readOnly, principalType: 'USER', principalId: aliceId });
    expect(assigned.status).to.equal(201);
    const again = await credentialsOf(alice, DEV, 'ReadOnly');
    expect(again.accessKeyId).to.not.equal(first.accessKeyId);
    expect(w.sts.hits).to.equal(2);
  });

  it('a user\'s ABAC attribute edited through node B is in the session tags of the next credentials node A issues', async () => {
    const aliceId = w.org.users.alice!.id;
    expect((await b.api('PATCH', '/instance', { accessControlAttributes: { department: 'Department' } })).status).to.equal(200);
    expect((await b.api('PATCH', `/users/${aliceId}`, { attributes: { department: 'finance' } })).status).to.equal(200);
    const { accessToken: alice } = await w.tokenFor('alice');
    const first = await credentialsOf(alice, DEV, 'ReadOnly');
    expect(tagsBehind(first.accessKeyId)).to.deep.equal({ Department: 'finance' });
    expect((await credentialsOf(alice, DEV, 'ReadOnly')).accessKeyId).to.equal(first.accessKeyId);
    expect(w.sts.hits).to.equal(1);

    expect((await b.api('PATCH', `/users/${aliceId}`, { attributes: { department: 'engineering' } })).status).to.equal(200);

    // Her cached credentials carried the old tag: they were dropped, and STS is asked again.
    const next = await credentialsOf(alice, DEV, 'ReadOnly');
    expect(next.accessKeyId).to.not.equal(first.accessKeyId);
    expect(tagsBehind(next.accessKeyId)).to.deep.equal({ Department: 'engineering' });
    expect(w.sts.hits).to.equal(2);
    // And they are cached in turn.
    expect((await credentialsOf(alice, DEV, 'ReadOnly')).accessKeyId).to.equal(next.accessKeyId);
    expect(w.sts.hits).to.equal(2);

    // The mapping itself changed through node B: every cached entry goes, the next ones carry the new key.
    expect((await b.api('PATCH', '/instance', { accessControlAttributes: { department: 'CostCenter' } })).status).to.equal(200);
    const remapped = await credentialsOf(alice, DEV, 'ReadOnly');
    expect(remapped.accessKeyId).to.not.equal(next.accessKeyId);
    expect(tagsBehind(remapped.accessKeyId)).to.deep.equal({ CostCenter: 'engineering' });
  });
});
