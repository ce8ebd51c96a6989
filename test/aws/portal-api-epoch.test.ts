// Changes count at the next call, on every node (docs/security.md: "Only what is assigned, at that moment"; "Tokens and sessions"), although each node
// answers GetRoleCredentials from a per-process snapshot of the user's access: two Gatehouse
// nodes share PostgreSQL and a private Redis, the AWS SDK (client-sso) calls node A, and the
// administrator changes things through node B's admin API. Also: Redis restarted empty leaves no
// snapshot trusted, and a change whose epoch cannot be written fails loudly.
import {
  GetRoleCredentialsCommand,
  ListAccountRolesCommand,
  ListAccountsCommand,
  LogoutCommand,
  SSOClient,
} from '@aws-sdk/client-sso';
import { expect } from 'chai';
import { AUTHORIZATION_EPOCH_KEY, SNAPSHOT_MAX_AGE_MS } from '../../access/authorization-epoch.ts';
import { hashSessionId } from '../../access/portal-sessions.ts';
import { UnauthenticatedError } from '../../model/errors.ts';
import type { TestGatehouse } from '../support/gatehouse.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { startRedisServer, type PrivateRedis } from '../support/redis-server.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import { DEV, PROD, rawPortalApi, SANDBOX, startPortalApiWorld, startTwoNodes, type PortalApiWorld, type TwoNodes, failure } from './portal-api-fixtures.ts';

