// The AWS CLI's sign-ins on an instance that asks for a second factor (docs/mfa.md): for the
// device code and for PKCE, the browser page sends the person to sign in, the password leads to the
// second step, and nothing is approved, nor any token issued, until the code is given; then
// approval works as before (AWS SDK client-sso-oidc as the CLI).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { CreateTokenCommand, StartDeviceAuthorizationCommand, type SSOOIDCClient } from '@aws-sdk/client-sso-oidc';
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { MFA_ON, signInRegisteringApp, type AuthenticatorApp } from '../support/mfa.ts';
import { hiddenFields, PortalClient } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { failure, oidcClient, redeemCode, registerClient, registerCodeClient, START_URL, useSettings } from './oidc-fixtures.ts';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

describe('SSO OIDC device flow with MFA (AWS SDK client-sso-oidc)', function () {
  this.timeout(60_000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let oidc: SSOOIDCClient;
  let app: AuthenticatorApp;

  before(async () => {
    gh = await startGatehouse({ mfa: MFA_ON });
    org = await seedOrganization(gh.services, {
      users: [{ userName: 'alice' }],
      accounts: [{ accountId: '111122223333', name: 'Production' }],
      permissionSets: [{ name: 'ReadOnly' }],
      assignments: [{ accountId: '111122223333', set: 'ReadOnly', user: 'alice' }],
    });
    oidc = oidcClient(gh);
    useSettings(gh, { registrationsPerMinute: 1000 });
    ({ app } = await signInRegisteringApp(new PortalClient(gh.baseUrl), 'alice', org.users.alice!.password, gh.clock));
  });
  after(async () => {
    oidc?.destroy();
    await gh?.close();
  });

  it('stops the approval at the second factor: no approval and no token until the code is given', async () => {
    const client = await registerClient(oidc);
    const start = await oidc.send(new StartDeviceAuthorizationCommand({ clientId: client.clientId, clientSecret: client.clientSecret, startUrl: START_URL }));
    const poll = () => oidc.send(new CreateTokenCommand({ grantType: DEVICE_GRANT, clientId: client.clientId, clientSecret: client.clientSecret, deviceCode: start.deviceCode! }));

    const browser = new PortalClient(gh.baseUrl);
    const url = new URL(start.verificationUriComplete!);
    const toSignIn = await browser.request('GET', url.pathname + url.search);
    expect(toSignIn.status).to.equal(303);
    const signInPage = await browser.request('GET', toSignIn.location!);
    const afterPassword = await browser.request('POST', '/start/login', { ...hiddenFields(signInPage.text), userName: 'alice', password: org.users.alice!.password });
    expect(afterPassword.location).to.equal('/start/mfa');
    expect(browser.cookies.has('gh_session')).to.equal(false);

    // Halfway: the verification page still asks for sign-in, and the CLI still waits.
    const stillOut = await browser.request('GET', url.pathname + url.search);
    expect(stillOut.status).to.equal(303);
    expect(stillOut.location).to.match(/^\/start\?/);
    expect(await failure(poll())).to.include({ name: 'AuthorizationPendingException' });

    const step = await browser.request('GET', '/start/mfa');
    expect(step.text).to.include('Verify your identity');
    gh.clock.advanceSeconds(30);
    const done = await browser.request('POST', '/start/mfa', { csrf: hiddenFields(step.text).csrf!, code: app.code() });
    expect(done.status).to.equal(303);
    expect(done.location).to.equal(`/device?user_code=${start.userCode}`);
    const confirm = await browser.request('GET', done.location!);
    expect(confirm.status).to.equal(200);
    const userCode = /data-user-code="([^"]+)"/.exec(confirm.text)?.[1];
    const approved = await browser.request('POST', '/device/approve', { csrf: browser.csrf(), user_code: userCode ?? '' });
    expect(approved.text).to.include('Request approved');
    const token = await poll();
    expect(token.accessToken).to.be.a('string');
  });

  it('stops the PKCE authorization (the CLI\'s default) at the second factor too, then issues the code', async () => {
    const client = await registerCodeClient(oidc);
    const codeVerifier = randomBytes(48).toString('base64url').slice(0, 64);
    const redirectUri = 'http://127.0.0.1:53682/oauth/callback';
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: redirectUri,
      state: randomUUID(),
      code_challenge_method: 'S256',
      scopes: 'sso:account:access',
      code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
    });
    const browser = new PortalClient(gh.baseUrl);
    const toSignIn = await browser.request('GET', `/authorize?${query}`);
    expect(toSignIn.status).to.equal(303);
    const signInPage = await browser.request('GET', toSignIn.location!);
    const afterPassword = await browser.request('POST', '/start/login', { ...hiddenFields(signInPage.text), userName: 'alice', password: org.users.alice!.password });
    expect(afterPassword.location).to.equal('/start/mfa');
    // No consent page before the second factor.
    expect((await browser.request('GET', `/authorize?${query}`)).status).to.equal(303);
    const step = await browser.request('GET', '/start/mfa');
    gh.clock.advanceSeconds(30);
    const done = await browser.request('POST', '/start/mfa', { csrf: hiddenFields(step.text).csrf!, code: app.code() });
    expect(done.location).to.match(/^\/authorize\?/);
    const consent = await browser.request('GET', done.location!);
    expect(consent.status).to.equal(200);
    const fields = hiddenFields(consent.text);
    const answer = await browser.request('POST', '/authorize/approve', { csrf: fields.csrf!, consent: fields.consent! });
    const code = new URL(answer.location!).searchParams.get('code');
    const token = await redeemCode(oidc, client, { code: code!, codeVerifier, redirectUri });
    expect(token.accessToken).to.be.a('string');
  });
});
