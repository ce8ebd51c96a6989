// SSO OIDC on Redis (the HA ephemeral store), with a private redis-server the test can stop: what
// Redis holds (hashes, never a usable secret), that refused input stores nothing, and that with
// Redis down every call is an InternalServerException-shaped 503 and never a token (docs/security.md: "When a dependency is down").
// Also that ending a sign-in (Logout, a replayed code) holds on a second node sharing that Redis.
import { ListAccountsCommand, LogoutCommand, SSOClient } from '@aws-sdk/client-sso';
import { CreateTokenCommand, StartDeviceAuthorizationCommand, type SSOOIDCClient } from '@aws-sdk/client-sso-oidc';
import { expect } from 'chai';
import { createClient } from 'redis';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { startRedisServer, type PrivateRedis } from '../support/redis-server.ts';
import type { SeededOrg } from '../support/seed.ts';
import {
  authorizationCode,
  decideDevice,
  failure,
  oidcClient,
  postJson,
  redeemCode,
  refresh,
  registerClient,
  registerCodeClient,
  seedPeople,
  signedIn,
  START_URL,
  useSettings,
} from './oidc-fixtures.ts';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

describe('SSO OIDC on Redis', function () {
  let redis: PrivateRedis;
  let gh: TestGatehouse;
  let org: SeededOrg;
  let oidc: SSOOIDCClient;
  let inspector: ReturnType<typeof createClient>;

  beforeEach(async () => {
    redis = await startRedisServer();
    gh = await startGatehouse({ env: { REDIS_URL: redis.url } });
    org = await seedPeople(gh);
    oidc = oidcClient(gh);
    inspector = createClient({ url: redis.url });
    inspector.on('error', () => undefined);
    await inspector.connect();
  });
  afterEach(async () => {
    oidc?.destroy();
    await inspector?.close().catch(() => undefined);
    await gh?.close();
    await redis?.stop();
  });

  /** Every key and its value(s), as a dump of Redis would show them. */
  async function dump(): Promise<string> {
    const out: string[] = [];
    for (const key of await inspector.keys('*')) {
      const type = await inspector.type(key);
      out.push(key, type === 'set' ? (await inspector.sMembers(key)).join(' ') : ((await inspector.get(key)) ?? ''));
    }
    return out.join('\n');
  }

  it('keeps only hashes of secrets in Redis: no client secret, device code, access or refresh token can be read back', async () => {
    const client = await registerClient(oidc);
    const start = await oidc.send(new StartDeviceAuthorizationCommand({ ...client, startUrl: START_URL }));
    await decideDevice(await signedIn(gh, org, 'alice'), start.verificationUriComplete!, 'approve');
    const poll = () => oidc.send(new CreateTokenCommand({ grantType: DEVICE_GRANT, ...client, deviceCode: start.deviceCode }));
    const before = await dump();
    const token = await poll();
    const refreshed = await oidc.send(new CreateTokenCommand({ grantType: 'refresh_token', ...client, refreshToken: token.refreshToken }));
    const after = await dump();
    expect(before).to.include('oidc-device:').and.include('oidc-client:');
    for (const secret of [client.clientSecret, start.deviceCode!, token.accessToken!, token.refreshToken!, refreshed.accessToken!, refreshed.refreshToken!]) {
      expect(before).to.not.include(secret);
      expect(after).to.not.include(secret);
    }
    // The device code was taken by the exchange.
    expect(after).to.not.include('oidc-device:');
  });

  it('stores nothing for a refused registration (1 MB clientName, bad metadata)', async () => {
    const keysBefore = await inspector.dbSize();
    const huge = await postJson(gh, '/client/register', { clientName: 'x'.repeat(1024 * 1024), clientType: 'public' });
    expect(huge.status).to.equal(400);
    expect(huge.headers.get('x-amzn-errortype')).to.equal('InvalidRequestException');
    expect((await failure(registerClient(oidc, { clientName: 'y'.repeat(5000) }))).status).to.equal(400);
    expect((await failure(registerClient(oidc, { redirectUris: ['http://evil.example/cb'] }))).name).to.equal('InvalidRedirectUriException');
    expect(await inspector.keys('*oidc-client:*')).to.deep.equal([]);
    expect(await inspector.dbSize()).to.equal(keysBefore);
  });

  it('rate-limits registrations per address and device authorizations per client, refusing with SlowDownException', async () => {
    useSettings(gh, { registrationsPerMinute: 2, deviceStartsPerMinute: 2 });
    const client = await registerClient(oidc);
    await registerClient(oidc);
    const keys = await inspector.keys('*oidc-client:*');
    expect(keys).to.have.length(2);
    expect(await failure(registerClient(oidc))).to.include({ name: 'SlowDownException', status: 400 });
    expect(await inspector.keys('*oidc-client:*')).to.have.length(2);

    const start = () => oidc.send(new StartDeviceAuthorizationCommand({ ...client, startUrl: START_URL }));
    await start();
    await start();
    expect((await failure(start())).name).to.equal('SlowDownException');
    expect(await inspector.keys('*oidc-user-code:*')).to.have.length(2);
  });

  it('answers InternalServerException (503, both error forms) and never a token while Redis is down, and recovers without a restart', async () => {
    const client = await registerClient(oidc);
    const start = await oidc.send(new StartDeviceAuthorizationCommand({ ...client, startUrl: START_URL }));
    const browser = await signedIn(gh, org, 'alice');
    await decideDevice(browser, start.verificationUriComplete!, 'approve');

    await redis.stop();
    const poll = await failure(oidc.send(new CreateTokenCommand({ grantType: DEVICE_GRANT, ...client, deviceCode: start.deviceCode })));
    expect(poll).to.include({ name: 'InternalServerException', status: 503, error: 'server_error' });
    for (const [path, body] of [
      ['/client/register', { clientName: 'during-outage', clientType: 'public' }],
      ['/device_authorization', { ...client, startUrl: START_URL }],
      ['/token', { grantType: DEVICE_GRANT, ...client, deviceCode: start.deviceCode }],
    ] as const) {
      const res = await postJson(gh, path, body);
      expect(res.status, path).to.equal(503);
      expect(res.headers.get('x-amzn-errortype'), path).to.equal('InternalServerException');
      expect(res.body).to.include({ __type: 'InternalServerException', error: 'server_error' });
      expect(res.body).to.not.have.property('accessToken');
    }
    const page = await browser.request('GET', '/device');
    expect(page.status).to.equal(503);

    await redis.restart();
    // Redis came back empty: the old registration is gone, a new one works at once.
    let fresh: Awaited<ReturnType<typeof registerClient>> | null = null;
    for (let i = 0; i < 50 && !fresh; i++) {
      fresh = await registerClient(oidc).catch(async () => {
        await new Promise((r) => setTimeout(r, 100));
        return null;
      });
    }
    expect(fresh).to.not.equal(null);
    expect((await failure(oidc.send(new CreateTokenCommand({ grantType: DEVICE_GRANT, ...client, deviceCode: start.deviceCode })))).name).to.equal('InvalidClientException');
  });

  it('ends a sign-in on every node: Logout on one refuses its refresh token on the other, and a code replayed on one kills its tokens on the other', async () => {
    // Node B: same Redis, same SQLite file and keys, its own port and process memory.
    const b = await startGatehouse({ env: { REDIS_URL: redis.url }, dataDir: gh.config.dataDir });
    const oidcB = oidcClient(b);
    const ssoOn = (node: TestGatehouse) => new SSOClient({ region: 'us-east-1', endpoint: node.baseUrl, maxAttempts: 1 });
    const ssoA = ssoOn(gh);
    const ssoB = ssoOn(b);
    try {
      const client = await registerCodeClient(oidc);
      const first = await redeemCode(oidc, client, await authorizationCode(await signedIn(gh, org, 'alice'), client.clientId));
      const refreshedOnB = await refresh(oidcB, client, first.refreshToken);
      await ssoA.send(new LogoutCommand({ accessToken: first.accessToken }));
      const refused = await failure(refresh(oidcB, client, refreshedOnB.refreshToken));
      expect(refused).to.include({ name: 'InvalidGrantException', status: 400 });
      expect(refused.message).to.not.equal('');
      expect((await failure(ssoB.send(new ListAccountsCommand({ accessToken: refreshedOnB.accessToken })))).name).to.equal('UnauthorizedException');

      const grant = await authorizationCode(await signedIn(gh, org, 'bob'), client.clientId);
      const tokens = await redeemCode(oidc, client, grant);
      // Node B has checked the token once, so it remembers its record.
      expect((await ssoB.send(new ListAccountsCommand({ accessToken: tokens.accessToken }))).accountList).to.deep.equal([]);
      expect((await failure(redeemCode(oidcB, client, grant))).name).to.equal('InvalidGrantException');
      expect((await failure(ssoB.send(new ListAccountsCommand({ accessToken: tokens.accessToken })))).name).to.equal('UnauthorizedException');
      expect((await failure(refresh(oidc, client, tokens.refreshToken))).name).to.equal('InvalidGrantException');
    } finally {
      ssoA.destroy();
      ssoB.destroy();
      oidcB.destroy();
      await b.close();
    }
  });

  it('keeps a CLI sign-in made before the compact records working: its tokens are read, refreshed and still ended by Logout', async () => {
    const client = await registerCodeClient(oidc);
    const tokens = await redeemCode(oidc, client, await authorizationCode(await signedIn(gh, org, 'alice'), client.clientId));
    // Rewrite both records the way earlier versions wrote them: JSON objects with named fields.
    for (const key of await inspector.keys('gh:sso-at:*')) {
      const [userId, source, portalSessionHash, clientId, scopes, expiresAtMs, familyId] = JSON.parse((await inspector.get(key))!) as [string, string, string, string, string[], number, string];
      await inspector.set(key, JSON.stringify({ userId, source, portalSessionHash, clientId, scopes, expiresAt: new Date(expiresAtMs).toISOString(), familyId }), { KEEPTTL: true });
    }
    for (const key of await inspector.keys('gh:oidc-rt:*')) {
      const [clientId, scopes, [userId, userName, source, portalSessionHash], expiresAtMs, familyId] = JSON.parse((await inspector.get(key))!) as [string, string[], string[], number, string];
      const approval = { userId, userName, source, portalSessionHash };
      await inspector.set(key, JSON.stringify({ clientId, scopes, approval, expiresAt: new Date(expiresAtMs).toISOString(), familyId }), { KEEPTTL: true });
    }
    const sso = new SSOClient({ region: 'us-east-1', endpoint: gh.baseUrl, maxAttempts: 1 });
    try {
      expect((await sso.send(new ListAccountsCommand({ accessToken: tokens.accessToken }))).accountList).to.be.an('array');
      const refreshed = await refresh(oidc, client, tokens.refreshToken);
      await sso.send(new LogoutCommand({ accessToken: tokens.accessToken }));
      expect((await failure(sso.send(new ListAccountsCommand({ accessToken: refreshed.accessToken })))).name).to.equal('UnauthorizedException');
      expect((await failure(refresh(oidc, client, refreshed.refreshToken))).name).to.equal('InvalidGrantException');
    } finally {
      sso.destroy();
    }
  });

  it('keeps two records per CLI sign-in, no list of a family’s or a session’s tokens, and drops a refreshed-away token', async () => {
    const client = await registerCodeClient(oidc);
    let tokens = await redeemCode(oidc, client, await authorizationCode(await signedIn(gh, org, 'alice'), client.clientId));
    const lasting = async () => (await inspector.keys('gh:*')).filter((k) => /^gh:(sso-at|oidc-rt|oidc-family|sso-at-by)/.test(k)).length;
    expect(await lasting()).to.equal(2);
    for (let i = 0; i < 3; i++) tokens = await refresh(oidc, client, tokens.refreshToken);
    // The refreshed-away refresh tokens are gone; the access tokens live out their hour.
    expect((await inspector.keys('gh:oidc-rt:*')).length).to.equal(1);
    expect(await lasting()).to.equal(5);
  });
});
