// The second sign-in step across nodes (docs/mfa.md "Signing in"): a pending sign-in lives in the
// ephemeral store every node shares (Redis here), so the password on one node and the code on
// another complete it; it is taken once (a second tab gets "sign in again"), and it expires after
// five minutes, on every node.
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { MFA_ON, signInRegisteringApp, type AuthenticatorApp } from '../support/mfa.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { hiddenFields, PortalClient } from '../support/portal-client.ts';
import { startRedisServer, type PrivateRedis } from '../support/redis-server.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { TestClock } from '../support/test-clock.ts';

describe('the second sign-in step on two nodes (PostgreSQL and Redis)', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let redis: PrivateRedis;
  let a: TestGatehouse;
  let b: TestGatehouse;
  let org: SeededOrg;
  let app: AuthenticatorApp;
  const clock = new TestClock();

  before(async () => {
    db = await createTestDatabase();
    redis = await startRedisServer();
    const env = { DATABASE_URL: db.url, REDIS_URL: redis.url };
    a = await startGatehouse({ env, clock, mfa: MFA_ON });
    b = await startGatehouse({ env, clock, dataDir: a.config.dataDir, mfa: 'keep' });
    org = await seedOrganization(a.services, { users: [{ userName: 'alice' }] });
    ({ app } = await signInRegisteringApp(new PortalClient(a.baseUrl), 'alice', org.users.alice!.password, clock));
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await redis?.stop();
    await db?.drop();
  });

  /** The password on node a; returns the browser, now on node b, and the second step's CSRF token. */
  async function passwordOnA(): Promise<{ browser: PortalClient; csrf: string }> {
    const browser = new PortalClient(a.baseUrl);
    expect((await browser.signIn('alice', org.users.alice!.password)).location).to.equal('/start/mfa');
    browser.baseUrl = b.baseUrl;
    const step = await browser.request('GET', '/start/mfa');
    expect(step.text).to.include('Verify your identity');
    return { browser, csrf: hiddenFields(step.text).csrf! };
  }

  it('completes on the other node, once: the same pending sign-in finished again is told to sign in again', async () => {
    const { browser, csrf } = await passwordOnA();
    const pendingCookie = browser.cookies.get('gh_mfa')!;
    clock.advanceSeconds(30);
    const done = await browser.request('POST', '/start/mfa', { csrf, code: app.code() });
    expect([done.status, done.location]).to.deep.equal([303, '/start']);
    browser.baseUrl = a.baseUrl;
    expect((await browser.request('GET', '/start')).text).to.not.include('name="password"');

    const secondTab = new PortalClient(b.baseUrl);
    secondTab.cookies.set('gh_mfa', pendingCookie);
    clock.advanceSeconds(30);
    const again = await secondTab.request('POST', '/start/mfa', { csrf, code: app.code() });
    expect(again.status).to.equal(401);
    expect(again.text).to.include('Your sign-in took too long or has already been completed');
    expect(secondTab.cookies.has('gh_session')).to.equal(false);
  });

  it('expires after five minutes on every node, even with the right code', async () => {
    const { browser, csrf } = await passwordOnA();
    clock.advanceSeconds(301);
    const late = await browser.request('POST', '/start/mfa', { csrf, code: app.code() });
    expect(late.status).to.equal(401);
    expect(late.text).to.include('Your sign-in took too long');
    expect(browser.cookies.has('gh_session')).to.equal(false);
    browser.baseUrl = a.baseUrl;
    expect((await browser.request('GET', '/start/mfa')).status).to.equal(401);
  });
});
