// The authorization-code flow with PKCE S256 as AWS CLI 2.22+ runs `aws sso login` (docs/aws-cli.md
// "Authorization code + PKCE"): a loopback listener on 127.0.0.1 at a random port plays the CLI's
// callback server, PortalClient plays the browser, and @aws-sdk/client-sso-oidc redeems the code.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTokenCommand, type SSOOIDCClient } from '@aws-sdk/client-sso-oidc';
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { hiddenFields, PortalClient } from '../support/portal-client.ts';
import type { SeededOrg } from '../support/seed.ts';
import { failure, oidcClient, registerClient, seedPeople, signedIn, START_URL } from './oidc-fixtures.ts';

/** The CLI's callback server: records every request to /oauth/callback. */
async function loopbackListener() {
  const hits: URLSearchParams[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/oauth/callback') hits.push(url.searchParams);
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { port, redirectUri: `http://127.0.0.1:${port}/oauth/callback`, hits, close: () => new Promise((r) => server.close(r)) };
}

/** 64 characters from the unreserved set, as botocore makes it, and its S256 challenge. */
function pkcePair() {
  const verifier = randomBytes(48).toString('base64url').slice(0, 64);
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe('SSO OIDC authorization code with PKCE (AWS CLI 2.22+ login)', function () {
  let gh: TestGatehouse;
  let org: SeededOrg;
  let oidc: SSOOIDCClient;
  let listener: Awaited<ReturnType<typeof loopbackListener>>;

  before(async () => {
    gh = await startGatehouse();
    org = await seedPeople(gh);
    oidc = oidcClient(gh);
  });
  after(async () => {
    oidc?.destroy();
    await gh?.close();
  });
  beforeEach(async () => {
    listener = await loopbackListener();
  });
  afterEach(async () => {
    await listener.close();
  });

  /** RegisterClient exactly as botocore's SSOTokenFetcherAuth sends it. */
  const registerCli = (clientName = 'botocore-client-my-sso') =>
    registerClient(oidc, { clientName, grantTypes: ['authorization_code', 'refresh_token'], redirectUris: ['http://127.0.0.1/oauth/callback'], issuerUrl: START_URL });

  /** The URL the CLI opens in the browser. */
  function authorizeUrl(clientId: string, challenge: string, o: { redirectUri?: string; state?: string; method?: string } = {}) {
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: o.redirectUri ?? listener.redirectUri,
      state: o.state ?? randomUUID(),
      code_challenge_method: o.method ?? 'S256',
      scopes: 'sso:account:access',
      code_challenge: challenge,
    });
    return `/authorize?${q}`;
  }

  /** The browser from /authorize through sign-in to the consent page. */
  async function toConsent(browser: PortalClient, url: string, userName = 'alice') {
    const first = await browser.request('GET', url);
    expect(first.status).to.equal(303);
    const signIn = new URL(first.location!, gh.baseUrl);
    expect(signIn.pathname).to.equal('/start');
    await browser.request('GET', signIn.pathname + signIn.search);
    const returnTo = hiddenFields(browser.lastPage).returnTo!;
    const login = await browser.request('POST', '/start/login', { csrf: browser.csrf(), userName, password: org.users[userName]!.password, returnTo });
    expect(login.status).to.equal(303);
    const consent = await browser.request('GET', login.location!);
    expect(consent.status, consent.text.slice(0, 300)).to.equal(200);
    return consent;
  }

  /** Clicks Allow or Deny and lets the browser follow the redirect to the loopback listener. */
  async function click(browser: PortalClient, decision: 'approve' | 'deny') {
    const fields = hiddenFields(browser.lastPage);
    const answer = await browser.request('POST', `/authorize/${decision}`, { csrf: fields.csrf!, consent: fields.consent! });
    expect(answer.status).to.equal(303);
    const location = new URL(answer.location!);
    await fetch(location);
    return location;
  }

  const redeem = (client: { clientId: string; clientSecret: string }, code: string, codeVerifier: string, redirectUri = listener.redirectUri) =>
    oidc.send(new CreateTokenCommand({ grantType: 'authorization_code', clientId: client.clientId, clientSecret: client.clientSecret, redirectUri, codeVerifier, code }));

  it('signs in, shows consent, sends code and state to the loopback port, and redeems the code once for a token', async () => {
    const client = await registerCli();
    const { verifier, challenge } = pkcePair();
    const state = randomUUID();
    const browser = new PortalClient(gh.baseUrl);
    const consent = await toConsent(browser, authorizeUrl(client.clientId, challenge, { state }));
    expect(consent.text).to.include('botocore-client-my-sso').and.include(listener.redirectUri);
    // The form's redirect goes to the CLI's loopback origin, so CSP form-action must allow it.
    expect(consent.headers.get('content-security-policy')).to.include(`form-action 'self' http://127.0.0.1:${listener.port}`);

    const location = await click(browser, 'approve');
    expect(`${location.origin}${location.pathname}`).to.equal(listener.redirectUri);
    expect(listener.hits).to.have.length(1);
    const hit = listener.hits[0]!;
    expect(hit.get('state')).to.equal(state);
    const code = hit.get('code')!;
    expect(code).to.be.a('string').with.length.above(30);

    const token = await redeem(client, code, verifier);
    expect(token.tokenType).to.equal('Bearer');
    expect(token.expiresIn).to.be.at.least(3600);
    expect(await gh.services.ssoAccessTokens.resolve(token.accessToken)).to.include({ userId: org.users.alice!.id, clientId: client.clientId });
    // The refresh token works like the device flow's.
    const refreshed = await oidc.send(new CreateTokenCommand({ grantType: 'refresh_token', ...client, refreshToken: token.refreshToken }));
    expect(refreshed.accessToken).to.be.a('string').and.not.equal(token.accessToken);

    expect(await failure(redeem(client, code, verifier))).to.include({ name: 'InvalidGrantException', status: 400 });
  });

  it('refuses a wrong code_verifier, and the code is burnt by the attempt', async () => {
    const client = await registerCli();
    const { verifier, challenge } = pkcePair();
    const browser = await signedIn(gh, org, 'alice');
    await browser.request('GET', authorizeUrl(client.clientId, challenge));
    await click(browser, 'approve');
    const code = listener.hits[0]!.get('code')!;
    const wrong = await failure(redeem(client, code, pkcePair().verifier));
    expect(wrong).to.include({ name: 'InvalidGrantException', status: 400 });
    expect(wrong.error_description).to.match(/codeVerifier/);
    expect((await failure(redeem(client, code, verifier))).name).to.equal('InvalidGrantException');
  });

  it('binds the code to the redirect URI (port included) and to the client', async () => {
    const client = await registerCli();
    const { verifier, challenge } = pkcePair();
    const browser = await signedIn(gh, org, 'alice');
    await browser.request('GET', authorizeUrl(client.clientId, challenge));
    await click(browser, 'approve');
    const code = listener.hits[0]!.get('code')!;
    const otherPort = `http://127.0.0.1:${listener.port === 65535 ? 1 : listener.port + 1}/oauth/callback`;
    expect((await failure(redeem(client, code, verifier, otherPort))).name).to.equal('InvalidGrantException');

    await browser.request('GET', authorizeUrl(client.clientId, challenge));
    await click(browser, 'approve');
    const second = listener.hits[1]!.get('code')!;
    const other = await registerCli('another-client');
    expect((await failure(redeem(other, second, verifier))).name).to.equal('InvalidGrantException');
  });

  it('refuses redirect URIs that are not the registered loopback callback, with a page and no redirect', async () => {
    const client = await registerCli();
    const { challenge } = pkcePair();
    const browser = await signedIn(gh, org, 'alice');
    for (const redirectUri of [
      'http://evil.example/oauth/callback',
      `http://localhost:${listener.port}/oauth/callback`,
      `http://127.0.0.1:${listener.port}@evil.example/oauth/callback`,
      `http://127.0.0.1.evil.example:${listener.port}/oauth/callback`,
      `https://127.0.0.1:${listener.port}/oauth/callback`,
      `http://127.0.0.1:${listener.port}/oauth/other`,
      `http://127.0.0.1:${listener.port}/oauth/callback/../../steal`,
      `http://127.0.0.1:${listener.port}/oauth/callback?next=https://evil.example`,
    ]) {
      const res = await browser.request('GET', authorizeUrl(client.clientId, challenge, { redirectUri }));
      expect(res.status, redirectUri).to.equal(400);
      expect(res.location, redirectUri).to.equal(null);
      expect(res.text).to.include('did not register');
    }
    const unknown = await browser.request('GET', authorizeUrl('ghc-unknown', challenge));
    expect(unknown.status).to.equal(400);
    expect(unknown.location).to.equal(null);
    expect(listener.hits).to.have.length(0);
  });

  it('requires PKCE S256: plain or a missing challenge goes back to the client as invalid_request', async () => {
    const client = await registerCli();
    const browser = await signedIn(gh, org, 'alice');
    const plain = await browser.request('GET', authorizeUrl(client.clientId, 'a'.repeat(43), { method: 'plain', state: 's1' }));
    expect(plain.status).to.equal(303);
    const to = new URL(plain.location!);
    expect(`${to.origin}${to.pathname}`).to.equal(listener.redirectUri);
    expect(to.searchParams.get('error')).to.equal('invalid_request');
    expect(to.searchParams.get('state')).to.equal('s1');
    expect(to.searchParams.get('code')).to.equal(null);
    const missing = await browser.request('GET', authorizeUrl(client.clientId, ''));
    expect(new URL(missing.location!).searchParams.get('error')).to.equal('invalid_request');
  });

  it('sends error=access_denied with the state when the person denies, and issues no code', async () => {
    const client = await registerCli();
    const browser = await signedIn(gh, org, 'bob');
    await browser.request('GET', authorizeUrl(client.clientId, pkcePair().challenge, { state: 'deny-state' }));
    const location = await click(browser, 'deny');
    expect(location.searchParams.get('error')).to.equal('access_denied');
    expect(location.searchParams.get('state')).to.equal('deny-state');
    expect(location.searchParams.get('code')).to.equal(null);
  });

  it('escapes the client name on the consent page and refuses a consent post without the CSRF token', async () => {
    const client = await registerCli('<script>alert("x")</script>');
    const browser = await signedIn(gh, org, 'alice');
    const page = await browser.request('GET', authorizeUrl(client.clientId, pkcePair().challenge));
    expect(page.text).to.include('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;').and.not.include('<script>alert');
    const fields = hiddenFields(page.text);
    const forged = await browser.request('POST', '/authorize/approve', { consent: fields.consent!, csrf: 'forged' });
    expect(forged.status).to.equal(403);
    expect(forged.location).to.equal(null);
    // The consent is still there for the real click, and only once.
    const real = await browser.request('POST', '/authorize/approve', { consent: fields.consent!, csrf: fields.csrf! });
    expect(real.status).to.equal(303);
    expect(new URL(real.location!).searchParams.get('code')).to.be.a('string');
    const replay = await browser.request('POST', '/authorize/approve', { consent: fields.consent!, csrf: fields.csrf! });
    expect(replay.status).to.equal(400);
    expect(replay.location).to.equal(null);
  });

  it("does not let one person's consent form be submitted in another person's session", async () => {
    const client = await registerCli();
    const alice = await signedIn(gh, org, 'alice');
    const page = await alice.request('GET', authorizeUrl(client.clientId, pkcePair().challenge));
    const consentId = hiddenFields(page.text).consent!;
    const bob = await signedIn(gh, org, 'bob');
    await bob.request('GET', '/start');
    const stolen = await bob.request('POST', '/authorize/approve', { consent: consentId, csrf: bob.csrf() });
    expect(stolen.status).to.equal(400);
    expect(listener.hits).to.have.length(0);
  });
});
