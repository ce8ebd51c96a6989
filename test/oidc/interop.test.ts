// OpenID Connect with openid-client 6 as the relying party, through the real HTTP surface: the
// portal's sign-in driven by a cookie jar, tokens verified by the client against our JWKS.
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { authorizeInBrowser, client, createOidcApp, follow, REDIRECT_URI, rpFor, signInWithCode, submitForm, type OidcApp } from '../support/oidc-rp.ts';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

describe('OIDC applications with openid-client as the relying party', function () {
  this.timeout(30000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let app: OidcApp;

  before(async () => {
    gh = await startGatehouse();
    org = await seedOrganization(gh.services, {
      users: [{ userName: 'alice', email: 'alice@example.com', displayName: 'Alice Liddell' }, { userName: 'bob' }],
      groups: [{ name: 'Engineers', members: ['alice'] }],
    });
    app = await createOidcApp(
      gh,
      { grantTypes: ['authorization_code', 'refresh_token', DEVICE_GRANT], postLogoutRedirectUris: ['https://rp.example/signed-out'] },
      { GROUP: [org.groups.Engineers!] },
    );
  });
  after(() => gh?.close());

  const alice = () => ({ userName: 'alice', password: org.users.alice!.password });

  it('publishes discovery under /oidc with code, refresh, client credentials, device, PAR, introspection, revocation and logout', async () => {
    const res = await fetch(`${gh.baseUrl}/oidc/.well-known/openid-configuration`);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc.issuer).to.equal(`${gh.baseUrl}/oidc`);
    expect(doc.grant_types_supported).to.include.members(['authorization_code', 'refresh_token', 'client_credentials', DEVICE_GRANT]);
    expect(doc.code_challenge_methods_supported).to.deep.equal(['S256']);
    expect(doc.scopes_supported).to.include.members(['openid', 'profile', 'email', 'groups']);
    for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'introspection_endpoint', 'revocation_endpoint', 'end_session_endpoint', 'device_authorization_endpoint', 'pushed_authorization_request_endpoint']) {
      expect(doc[endpoint], endpoint).to.be.a('string').that.matches(new RegExp(`^${gh.baseUrl}/oidc/`));
    }
    const jwks = (await (await fetch(doc.jwks_uri as string)).json()) as { keys: { alg: string; d?: string }[] };
    expect(jwks.keys.map((k) => k.alg).sort()).to.deep.equal(['ES256', 'RS256']);
    expect(jwks.keys.some((k) => k.d)).to.equal(false, 'no private part is published');
  });

  it('signs in with code and PKCE through the portal sign-in, with groups in the ID token and userinfo', async () => {
    const rp = await rpFor(gh, app);
    const tokens = await signInWithCode(rp, new PortalClient(gh.baseUrl), alice());
    const claims = tokens.claims()!;
    expect(claims.sub).to.equal(org.users.alice!.id);
    expect(claims.iss).to.equal(`${gh.baseUrl}/oidc`);
    expect(claims.amr).to.deep.equal(['pwd']);
    expect(claims.acr).to.equal('urn:gatehouse:acr:password');
    const info = await client.fetchUserInfo(rp, tokens.access_token, claims.sub);
    expect(info).to.deep.include({ preferred_username: 'alice', email: 'alice@example.com', name: 'Alice Liddell', groups: ['Engineers'] });
  });

  it('a browser already signed in to the portal is not asked again', async () => {
    const browser = new PortalClient(gh.baseUrl);
    await browser.signIn('alice', org.users.alice!.password);
    const tokens = await signInWithCode(await rpFor(gh, app), browser, undefined);
    expect(tokens.claims()!.sub).to.equal(org.users.alice!.id);
  });

  it('rotates the refresh token at every refresh, and the one presented before no longer works', async () => {
    const rp = await rpFor(gh, app);
    const first = await signInWithCode(rp, new PortalClient(gh.baseUrl), alice());
    expect(first.refresh_token).to.be.a('string');
    const second = await client.refreshTokenGrant(rp, first.refresh_token!);
    expect(second.refresh_token).to.be.a('string').and.not.equal(first.refresh_token);
    expect(second.claims()!.sub).to.equal(org.users.alice!.id);
    const err = await client.refreshTokenGrant(rp, first.refresh_token!).then(() => null, (e: { error?: string }) => e);
    expect(err?.error).to.equal('invalid_grant');
  });

  it('gives a confidential client tokens of its own with client credentials (client_secret_post)', async () => {
    const service = await createOidcApp(gh, { name: 'Batch job', grantTypes: ['client_credentials'], tokenEndpointAuthMethod: 'client_secret_post', redirectUris: [] });
    const rp = await rpFor(gh, service, 'post');
    const tokens = await client.clientCredentialsGrant(rp, {});
    expect(tokens.token_type.toLowerCase()).to.equal('bearer');
    const seen = await client.tokenIntrospection(rp, tokens.access_token);
    expect(seen).to.include({ active: true, client_id: service.id });
    // A wrong secret is refused.
    const wrong = await rpFor(gh, { id: service.id, clientSecret: 'not-the-secret' }, 'post');
    const err = await client.clientCredentialsGrant(wrong, {}).then(() => null, (e: { error?: string }) => e);
    expect(err?.error).to.equal('invalid_client');
  });

  it('signs in a device with the device code grant, the person approving in the portal', async () => {
    const rp = await rpFor(gh, app);
    const started = await client.initiateDeviceAuthorization(rp, { scope: 'openid groups' });
    const browser = new PortalClient(gh.baseUrl);
    // The person opens the verification page, types the code, signs in, and confirms.
    const page = (await follow(browser, started.verification_uri)).last;
    const confirm = await submitForm(browser, page, 'op.deviceInputForm', { user_code: started.user_code });
    expect(confirm.text).to.include('Wiki').and.include(started.user_code);
    const approved = await submitForm(browser, confirm, 'op.deviceConfirmForm');
    const { page: final } = await authorizeInBrowser(browser, new URL(approved.location!, gh.baseUrl), alice());
    expect(final.text).to.include('Device signed in');
    const tokens = await client.genericGrantRequest(rp, DEVICE_GRANT, { device_code: started.device_code });
    expect(tokens.claims()!.sub).to.equal(org.users.alice!.id);
    expect((await client.fetchUserInfo(rp, tokens.access_token, org.users.alice!.id)).groups).to.deep.equal(['Engineers']);
  });

  it('RP-initiated logout ends the portal session too, and the app\'s tokens', async () => {
    const rp = await rpFor(gh, app);
    const browser = new PortalClient(gh.baseUrl);
    const tokens = await signInWithCode(rp, browser, alice());
    const url = client.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://rp.example/signed-out', state: 'bye' });
    const page = (await follow(browser, url.href)).last;
    expect(page.text).to.include('Sign out of Gatehouse');
    const done = await submitForm(browser, page, 'op.logoutForm', { logout: 'yes' });
    expect(done.status).to.equal(303);
    expect(done.location).to.equal('https://rp.example/signed-out?state=bye');
    expect((await browser.request('GET', '/start')).text).to.include('name="password"');
    const err = await client.refreshTokenGrant(rp, tokens.refresh_token!).then(() => null, (e: { error?: string }) => e);
    expect(err?.error).to.equal('invalid_grant');
  });

  it('signing out of the portal ends the OIDC grants made in that session, and the next authorization asks to sign in', async () => {
    const rp = await rpFor(gh, app);
    const browser = new PortalClient(gh.baseUrl);
    const tokens = await signInWithCode(rp, browser, alice());
    await browser.signOut();
    const err = await client.refreshTokenGrant(rp, tokens.refresh_token!).then(() => null, (e: { error?: string }) => e);
    expect(err?.error).to.equal('invalid_grant');
    expect((await client.tokenIntrospection(rp, tokens.access_token)).active).to.equal(false);
    const again = client.buildAuthorizationUrl(rp, { redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const { callback, page } = await authorizeInBrowser(browser, again);
    expect(callback).to.equal(null);
    expect(page.text).to.include('name="password"');
  });

  it('revokes a token at the revocation endpoint', async () => {
    const rp = await rpFor(gh, app);
    const tokens = await signInWithCode(rp, new PortalClient(gh.baseUrl), alice());
    await client.tokenRevocation(rp, tokens.access_token);
    expect((await client.tokenIntrospection(rp, tokens.access_token)).active).to.equal(false);
  });
});

