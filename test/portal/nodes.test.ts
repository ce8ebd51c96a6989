// Stateless nodes: two Gatehouse processes on one PostgreSQL database and one Redis serve one
// person; and when Redis goes away, sign-in and federation answer 503 and never act without a
// session, then recover without a restart.
import { expect } from 'chai';
import { awsServiceProviderFromMetadata } from '../support/aws-sp.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { startRedisServer, type PrivateRedis } from '../support/redis-server.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

describe('two nodes on PostgreSQL and Redis', function () {
  this.timeout(60000);
  let db: TestDatabase;
  let redis: PrivateRedis;
  let a: TestGatehouse;
  let b: TestGatehouse;
  let org: SeededOrg;

  before(async () => {
    db = await createTestDatabase();
    redis = await startRedisServer();
    const env = { DATABASE_URL: db.url, REDIS_URL: redis.url };
    a = await startGatehouse({ env });
    // Same database, same Redis, same signing key directory; its own port.
    b = await startGatehouse({ env, dataDir: a.config.dataDir });
    org = await seedOrganization(a.services, {
      users: [{ userName: 'alice', email: 'alice@example.com' }],
      accounts: [{ accountId: '111122223333', name: 'Production' }],
      permissionSets: [{ name: 'ReadOnly' }],
      assignments: [{ accountId: '111122223333', set: 'ReadOnly', user: 'alice' }],
    });
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await redis?.stop();
    await db?.drop();
  });

  it('signs in on one node and federates through the other', async () => {
    const browser = new PortalClient(a.baseUrl);
    expect((await browser.signIn('alice', org.users.alice!.password)).status).to.equal(303);
    browser.baseUrl = b.baseUrl;
    const home = await browser.request('GET', '/start');
    expect(home.text).to.include('Production');
    const { fields } = await browser.federate('111122223333', 'ReadOnly');
    const sp = await awsServiceProviderFromMetadata(`${a.baseUrl}/saml/metadata`, 'https://signin.aws.amazon.com/saml');
    expect((await sp.validatePostResponseAsync({ SAMLResponse: fields.SAMLResponse! })).profile?.nameID).to.equal('alice@example.com');
    // Sign out on node b ends the session on node a too.
    await browser.signOut();
    browser.baseUrl = a.baseUrl;
    expect((await browser.request('GET', '/start')).text).to.include('name="password"');
  });

  it('answers 503 with a plain page when Redis is down, never acting without a session, and recovers without a restart', async () => {
    const signedIn = new PortalClient(a.baseUrl);
    await signedIn.signIn('alice', org.users.alice!.password);
    await signedIn.request('GET', '/start');
    const csrf = signedIn.csrf();
    const fresh = new PortalClient(a.baseUrl);
    await fresh.request('GET', '/start');
    const loginCsrf = fresh.csrf();

    await redis.stop();
    try {
      const started = Date.now();
      const home = await signedIn.request('GET', '/start');
      expect(home.status).to.equal(503);
      expect(home.text).to.include('Temporarily unavailable');
      expect(Date.now() - started).to.be.below(5000);
      const federate = await signedIn.request('POST', '/start/federate', { csrf, accountId: '111122223333', permissionSet: 'ReadOnly' });
      expect(federate.status).to.equal(503);
      expect(federate.text).to.not.include('SAMLResponse');
      const login = await fresh.request('POST', '/start/login', { csrf: loginCsrf, userName: 'alice', password: org.users.alice!.password });
      expect(login.status).to.equal(503);
      expect(fresh.cookies.has('gh_session')).to.equal(false);
      expect((await fetch(`${a.baseUrl}/readyz`)).status).to.equal(503);
      expect(await (await fetch(`${a.baseUrl}/readyz`)).json()).to.deep.equal({ status: 'unavailable', down: ['redis'] });
    } finally {
      await redis.restart();
    }
    // Back without restarting Gatehouse (Redis restarted empty, so sign in again).
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      ok = (await fetch(`${a.baseUrl}/readyz`)).status === 200;
      if (!ok) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ok).to.equal(true);
    const again = new PortalClient(a.baseUrl);
    expect((await again.signIn('alice', org.users.alice!.password)).status).to.equal(303);
    expect((await again.federate('111122223333', 'ReadOnly')).fields.SAMLResponse).to.be.a('string');
  });
});

describe('PostgreSQL unreachable', function () {
  this.timeout(60000);

  it('answers 503 for sign-in and federation, and recovers without a restart', async () => {
    const db = await createTestDatabase();
    const proxy = await startTcpProxy('127.0.0.1', 5432);
    const gh = await startGatehouse({ env: { DATABASE_URL: db.url.replace(':5432/', `:${proxy.port}/`) } });
    try {
      const org = await seedOrganization(gh.services, {
        users: [{ userName: 'alice', email: 'alice@example.com' }],
        accounts: [{ accountId: '111122223333', name: 'Production' }],
        permissionSets: [{ name: 'ReadOnly' }],
        assignments: [{ accountId: '111122223333', set: 'ReadOnly', user: 'alice' }],
      });
      const signedIn = new PortalClient(gh.baseUrl);
      await signedIn.signIn('alice', org.users.alice!.password);
      await signedIn.request('GET', '/start');
      const csrf = signedIn.csrf();
      const fresh = new PortalClient(gh.baseUrl);
      await fresh.request('GET', '/start');
      const loginCsrf = fresh.csrf();

      await proxy.cut();
      const federate = await signedIn.request('POST', '/start/federate', { csrf, accountId: '111122223333', permissionSet: 'ReadOnly' });
      expect(federate.status).to.equal(503);
      expect(federate.text).to.not.include('SAMLResponse');
      const login = await fresh.request('POST', '/start/login', { csrf: loginCsrf, userName: 'alice', password: org.users.alice!.password });
      expect(login.status).to.equal(503);
      expect(fresh.cookies.has('gh_session')).to.equal(false);
      const ready = await fetch(`${gh.baseUrl}/readyz`);
      expect(ready.status).to.equal(503);
      expect(((await ready.json()) as { down: string[] }).down).to.deep.equal(['sql']);

      await proxy.restore();
      const again = await signedIn.federate('111122223333', 'ReadOnly');
      expect(again.response.status).to.equal(200);
      expect(again.fields.SAMLResponse).to.be.a('string');
    } finally {
      await gh.close();
      await proxy.close();
      await db.drop();
    }
  });
});