describe('SSO portal API: changes made on another node count at the next call', function () {
  this.timeout(60000);
  let redis: PrivateRedis;
  let nodes: TwoNodes;
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
    nodes = await startTwoNodes(redis.url);
    ({ a: w, b } = nodes);
    sso = w.sso();
  });
  afterEach(async () => {
    redis.resume();
    await nodes?.close();
  });

  const credentialsOf = (accessToken: string, accountId: string, roleName: string) =>
    sso.send(new GetRoleCredentialsCommand({ accessToken, accountId, roleName }));
  /** A fresh sign-in and token, retried while node A reconnects to a restarted Redis. */
  const tokenOnceRedisIsBack = async (userName: string): Promise<string> => {
    for (let i = 0; ; i++) {
      try {
        return (await w.tokenFor(userName)).accessToken;
      } catch (e) {
        if (i >= 200) throw e;
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  };
  /** A cached call on node A: served twice, STS asked once, so A holds the user's snapshot. */
  const cachedOnA = async (accessToken: string, accountId: string, roleName: string) => {
    const hits = w.sts.hits;
    const first = await credentialsOf(accessToken, accountId, roleName);
    const second = await credentialsOf(accessToken, accountId, roleName);
    expect(second.roleCredentials!.accessKeyId).to.equal(first.roleCredentials!.accessKeyId);
    expect(w.sts.hits).to.equal(hits + 1);
  };

  it('an assignment removed through node B is refused on node A at the next call, for credentials and listings', async () => {
    const { accessToken: alice } = await w.tokenFor('alice');
    await cachedOnA(alice, DEV, 'ReadOnly');
    // Listed before the change (node A keeps the rendered pages with its snapshot).
    for (let i = 0; i < 2; i++) {
      expect((await sso.send(new ListAccountsCommand({ accessToken: alice }))).accountList!.map((a) => a.accountId)).to.deep.equal([DEV, PROD]);
      expect((await sso.send(new ListAccountRolesCommand({ accessToken: alice, accountId: DEV }))).roleList!.map((r) => r.roleName)).to.deep.equal(['ReadOnly']);
    }
    const query = new URLSearchParams({ accountId: DEV, permissionSetId: w.org.sets.ReadOnly!.id, principalType: 'USER', principalId: w.org.users.alice!.id });
    expect((await b.api('DELETE', `/account-assignments?${query}`)).status).to.equal(204);

    const e = await failure(credentialsOf(alice, DEV, 'ReadOnly'));
    expect(e.name).to.equal('ForbiddenException');
    expect(e.$metadata?.httpStatusCode).to.equal(403);
    expect((await failure(sso.send(new ListAccountRolesCommand({ accessToken: alice, accountId: DEV })))).name).to.equal('ForbiddenException');
    expect((await sso.send(new ListAccountsCommand({ accessToken: alice }))).accountList!.map((a) => a.accountId)).to.deep.equal([PROD]);
    // What she still has is still served from the cache, and nothing else changed.
    await cachedOnA(alice, PROD, 'ReadOnly');
  });

  it('a user removed from a group through node B loses what the group gave at the next call on node A', async () => {
    const { accessToken: bob } = await w.tokenFor('bob');
    await cachedOnA(bob, PROD, 'AdministratorAccess');
    expect((await b.api('DELETE', `/groups/${w.org.groups.engineers!}/members/${w.org.users.bob!.id}`)).status).to.equal(204);

    expect((await failure(credentialsOf(bob, PROD, 'AdministratorAccess'))).name).to.equal('ForbiddenException');
    // Sandbox is his own assignment: it stays.
    expect((await sso.send(new ListAccountsCommand({ accessToken: bob }))).accountList!.map((a) => a.accountId)).to.deep.equal([SANDBOX]);
    expect(w.sts.hits).to.equal(1);
  });

  it('a user disabled through node B is refused on node A at the next call', async () => {
    const { accessToken: alice } = await w.tokenFor('alice');
    await cachedOnA(alice, DEV, 'ReadOnly');
    expect((await b.api('PATCH', `/users/${w.org.users.alice!.id}`, { enabled: false })).status).to.equal(200);

    for (const call of [credentialsOf(alice, DEV, 'ReadOnly'), sso.send(new ListAccountsCommand({ accessToken: alice }))]) {
      const e = await failure(call);
      expect(e.name).to.equal('UnauthorizedException');
      expect(e.$metadata?.httpStatusCode).to.equal(401);
    }
    expect(w.sts.hits).to.equal(1);
  });

  it('a group deleted through node B: refused on node A, and the credentials cached for its pairs purged', async () => {
    const { accessToken: bob } = await w.tokenFor('bob');
    await cachedOnA(bob, PROD, 'AdministratorAccess');
    const entry = () => w.gh.services.credentialCache.get(w.org.users.bob!.id, PROD, w.org.sets.AdministratorAccess!.id);
    expect(await entry()).to.not.equal(null);
    expect((await b.api('DELETE', `/groups/${w.org.groups.engineers!}`)).status).to.equal(204);

    expect(await entry()).to.equal(null);
    expect((await failure(credentialsOf(bob, PROD, 'AdministratorAccess'))).name).to.equal('ForbiddenException');
  });

  it('an assignment made through node B is usable on node A at the next call', async () => {
    const { accessToken: alice } = await w.tokenFor('alice');
    await cachedOnA(alice, DEV, 'ReadOnly');
    expect((await failure(credentialsOf(alice, SANDBOX, 'Billing'))).name).to.equal('ForbiddenException');
    // Asked twice before the change: node A keeps the rendered page with its snapshot.
    for (let i = 0; i < 2; i++) expect((await sso.send(new ListAccountsCommand({ accessToken: alice }))).accountList!.map((a) => a.accountId)).to.deep.equal([DEV, PROD]);
    const created = await b.api('POST', '/account-assignments', { accountId: SANDBOX, permissionSetId: w.org.sets.Billing!.id, principalType: 'USER', principalId: w.org.users.alice!.id });
    expect(created.status).to.equal(201);

    expect((await sso.send(new ListAccountsCommand({ accessToken: alice }))).accountList!.map((a) => a.accountId)).to.deep.equal([DEV, PROD, SANDBOX]);
    expect((await credentialsOf(alice, SANDBOX, 'Billing')).roleCredentials!.accessKeyId).to.match(/^ASIA/);
    expect(w.sts.hits).to.equal(2);
  });

  it('a token logged out through node B, or whose portal session ends there, is dead on node A at once', async () => {
    const { accessToken: alice } = await w.tokenFor('alice');
    const { accessToken: bob, browser } = await w.tokenFor('bob');
    await cachedOnA(alice, DEV, 'ReadOnly');
    await cachedOnA(bob, SANDBOX, 'Billing');

    const onB = new SSOClient({ region: 'us-east-1', endpoint: b.baseUrl, maxAttempts: 1 });
    try {
      await onB.send(new LogoutCommand({ accessToken: alice }));
    } finally {
      onB.destroy();
    }
    expect((await failure(credentialsOf(alice, DEV, 'ReadOnly'))).name).to.equal('UnauthorizedException');

    browser.baseUrl = b.baseUrl;
    await browser.signOut();
    expect((await failure(credentialsOf(bob, SANDBOX, 'Billing'))).name).to.equal('UnauthorizedException');
  });

  it('Redis restarted empty: no snapshot from before is trusted, even one built under an epoch created just as fresh', async () => {
    // A snapshot built under an epoch that was itself created because none existed...
    await redis.restart();
    const before = await tokenOnceRedisIsBack('alice');
    await cachedOnA(before, DEV, 'ReadOnly');
    // ...then Redis loses everything, and a change reaches the database with no epoch change
    // (straight in the store, as if its epoch write had been lost with Redis).
    await redis.restart();
    await w.gh.services.sql.assignments.delete({ accountId: DEV, permissionSetId: w.org.sets.ReadOnly!.id, principalType: 'USER', principalId: w.org.users.alice!.id });
    const after = await tokenOnceRedisIsBack('alice');
    // The listings come from the snapshot alone (credentials would also be re-checked on the STS path).
    expect((await sso.send(new ListAccountsCommand({ accessToken: after }))).accountList!.map((a) => a.accountId)).to.deep.equal([PROD]);
    expect((await failure(sso.send(new ListAccountRolesCommand({ accessToken: after, accountId: DEV })))).name).to.equal('ForbiddenException');
    expect((await failure(credentialsOf(after, DEV, 'ReadOnly'))).name).to.equal('ForbiddenException');
    expect(await w.gh.services.ephemeral.get(AUTHORIZATION_EPOCH_KEY)).to.be.a('string');
    expect((await credentialsOf(after, PROD, 'ReadOnly')).roleCredentials!.accessKeyId).to.match(/^ASIA/);
  });

  it('a change whose epoch cannot be written (Redis down) fails loudly instead of reporting success', async () => {
    const { accessToken: bob } = await w.tokenFor('bob');
    await cachedOnA(bob, PROD, 'AdministratorAccess');
    await b.adminToken();
    await redis.stop();
    // Removing a membership touches nothing in Redis but the epoch.
    const removed = await b.api('DELETE', `/groups/${w.org.groups.engineers!}/members/${w.org.users.bob!.id}`);
    expect(removed.status).to.equal(503);
    expect(removed.body.title).to.equal('Service unavailable');
    // Meanwhile node A hands out nothing at all.
    const raw = await rawPortalApi(w.gh.baseUrl, 'GET', `/federation/credentials?account_id=${PROD}&role_name=AdministratorAccess`, bob);
    expect(raw.status).to.equal(503);
    expect(raw.text).to.not.match(/ASIA|secretAccessKey/);
  });

  it('issuing a token for a portal session that has ended is refused as unauthenticated', async () => {
    const { browser } = await w.tokenFor('alice');
    const portalSessionHash = hashSessionId(browser.cookies.get('gh_session')!);
    await browser.signOut();
    const e = await w.gh.services.ssoAccessTokens
      .issue({ userId: w.org.users.alice!.id, source: 'builtin', portalSessionHash, clientId: 'test-client', scopes: ['sso:account:access'] }, 3600)
      .then(
        () => null,
        (err: unknown) => err,
      );
    expect(e).to.be.instanceOf(UnauthenticatedError);
  });
});

