// SSO OIDC device flow through the real HTTP surface with the AWS SDK for JavaScript v3
// (@aws-sdk/client-sso-oidc) as the client and the portal's verification page as the person.
import { ListAccountsCommand, SSOClient } from '@aws-sdk/client-sso';
import { CreateTokenCommand, StartDeviceAuthorizationCommand, type SSOOIDCClient } from '@aws-sdk/client-sso-oidc';
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { decideDevice, failure, oidcClient, postJson, registerClient, signedIn, sleep, START_URL, useSettings } from './oidc-fixtures.ts';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;
// Every test here registers from 127.0.0.1 against one Gatehouse; the per-address registration
// limit has its own test (oidc-redis.test.ts).
const BASE = { registrationsPerMinute: 1000 };

describe('SSO OIDC device flow (AWS SDK client-sso-oidc)', function () {
  let gh: TestGatehouse;
  let org: SeededOrg;
  let oidc: SSOOIDCClient;

  before(async () => {
    gh = await startGatehouse();
    org = await seedOrganization(gh.services, {
      users: [{ userName: 'alice' }, { userName: 'bob' }, { userName: 'carol' }, { userName: 'dave' }, { userName: 'erin' }],
      accounts: [{ accountId: '111122223333', name: 'Production' }],
      permissionSets: [{ name: 'ReadOnly' }],
      assignments: [{ accountId: '111122223333', set: 'ReadOnly', user: 'alice' }],
    });
    oidc = oidcClient(gh);
    useSettings(gh, BASE);
  });
  after(async () => {
    oidc?.destroy();
    await gh?.close();
  });
  afterEach(() => useSettings(gh, BASE));

  /** Register, start, and return everything a test needs to continue. */
  async function started(userSettings?: { deviceCodeSeconds?: number }) {
    if (userSettings) useSettings(gh, { ...BASE, ...userSettings });
    const client = await registerClient(oidc);
    const start = await oidc.send(new StartDeviceAuthorizationCommand({ clientId: client.clientId, clientSecret: client.clientSecret, startUrl: START_URL }));
    const poll = (deviceCode = start.deviceCode!, c = client) =>
      oidc.send(new CreateTokenCommand({ grantType: DEVICE_GRANT, clientId: c.clientId, clientSecret: c.clientSecret, deviceCode }));
    return { client, start, poll };
  }

  it('registers a public client: secret, epoch-second timestamps about 90 days apart, and the endpoints', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { clientId, clientSecret, out } = await registerClient(oidc);
    expect(clientId).to.be.a('string').with.length.above(20);
    expect(clientSecret).to.be.a('string').with.length.above(30);
    expect(out.clientIdIssuedAt).to.be.within(before - 1, before + 5);
    expect(out.clientSecretExpiresAt! - out.clientIdIssuedAt!).to.equal(90 * 24 * 3600);
    expect(out.authorizationEndpoint).to.equal(`${gh.baseUrl}/authorize`);
    expect(out.tokenEndpoint).to.equal(`${gh.baseUrl}/token`);
    const again = await registerClient(oidc);
    expect(again.clientId).to.not.equal(clientId);
    expect(again.clientSecret).to.not.equal(clientSecret);
  });

  it('runs the device flow end to end: pending, approval on the verification page, then a token that works on the SSO portal API', async () => {
    const { start, poll } = await started();
    expect(start.userCode).to.match(USER_CODE);
    expect(start.verificationUri).to.equal(`${gh.baseUrl}/device`);
    expect(start.verificationUriComplete).to.equal(`${gh.baseUrl}/device?user_code=${start.userCode}`);
    expect(start.expiresIn).to.equal(600);
    expect(start.interval).to.equal(1);

    // The CLI's first poll comes at once, before the person has seen anything.
    const pending = await failure(poll());
    expect(pending).to.include({ name: 'AuthorizationPendingException', status: 400, error: 'authorization_pending' });

    const browser = await signedIn(gh, org, 'alice');
    const { page, result } = await decideDevice(browser, start.verificationUriComplete!, 'approve');
    expect(page.text).to.include(start.userCode).and.include('botocore-client-my-sso');
    expect(result.status).to.equal(200);
    expect(result.text).to.include('Request approved');

    // Within the poll interval of the first poll: an approved code is answered at once.
    const token = await poll();
    expect(token.tokenType).to.equal('Bearer');
    expect(token.expiresIn).to.be.at.least(3600);
    expect(token.accessToken).to.be.a('string');
    expect(token.refreshToken).to.be.a('string');

    const resolved = await gh.services.ssoAccessTokens.resolve(token.accessToken);
    expect(resolved).to.include({ userId: org.users.alice!.id });
    expect(resolved!.scopes).to.deep.equal(['sso:account:access']);
    const sso = new SSOClient({ region: 'us-east-1', endpoint: gh.baseUrl, maxAttempts: 1 });
    try {
      const accounts = await sso.send(new ListAccountsCommand({ accessToken: token.accessToken! }));
      expect(accounts.accountList?.map((a) => a.accountId)).to.deep.equal(['111122223333']);
    } finally {
      sso.destroy();
    }

    // The audit log names who approved which client.
    const audit = await gh.services.audit.list({ action: 'sso-oidc.device.approve' });
    expect(audit.items.some((e) => e.actor === org.users.alice!.id)).to.equal(true);
  });

  it('refuses a device code once it has been exchanged (InvalidGrantException)', async () => {
    const { start, poll } = await started();
    await decideDevice(await signedIn(gh, org, 'alice'), start.verificationUriComplete!, 'approve');
    await poll();
    expect(await failure(poll())).to.include({ name: 'InvalidGrantException', status: 400, error: 'invalid_grant' });
  });

  it('expires a device code: ExpiredTokenException, and the page no longer knows the code', async () => {
    const { start, poll } = await started({ deviceCodeSeconds: 120 });
    expect(start.expiresIn).to.equal(120);
    gh.clock.advanceSeconds(120);
    expect(await failure(poll())).to.include({ name: 'ExpiredTokenException', status: 400, error: 'expired_token' });
    const browser = await signedIn(gh, org, 'alice');
    const page = await browser.request('GET', `/device?user_code=${start.userCode}`);
    expect(page.status).to.equal(404);
    expect(page.text).to.include('not recognised').and.not.include('/device/approve');
  });

  it('answers SlowDownException to a poll within the interval, and pending again once the client waits', async () => {
    const { poll } = await started();
    expect((await failure(poll())).name).to.equal('AuthorizationPendingException');
    expect(await failure(poll())).to.include({ name: 'SlowDownException', status: 400, error: 'slow_down' });
    await sleep(1050);
    expect((await failure(poll())).name).to.equal('AuthorizationPendingException');
  });

  it('counts polls in the store, so two nodes polled in turn are just as "too fast"', async () => {
    const { start, client } = await started();
    const body = { grantType: DEVICE_GRANT, clientId: client.clientId, clientSecret: client.clientSecret, deviceCode: start.deviceCode };
    // A second service instance on the same store stands in for a second node.
    const nodeA = gh.services.ssoOidc;
    useSettings(gh, BASE);
    const nodeB = gh.services.ssoOidc;
    expect(nodeB).to.not.equal(nodeA);
    const codeOf = async (p: Promise<unknown>) => p.then(() => 'token', (e: { code: string }) => e.code);
    expect(await codeOf(nodeA.createToken(body))).to.equal('authorization_pending');
    expect(await codeOf(nodeB.createToken(body))).to.equal('slow_down');
  });

  it('answers AccessDeniedException when the person denies, and the device code is then used up', async () => {
    const { start, poll } = await started();
    const { result } = await decideDevice(await signedIn(gh, org, 'bob'), start.verificationUriComplete!, 'deny');
    expect(result.text).to.include('Request denied');
    expect(await failure(poll())).to.include({ name: 'AccessDeniedException', status: 400, error: 'access_denied' });
    expect((await failure(poll())).name).to.equal('InvalidGrantException');
  });

  it('refuses a wrong client secret or an unknown client with InvalidClientException (401)', async () => {
    const { client, start } = await started();
    const wrong = { clientId: client.clientId, clientSecret: `${client.clientSecret}x` };
    expect(await failure(oidc.send(new StartDeviceAuthorizationCommand({ ...wrong, startUrl: START_URL })))).to.include({ name: 'InvalidClientException', status: 401, error: 'invalid_client' });
    expect(await failure(oidc.send(new CreateTokenCommand({ ...wrong, grantType: DEVICE_GRANT, deviceCode: start.deviceCode })))).to.include({ name: 'InvalidClientException', status: 401 });
    expect((await failure(oidc.send(new CreateTokenCommand({ clientId: 'ghc-unknown', clientSecret: client.clientSecret, grantType: DEVICE_GRANT, deviceCode: start.deviceCode })))).name).to.equal('InvalidClientException');
  });

  it("refuses another client's device code with InvalidGrantException, and leaves it usable by its own client", async () => {
    const { start, poll } = await started();
    const other = await registerClient(oidc);
    expect(await failure(poll(start.deviceCode, other))).to.include({ name: 'InvalidGrantException', status: 400 });
    await decideDevice(await signedIn(gh, org, 'alice'), start.verificationUriComplete!, 'approve');
    expect((await poll()).accessToken).to.be.a('string');
  });

  it('rotates refresh tokens: the new access token works, the old refresh token is refused', async () => {
    const { client, start, poll } = await started();
    await decideDevice(await signedIn(gh, org, 'alice'), start.verificationUriComplete!, 'approve');
    const first = await poll();
    const refresh = (refreshToken: string) =>
      oidc.send(new CreateTokenCommand({ grantType: 'refresh_token', clientId: client.clientId, clientSecret: client.clientSecret, refreshToken }));
    const second = await refresh(first.refreshToken!);
    expect(second.accessToken).to.not.equal(first.accessToken);
    expect(second.refreshToken).to.not.equal(first.refreshToken);
    expect(second.expiresIn).to.be.at.least(3600);
    expect(await gh.services.ssoAccessTokens.resolve(second.accessToken)).to.include({ userId: org.users.alice!.id });
    expect(await failure(refresh(first.refreshToken!))).to.include({ name: 'InvalidGrantException', status: 400 });
    // Issued and refreshed tokens are in the audit log (docs/admin-api.md "Audit log"), never the token itself.
    const refreshed = (await gh.services.audit.list({ action: 'sso-token.refresh', target: `sso-client/${client.clientId}` })).items;
    expect(refreshed).to.have.length(1);
    expect(refreshed[0]!.detail).to.include({ grantType: 'refresh_token' });
    expect(refreshed[0]!.actor).to.equal(org.users.alice!.id);
    expect((await gh.services.audit.list({ action: 'sso-token.issue', actor: org.users.alice!.id })).items.length).to.be.at.least(1);
    expect(JSON.stringify(refreshed)).to.not.include(first.refreshToken!);
    // Another client cannot use it either (and the attempt burns it).
    const other = await registerClient(oidc);
    const stolen = await failure(oidc.send(new CreateTokenCommand({ grantType: 'refresh_token', clientId: other.clientId, clientSecret: other.clientSecret, refreshToken: second.refreshToken })));
    expect(stolen.name).to.equal('InvalidGrantException');
  });

  it('refuses a refresh after the user is disabled, and the access token dies with the portal session', async () => {
    const { client, start, poll } = await started();
    await decideDevice(await signedIn(gh, org, 'carol'), start.verificationUriComplete!, 'approve');
    const token = await poll();
    await gh.services.users.update(org.users.carol!.id, { enabled: false }, 'test');
    const refused = await failure(oidc.send(new CreateTokenCommand({ grantType: 'refresh_token', clientId: client.clientId, clientSecret: client.clientSecret, refreshToken: token.refreshToken })));
    expect(refused).to.include({ name: 'InvalidGrantException', status: 400 });
    expect(await gh.services.ssoAccessTokens.resolve(token.accessToken)).to.equal(null);
  });

  it('refuses a refresh for a user disabled in the directory behind Gatehouse’s back (re-read at every refresh)', async () => {
    const { client, start, poll } = await started();
    await decideDevice(await signedIn(gh, org, 'dave'), start.verificationUriComplete!, 'approve');
    const token = await poll();
    // Straight into the store: no lifecycle hook ends the portal session (as with an LDAP change).
    await gh.services.sql.directory.updateUser(org.users.dave!.id, { enabled: false });
    const refused = await failure(oidc.send(new CreateTokenCommand({ grantType: 'refresh_token', clientId: client.clientId, clientSecret: client.clientSecret, refreshToken: token.refreshToken })));
    expect(refused).to.include({ name: 'InvalidGrantException' });
    expect(refused.error_description).to.match(/no longer sign in/);
  });

  it('gives no token when the approving portal session has ended (signed out before the CLI polled)', async () => {
    const { start, poll } = await started();
    const browser = await signedIn(gh, org, 'erin');
    await decideDevice(browser, start.verificationUriComplete!, 'approve');
    await browser.signOut();
    expect((await failure(poll())).name).to.equal('InvalidGrantException');
  });

  it('refuses a 1 MB clientName with a clean 400, and over-long or malformed registrations with the modelled exceptions', async () => {
    const huge = await failure(registerClient(oidc, { clientName: 'x'.repeat(1024 * 1024) }));
    expect(huge.status).to.equal(400);
    expect(huge.name).to.be.oneOf(['InvalidRequestException', 'InvalidClientMetadataException']);
    expect(await failure(registerClient(oidc, { clientName: 'x'.repeat(200) }))).to.include({ name: 'InvalidClientMetadataException', status: 400, error: 'invalid_client_metadata' });
    expect((await failure(registerClient(oidc, { clientType: 'confidential' }))).name).to.equal('InvalidClientMetadataException');
    expect((await failure(registerClient(oidc, { scopes: ['codewhisperer:completions'] }))).name).to.equal('InvalidScopeException');
    expect((await failure(registerClient(oidc, { grantTypes: ['password'] }))).name).to.equal('UnsupportedGrantTypeException');
    expect((await failure(registerClient(oidc, { grantTypes: ['authorization_code'], redirectUris: ['https://evil.example/oauth/callback'] }))).name).to.equal('InvalidRedirectUriException');
    expect((await failure(oidc.send(new CreateTokenCommand({ grantType: 'password', clientId: 'x', clientSecret: 'y' })))).name).to.equal('InvalidClientException');
    const c = await registerClient(oidc);
    expect((await failure(oidc.send(new CreateTokenCommand({ grantType: 'password', ...c })))).name).to.equal('UnsupportedGrantTypeException');
  });

  it('sends every error with both x-amzn-ErrorType and __type, plus error and error_description', async () => {
    const cases: [string, unknown, number, string, string][] = [
      ['/client/register', { clientType: 'public' }, 400, 'InvalidRequestException', 'invalid_request'],
      ['/client/register', '{not json', 400, 'InvalidRequestException', 'invalid_request'],
      ['/client/register', { clientName: 'x'.repeat(1024 * 1024), clientType: 'public' }, 400, 'InvalidRequestException', 'invalid_request'],
      ['/device_authorization', { clientId: 'nope', clientSecret: 'nope', startUrl: START_URL }, 401, 'InvalidClientException', 'invalid_client'],
      ['/token', { clientId: 'nope', clientSecret: 'nope', grantType: DEVICE_GRANT, deviceCode: 'x' }, 401, 'InvalidClientException', 'invalid_client'],
    ];
    for (const [path, body, status, type, code] of cases) {
      const res = await postJson(gh, path, body);
      expect(res.status, path).to.equal(status);
      expect(res.headers.get('x-amzn-errortype'), path).to.equal(type);
      expect(res.body).to.include({ __type: type, error: code });
      expect(res.body.error_description).to.be.a('string').with.length.above(5);
    }
    const { client, start } = await started();
    const pending = await postJson(gh, '/token', { grantType: DEVICE_GRANT, clientId: client.clientId, clientSecret: client.clientSecret, deviceCode: start.deviceCode });
    expect(pending.status).to.equal(400);
    expect(pending.headers.get('x-amzn-errortype')).to.equal('AuthorizationPendingException');
    expect(pending.body).to.include({ __type: 'AuthorizationPendingException', error: 'authorization_pending' });
    expect(pending.headers.get('cache-control')).to.equal('no-store');
  });

  describe('verification page', () => {
    it('sends a person who is not signed in to sign in, then back to the same code', async () => {
      const { start } = await started();
      const browser = new PortalClient(gh.baseUrl);
      const first = await browser.request('GET', `/device?user_code=${start.userCode}`);
      expect(first.status).to.equal(303);
      const signInUrl = new URL(first.location!, gh.baseUrl);
      expect(signInUrl.pathname).to.equal('/start');
      expect(signInUrl.searchParams.get('returnTo')).to.equal(`/device?user_code=${start.userCode}`);
      await browser.request('GET', signInUrl.pathname + signInUrl.search);
      const login = await browser.request('POST', '/start/login', { csrf: browser.csrf(), userName: 'alice', password: org.users.alice!.password, returnTo: signInUrl.searchParams.get('returnTo')! });
      expect(login.status).to.equal(303);
      expect(login.location).to.equal(`/device?user_code=${start.userCode}`);
      const page = await browser.request('GET', login.location!);
      expect(page.status).to.equal(200);
      expect(page.text).to.include(start.userCode).and.include('/device/approve');
    });

    it('takes a typed code in any case and spacing, and shows the client name escaped', async () => {
      const client = await registerClient(oidc, { clientName: '<img src=x onerror=alert(1)>"evil"' });
      const start = await oidc.send(new StartDeviceAuthorizationCommand({ ...client, startUrl: START_URL }));
      const browser = await signedIn(gh, org, 'alice');
      const form = await browser.request('GET', '/device');
      expect(form.status).to.equal(200);
      expect(form.text).to.include('name="user_code"');
      const typed = ` ${start.userCode!.toLowerCase().replace('-', ' ')} `;
      const page = await browser.request('GET', `/device?user_code=${encodeURIComponent(typed)}`);
      expect(page.status).to.equal(200);
      expect(page.text).to.include('&lt;img src=x onerror=alert(1)&gt;&quot;evil&quot;').and.not.include('<img src=x');
      expect(page.text).to.include(start.userCode);
    });

    it('refuses an approval without the session CSRF token, and the code stays pending', async () => {
      const { start, poll } = await started();
      const browser = await signedIn(gh, org, 'alice');
      await browser.request('GET', `/device?user_code=${start.userCode}`);
      const forged = await browser.request('POST', '/device/approve', { user_code: start.userCode!, csrf: 'forged' });
      expect(forged.status).to.equal(403);
      expect((await failure(poll())).name).to.equal('AuthorizationPendingException');
    });

    it('lets a code be decided once: a second click finds nothing to approve', async () => {
      const { start } = await started();
      const browser = await signedIn(gh, org, 'alice');
      await decideDevice(browser, start.verificationUriComplete!, 'deny');
      await browser.request('GET', '/device');
      const again = await browser.request('POST', '/device/approve', { user_code: start.userCode!, csrf: browser.csrf() });
      expect(again.status).to.equal(404);
      expect(again.text).to.include('no longer waiting');
    });

    it('stops answering after ten unknown codes from one person, so user codes cannot be guessed', async () => {
      const browser = await signedIn(gh, org, 'bob');
      for (let i = 0; i < 10; i++) {
        const miss = await browser.request('GET', `/device?user_code=BBBB-BBB${'CDFGHJKLMN'[i]}`);
        expect(miss.status).to.equal(404);
      }
      const { start } = await started();
      const blocked = await browser.request('GET', `/device?user_code=${start.userCode}`);
      expect(blocked.status).to.equal(429);
      expect(blocked.text).to.not.include('/device/approve');
      // Someone else is not affected.
      const other = await signedIn(gh, org, 'alice');
      expect((await other.request('GET', `/device?user_code=${start.userCode}`)).status).to.equal(200);
    });
  });
});