describe('OIDC client authentication with private_key_jwt', function () {
  this.timeout(30000);
  let gh: TestGatehouse;

  before(async () => {
    gh = await startGatehouse();
  });
  after(() => gh?.close());

  it('accepts an assertion signed with the registered key and refuses one signed with another key', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const publicJwk = { ...(await crypto.subtle.exportKey('jwk', pair.publicKey)), kid: 'rp-key-1', alg: 'ES256', use: 'sig' };
    const refused = await gh.api('POST', '/applications', { kind: 'oidc', name: 'Leaky', grantTypes: ['client_credentials'], tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [{ ...publicJwk, d: 'secret' }] } });
    expect(refused.status).to.equal(400);
    expect(JSON.stringify(refused.body)).to.include('must be a public key');

    const made = await gh.api('POST', '/applications', { kind: 'oidc', name: 'Signed job', grantTypes: ['client_credentials'], tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [publicJwk] } });
    expect(made.status).to.equal(201);
    expect(made.body.clientSecret).to.equal(null);
    const discovery = (issuerKey: CryptoKey, kid: string) =>
      client.discovery(new URL(`${gh.baseUrl}/oidc`), made.body.id, undefined, client.PrivateKeyJwt({ key: issuerKey, kid }), { execute: [client.allowInsecureRequests] });
    const tokens = await client.clientCredentialsGrant(await discovery(pair.privateKey, 'rp-key-1'), {});
    expect(tokens.access_token).to.be.a('string');

    const other = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const err = await client.clientCredentialsGrant(await discovery(other.privateKey, 'rp-key-1'), {}).then(
      () => null,
      (e: { error?: string; cause?: { parameters?: { error?: string } }[] }) => e.error ?? (Array.isArray(e.cause) ? e.cause[0]?.parameters?.error : undefined),
    );
    expect(err).to.equal('invalid_client');
  });
});