describe('SSO portal API while the database does not answer', function () {
  this.timeout(60000);

  it('answers from a snapshot younger than the bound, refuses with 503 once it must be rebuilt, and recovers', async () => {
    const redis = await startRedisServer();
    const db = await createTestDatabase();
    const proxy = await startTcpProxy('127.0.0.1', 5432);
    let w: PortalApiWorld | undefined;
    try {
      w = await startPortalApiWorld({ env: { DATABASE_URL: db.url.replace(':5432/', `:${proxy.port}/`), REDIS_URL: redis.url } });
      const { accessToken } = await w.tokenFor('alice');
      const get = () => rawPortalApi(w!.gh.baseUrl, 'GET', `/federation/credentials?account_id=${DEV}&role_name=ReadOnly`, accessToken);
      expect((await get()).status).to.equal(200);

      await proxy.cut();
      // Within the bound: the same answer as with the database up (nothing can change meanwhile).
      expect((await get()).status).to.equal(200);
      w.gh.clock.advance(SNAPSHOT_MAX_AGE_MS);
      const refused = await get();
      expect(refused.status).to.equal(503);
      expect(refused.json!.__type).to.equal('ServiceUnavailableException');
      expect(refused.text).to.not.match(/ASIA|secretAccessKey/);
      await proxy.restore();
      let status = 0;
      for (let i = 0; i < 200 && status !== 200; i++) {
        status = (await get()).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 25));
      }
      expect(status).to.equal(200);
      expect(w.sts.hits).to.equal(1);
    } finally {
      await w?.close();
      await proxy.close();
      await db.drop();
      await redis.stop();
    }
  });
});

