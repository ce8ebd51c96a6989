// Redis with an ACL user (docs/operations.md, "TLS and ACL"): a node given REDIS_USERNAME and
// REDIS_PASSWORD, on a Redis whose default user is switched off and whose Gatehouse user may run
// only the commands documented there on Gatehouse's keys, signs people in, issues and checks SSO
// tokens; with a wrong password it is not ready and refuses sign-in with 503.
import { CreateTokenCommand, StartDeviceAuthorizationCommand } from '@aws-sdk/client-sso-oidc';
import { expect } from 'chai';
import { createClient } from 'redis';
import { decideDevice, oidcClient, registerClient, START_URL } from '../aws/oidc-fixtures.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { startRedisServer, type PrivateRedis } from '../support/redis-server.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';

// The rule documented in docs/operations.md; the commands inside the store's Lua scripts included.
const GATEHOUSE_ACL = '~gh:* ~{gh:}* +get +mget +set +getdel +del +eval +incr +expire +sadd +ttl +srem +smembers +ping';

describe('Redis with an ACL user', function () {
  this.timeout(30000);
  let redis: PrivateRedis;
  let gh: TestGatehouse;
  let org: SeededOrg;

  before(async () => {
    redis = await startRedisServer();
    const admin = await createClient({ url: redis.url }).connect();
    await admin.sendCommand(['ACL', 'SETUSER', 'ops', 'on', '>ops-secret', '~*', '+@all']);
    await admin.sendCommand(['ACL', 'SETUSER', 'gatehouse', 'on', '>gh-secret', ...GATEHOUSE_ACL.split(' ')]);
    await admin.sendCommand(['ACL', 'SETUSER', 'default', 'off']);
    await admin.close();
    gh = await startGatehouse({ env: { REDIS_URL: redis.url, REDIS_USERNAME: 'gatehouse', REDIS_PASSWORD: 'gh-secret' } });
    org = await seedOrganization(gh.services, {
      users: [{ userName: 'alice', email: 'alice@example.com' }],
      accounts: [{ accountId: '111122223333', name: 'Production' }],
      permissionSets: [{ name: 'ReadOnly' }],
      assignments: [{ accountId: '111122223333', set: 'ReadOnly', user: 'alice' }],
    });
  });
  after(async () => {
    await gh?.close();
    await redis?.stop();
  });

  it('signs in, issues an SSO token and answers ListAccounts with only the documented commands', async () => {
    expect((await fetch(`${gh.baseUrl}/readyz`)).status).to.equal(200);
    const browser = new PortalClient(gh.baseUrl);
    expect((await browser.signIn('alice', org.users.alice!.password)).status).to.equal(303);
    expect((await browser.federate('111122223333', 'ReadOnly')).fields.SAMLResponse).to.be.a('string');
    const oidc = oidcClient(gh);
    try {
      const client = await registerClient(oidc);
      const start = await oidc.send(new StartDeviceAuthorizationCommand({ ...client, startUrl: START_URL }));
      await decideDevice(browser, start.verificationUriComplete!, 'approve');
      const token = await oidc.send(new CreateTokenCommand({ grantType: 'urn:ietf:params:oauth:grant-type:device_code', ...client, deviceCode: start.deviceCode }));
      const accounts = await fetch(`${gh.baseUrl}/assignment/accounts`, { headers: { 'x-amz-sso_bearer_token': token.accessToken! } });
      expect(accounts.status).to.equal(200);
    } finally {
      oidc.destroy();
    }
    // The keys really were written by that user, under its prefix.
    const ops = await createClient({ url: redis.url, username: 'ops', password: 'ops-secret' }).connect();
    try {
      expect((await ops.keys('*')).length).to.be.above(0);
      expect((await ops.keys('*')).every((k) => k.startsWith('gh:'))).to.equal(true);
    } finally {
      await ops.close();
    }
  });

  it('with a wrong password the node is not ready and sign-in answers 503', async () => {
    const wrong = await startGatehouse({ env: { REDIS_URL: redis.url, REDIS_USERNAME: 'gatehouse', REDIS_PASSWORD: 'not-it' }, dataDir: gh.config.dataDir });
    try {
      expect((await fetch(`${wrong.baseUrl}/readyz`)).status).to.equal(503);
      const browser = new PortalClient(wrong.baseUrl);
      const page = await browser.signIn('alice', org.users.alice!.password);
      expect(page.status).to.equal(503);
      expect(browser.cookies.has('gh_session')).to.equal(false);
      expect(page.headers.get('retry-after')).to.equal('5');
    } finally {
      await wrong.close();
    }
  });
});