describe('OIDC custom claims from user attributes', function () {
  this.timeout(30000);
  let gh: TestGatehouse;

  before(async () => {
    gh = await startGatehouse();
  });
  after(() => gh?.close());

  it('maps claims with the template grammar of SAML attribute mappings, at userinfo', async () => {
    const org = await seedOrganization(gh.services, {
      users: [{ userName: 'erin', attributes: { department: 'Engineering', costCenter: 'CC-9' } }],
      groups: [{ name: 'Ops', members: ['erin'] }, { name: 'Dev', members: ['erin'] }],
    });
    const refused = await gh.api('POST', '/applications', { kind: 'oidc', name: 'Bad', redirectUris: [REDIRECT_URI], claimMappings: [{ name: 'sub', value: '${user:userName}' }] });
    expect(refused.status).to.equal(400);
    expect(JSON.stringify(refused.body)).to.include('claim Gatehouse sets itself');
    const typo = await gh.api('POST', '/applications', { kind: 'oidc', name: 'Bad', redirectUris: [REDIRECT_URI], claimMappings: [{ name: 'dept', value: '${user:departmnt}' }] });
    expect(typo.status).to.equal(400);

    const app = await createOidcApp(gh, {
      name: 'Mapped',
      claimMappings: [
        { name: 'department', value: '${user:attribute.department}' },
        { name: 'teams', value: '${user:groups}' },
        { name: 'cost_label', value: 'cc/${user:attribute.costCenter}' },
      ],
    }, { USER: [org.users.erin!.id] });
    // The provider learns the new claim names at its next re-read.
    gh.clock.advanceSeconds(gh.config.signingKeysRefreshSeconds + 1);
    const rp = await rpFor(gh, app);
    const tokens = await signInWithCode(rp, new PortalClient(gh.baseUrl), { userName: 'erin', password: org.users.erin!.password }, 'openid profile');
    // With an access token issued, scope claims go to userinfo, not the ID token (OpenID Connect Core §5.4).
    const info = await client.fetchUserInfo(rp, tokens.access_token, org.users.erin!.id);
    expect(info).to.deep.include({ department: 'Engineering', teams: ['Dev', 'Ops'], cost_label: 'cc/CC-9' });
  });
});
