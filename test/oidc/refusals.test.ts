// What an OIDC application must not get: each refusal through the real HTTP surface, with
// openid-client 6 as the relying party.
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { authorizeInBrowser, client, createOidcApp, REDIRECT_URI, rpFor, signInWithCode, type OidcApp } from '../support/oidc-rp.ts';

/** The OAuth error code of a refused call, from the body or from a WWW-Authenticate challenge (RFC 6750 §3). */
const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: { error?: string; cause?: { parameters?: { error?: string } }[] }) => ({ error: e.error ?? (Array.isArray(e.cause) ? e.cause[0]?.parameters?.error : undefined) }),
  );

describe('OIDC refusals', function () {
  this.timeout(30000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let confidential: OidcApp;
  let publicApp: OidcApp;

  before(async () => {
    gh = await startGatehouse();
    org = await seedOrganization(gh.services, {
      users: [{ userName: 'alice' }, { userName: 'bob' }, { userName: 'carol' }],
      groups: [{ name: 'Engineers', members: ['alice', 'carol'] }],
    });
    confidential = await createOidcApp(gh, {}, { GROUP: [org.groups.Engineers!] });
    publicApp = await createOidcApp(gh, { name: 'Mobile', tokenEndpointAuthMethod: 'none' }, { GROUP: [org.groups.Engineers!] });
  });
  after(() => gh?.close());

  const creds = (userName: string) => ({ userName, password: org.users[userName]!.password });

  async function authorizationUrl(rp: client.Configuration, params: Record<string, string>) {
    const challenge = await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier());
    return client.buildAuthorizationUrl(rp, { redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256', ...params });
  }

  it('refuses a redirect URI that differs from the registered one by one character, without redirecting there', async () => {
    const rp = await rpFor(gh, confidential);
    for (const uri of ['https://rp.example/callbacK', 'https://rp.example/callback/', 'https://rp.example/callback?x=1']) {
      const { callback, page } = await authorizeInBrowser(new PortalClient(gh.baseUrl), await authorizationUrl(rp, { redirect_uri: uri }), creds('alice'));
      expect(callback, uri).to.equal(null);
      expect(page.status, uri).to.equal(400);
      expect(page.text, uri).to.include('redirect_uri');
    }
  });

  it('refuses a public client\'s authorization without PKCE or with the plain method', async () => {
    const rp = await rpFor(gh, publicApp);
    const missing = client.buildAuthorizationUrl(rp, { redirect_uri: REDIRECT_URI, scope: 'openid' });
    const plainVerifier = client.randomPKCECodeVerifier();
    const plain = client.buildAuthorizationUrl(rp, { redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: plainVerifier, code_challenge_method: 'plain' });
    for (const url of [missing, plain]) {
      const { callback } = await authorizeInBrowser(new PortalClient(gh.baseUrl), url, creds('alice'));
      const params = new URL(callback!).searchParams;
      expect(params.get('error')).to.equal('invalid_request');
      expect(params.get('code')).to.equal(null);
    }
    // With S256 the same public client signs in.
    const tokens = await signInWithCode(rp, new PortalClient(gh.baseUrl), creds('alice'));
    expect(tokens.claims()!.sub).to.equal(org.users.alice!.id);
  });

  it('refuses a reused authorization code and revokes what the first exchange issued', async () => {
    const rp = await rpFor(gh, confidential);
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(rp, { redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state: 's1' });
    const { callback } = await authorizeInBrowser(new PortalClient(gh.baseUrl), url, creds('alice'));
    const first = await client.authorizationCodeGrant(rp, new URL(callback!), { pkceCodeVerifier: verifier, expectedState: 's1' });
    expect((await client.tokenIntrospection(rp, first.access_token)).active).to.equal(true);
    const again = await failure(client.authorizationCodeGrant(rp, new URL(callback!), { pkceCodeVerifier: verifier, expectedState: 's1' }));
    expect(again?.error).to.equal('invalid_grant');
    expect((await client.tokenIntrospection(rp, first.access_token)).active).to.equal(false);
    expect((await failure(client.refreshTokenGrant(rp, first.refresh_token!)))?.error).to.equal('invalid_grant');
  });

  it('shows a person not assigned to the app a clear access-denied page, and sends the app nothing', async () => {
    const rp = await rpFor(gh, confidential);
    const { callback, page } = await authorizeInBrowser(new PortalClient(gh.baseUrl), await authorizationUrl(rp, {}), creds('bob'));
    expect(callback).to.equal(null);
    expect(page.status).to.equal(403);
    expect(page.text).to.include('You do not have access to Wiki');
    const audit = await gh.api('GET', '/audit?action=oidc.sign-in');
    expect(JSON.stringify(audit.body)).to.include('not assigned');
  });

  it('refuses the refresh of a user disabled since, and revokes their tokens', async () => {
    const rp = await rpFor(gh, confidential);
    const tokens = await signInWithCode(rp, new PortalClient(gh.baseUrl), creds('carol'));
    expect((await gh.api('PATCH', `/users/${org.users.carol!.id}`, { enabled: false })).status).to.equal(200);
    expect((await failure(client.refreshTokenGrant(rp, tokens.refresh_token!)))?.error).to.equal('invalid_grant');
    expect((await client.tokenIntrospection(rp, tokens.access_token)).active).to.equal(false);
    await gh.api('PATCH', `/users/${org.users.carol!.id}`, { enabled: true });
  });

  it('tells a client nothing about another client\'s token at introspection', async () => {
    const rp = await rpFor(gh, confidential);
    const tokens = await signInWithCode(rp, new PortalClient(gh.baseUrl), creds('alice'));
    const other = await createOidcApp(gh, { name: 'Other', grantTypes: ['client_credentials'], redirectUris: [] });
    const seen = await client.tokenIntrospection(await rpFor(gh, other), tokens.access_token);
    expect(seen).to.deep.equal({ active: false });
    expect((await client.tokenIntrospection(rp, tokens.access_token)).active).to.equal(true);
  });

  it('refuses the refresh once the assignment that let the person in is removed', async () => {
    const app = await createOidcApp(gh, { name: 'Payroll' }, { USER: [org.users.alice!.id] });
    const rp = await rpFor(gh, app);
    const tokens = await signInWithCode(rp, new PortalClient(gh.baseUrl), creds('alice'));
    const removed = await gh.api('DELETE', `/applications/${app.id}/assignments?principalType=USER&principalId=${org.users.alice!.id}`);
    expect(removed.status).to.equal(204);
    expect((await failure(client.refreshTokenGrant(rp, tokens.refresh_token!)))?.error).to.equal('invalid_grant');
    expect((await client.tokenIntrospection(rp, tokens.access_token)).active).to.equal(false);
  });

  it('deleting the application revokes its tokens', async () => {
    const app = await createOidcApp(gh, { name: 'Old app' }, { USER: [org.users.alice!.id] });
    const rp = await rpFor(gh, app);
    const tokens = await signInWithCode(rp, new PortalClient(gh.baseUrl), creds('alice'));
    expect((await gh.api('DELETE', `/applications/${app.id}`)).status).to.equal(204);
    const keys = await gh.services.ephemeral.setMembers(`oidc:grants-of-client:${app.id}`);
    expect(keys).to.deep.equal([]);
    expect((await failure(client.refreshTokenGrant(rp, tokens.refresh_token!)))?.error).to.be.oneOf(['invalid_client', 'invalid_grant']);
  });

  it('refuses bad client settings with a clear message and stores nothing', async () => {
    const before = (await gh.api('GET', '/applications')).body.items.length;
    const cases: [Record<string, unknown>, string][] = [
      [{ redirectUris: ['http://rp.example/cb'] }, 'https'],
      [{ redirectUris: ['https://rp.example/cb#frag'] }, 'fragment'],
      [{ tokenEndpointAuthMethod: 'none', grantTypes: ['client_credentials'] }, 'public client'],
      [{ grantTypes: ['authorization_code'], redirectUris: [] }, 'redirect URI'],
    ];
    for (const [body, message] of cases) {
      const res = await gh.api('POST', '/applications', { kind: 'oidc', name: 'Bad', ...body });
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(JSON.stringify(res.body), JSON.stringify(body)).to.include(message);
    }
    expect((await gh.api('GET', '/applications')).body.items.length).to.equal(before);
  });

  it('shows the client secret once, keeps only its hash, and a rotated secret replaces it at once', async () => {
    expect(confidential.clientSecret).to.be.a('string').with.length.above(40);
    const read = await gh.api('GET', `/applications/${confidential.id}`);
    expect(JSON.stringify(read.body)).not.to.include(confidential.clientSecret!);
    expect(read.body.oidc).to.include({ clientId: confidential.id, hasClientSecret: true });
    expect(read.body.oidc).not.to.have.property('clientSecretSha256');
    // Only what an OIDC application has: none of a SAML application's settings.
    expect(Object.keys(read.body).sort()).to.deep.equal(['createdAt', 'description', 'id', 'kind', 'name', 'oidc', 'updatedAt']);
    const rotated = await gh.api('POST', `/applications/${confidential.id}/client-secret`);
    expect(rotated.status).to.equal(200);
    const old = await failure(client.clientCredentialsGrant(await rpFor(gh, confidential), {}));
    expect(old?.error).to.be.oneOf(['invalid_client', 'unauthorized_client']);
  });
});
