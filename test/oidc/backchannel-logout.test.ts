// OpenID Connect Back-Channel Logout 1.0 through the real HTTP surface: a small HTTP server in the
// test stands as each app's back-channel endpoint, and what it receives is verified as a relying
// party would (jose against the provider's JWKS: iss, aud, the logout event, sid and sub). Signing
// out of the portal and RP-initiated logout both send it; an app that fails or does not answer
// is logged and does not stop the sign-out.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { captureLog } from '../support/captured-log.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { freePort } from '../support/free-port.ts';
import { PortalClient } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { client, createOidcApp, follow, rpFor, signInWithCode, submitForm, REDIRECT_URI } from '../support/oidc-rp.ts';

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** The apps' back-channel endpoints: /ok answers 200, /broken 500, /silent never answers. */
class RpEndpoints {
  readonly received: { path: string; logoutToken: string; contentType: string | undefined }[] = [];
  readonly #server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const logoutToken = new URLSearchParams(body).get('logout_token') ?? '';
      this.received.push({ path: req.url ?? '', logoutToken, contentType: req.headers['content-type'] });
      if (req.url?.startsWith('/silent')) return; // holds the request open
      res.statusCode = req.url?.startsWith('/broken') ? 500 : 200;
      res.end();
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  tokensFor(path: string): string[] {
    return this.received.filter((r) => r.path === path).map((r) => r.logoutToken);
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

describe('OIDC back-channel logout', function () {
  this.timeout(30000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let rpBase: string;
  const endpoints = new RpEndpoints();
  const log = captureLog();

  before(async () => {
    rpBase = await endpoints.start();
    gh = await startGatehouse({ log: { level: 'info', destination: log.destination } });
    org = await seedOrganization(gh.services, { users: [{ userName: 'alice' }], groups: [{ name: 'Staff', members: ['alice'] }] });
  });
  after(async () => {
    await gh?.close();
    await endpoints.close();
  });

  const alice = () => ({ userName: 'alice', password: org.users.alice!.password });
  const appWithEndpoint = (name: string, path: string) =>
    createOidcApp(
      gh,
      { name, backchannelLogoutUri: `${rpBase}${path}`, grantTypes: ['authorization_code', 'refresh_token'], postLogoutRedirectUris: ['https://rp.example/signed-out'] },
      { GROUP: [org.groups.Staff!] },
    );

  /** Verifies a logout token as the app would (Back-Channel Logout 1.0 §2.6), returning its claims. */
  async function verifyLogoutToken(token: string, clientId: string) {
    const jwks = createRemoteJWKSet(new URL(`${gh.baseUrl}/oidc/jwks`));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: `${gh.baseUrl}/oidc`, audience: clientId, typ: 'logout+jwt' });
    expect(protectedHeader.alg).to.be.oneOf(['RS256', 'ES256']);
    expect(payload.events).to.deep.equal({ [LOGOUT_EVENT]: {} });
    expect(payload.jti).to.be.a('string');
    expect(payload).not.to.have.property('nonce');
    return payload;
  }

  it('refuses a back-channel logout URI as it refuses a redirect URI, and keeps a good one', async () => {
    for (const [uri, reason] of [
      ['http://wiki.example/logout', 'must use https'],
      ['https://wiki.example/logout#frag', 'must not have a fragment'],
      ['wiki-app:/logout', 'must be an http(s) URL'],
      ['not a url', 'must be an absolute URI'],
    ]) {
      const refused = await gh.api('POST', '/applications', { kind: 'oidc', name: 'Bad', redirectUris: [REDIRECT_URI], backchannelLogoutUri: uri });
      expect(refused.status, uri).to.equal(400);
      expect(JSON.stringify(refused.body), uri).to.include('backchannelLogoutUri').and.include(reason!);
    }
    const made = await gh.api('POST', '/applications', { kind: 'oidc', name: 'Good', redirectUris: [REDIRECT_URI], backchannelLogoutUri: 'https://wiki.example/oidc/backchannel' });
    expect(made.status).to.equal(201);
    const read = await gh.api('GET', `/applications/${made.body.id}`);
    expect(read.body.oidc.backchannelLogoutUri).to.equal('https://wiki.example/oidc/backchannel');
  });

  it('advertises back-channel logout with session ids in discovery', async () => {
    const doc = (await (await fetch(`${gh.baseUrl}/oidc/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc.backchannel_logout_supported).to.equal(true);
    expect(doc.backchannel_logout_session_supported).to.equal(true);
  });

  it('signing out of the portal sends each app the session signed in to a logout token it can verify', async () => {
    const wiki = await appWithEndpoint('Wiki', '/ok/wiki');
    const crm = await appWithEndpoint('CRM', '/ok/crm');
    const browser = new PortalClient(gh.baseUrl);
    const wikiRp = await rpFor(gh, wiki);
    const wikiTokens = await signInWithCode(wikiRp, browser, alice());
    const crmTokens = await signInWithCode(await rpFor(gh, crm), browser, undefined);
    expect(endpoints.tokensFor('/ok/wiki')).to.have.length(0);

    const out = await browser.signOut();
    expect(out.status).to.be.below(400);

    const [wikiToken, ...moreWiki] = endpoints.tokensFor('/ok/wiki');
    const [crmToken, ...moreCrm] = endpoints.tokensFor('/ok/crm');
    expect(moreWiki, 'one token per app').to.have.length(0);
    expect(moreCrm, 'one token per app').to.have.length(0);
    expect(endpoints.received.find((r) => r.path === '/ok/wiki')!.contentType).to.equal('application/x-www-form-urlencoded');
    const wikiClaims = await verifyLogoutToken(wikiToken!, wiki.id);
    const crmClaims = await verifyLogoutToken(crmToken!, crm.id);
    // The sid is the one in the app's ID token, so the app knows which of its sessions to end.
    expect(wikiClaims.sid).to.be.a('string').and.equal(wikiTokens.claims()!.sid);
    expect(crmClaims.sid).to.be.a('string').and.equal(crmTokens.claims()!.sid);
    expect(wikiClaims.sub).to.equal(org.users.alice!.id);
    // A token meant for one app does not verify for the other.
    const wrongAudience = await jwtVerify(wikiToken!, createRemoteJWKSet(new URL(`${gh.baseUrl}/oidc/jwks`)), { audience: crm.id }).then(() => null, (e: Error) => e);
    expect(wrongAudience).to.be.instanceOf(Error);
    // And the grants are gone as before.
    const err = await client.refreshTokenGrant(wikiRp, wikiTokens.refresh_token!).then(() => null, (e: { error?: string }) => e);
    expect(err?.error).to.equal('invalid_grant');
  });

  it('disabling the user tells each app they signed in to, with a logout token for their session', async () => {
    const bob = (await gh.services.users.create({ userName: 'bob', displayName: 'Bob', password: 'bob-password-1234' }, 'test')).id;
    await gh.services.groups.addMember(org.groups.Staff!, { userId: bob }, 'test');
    const journal = await appWithEndpoint('Journal', '/ok/journal');
    const rp = await rpFor(gh, journal);
    const tokens = await signInWithCode(rp, new PortalClient(gh.baseUrl), { userName: 'bob', password: 'bob-password-1234' });
    expect(endpoints.tokensFor('/ok/journal')).to.have.length(0);

    expect((await gh.api('PATCH', `/users/${bob}`, { enabled: false })).status).to.equal(200);
    const [token, ...more] = endpoints.tokensFor('/ok/journal');
    expect(more, 'one token').to.have.length(0);
    const claims = await verifyLogoutToken(token!, journal.id);
    expect(claims.sub).to.equal(bob);
    expect(claims.sid).to.equal(tokens.claims()!.sid);
  });

  it('RP-initiated logout confirmed with "Sign out of Gatehouse" tells every app of the session, once', async () => {
    const notes = await appWithEndpoint('Notes', '/ok/notes');
    const tasks = await appWithEndpoint('Tasks', '/ok/tasks');
    const browser = new PortalClient(gh.baseUrl);
    const notesRp = await rpFor(gh, notes);
    const notesTokens = await signInWithCode(notesRp, browser, alice());
    const tasksTokens = await signInWithCode(await rpFor(gh, tasks), browser, undefined);

    const url = client.buildEndSessionUrl(notesRp, { id_token_hint: notesTokens.id_token!, post_logout_redirect_uri: 'https://rp.example/signed-out' });
    const page = (await follow(browser, url.href)).last;
    const done = await submitForm(browser, page, 'op.logoutForm', { logout: 'yes' });
    expect(done.location).to.equal('https://rp.example/signed-out');

    expect(endpoints.tokensFor('/ok/notes')).to.have.length(1);
    expect(endpoints.tokensFor('/ok/tasks')).to.have.length(1);
    expect((await verifyLogoutToken(endpoints.tokensFor('/ok/notes')[0]!, notes.id)).sid).to.equal(notesTokens.claims()!.sid);
    expect((await verifyLogoutToken(endpoints.tokensFor('/ok/tasks')[0]!, tasks.id)).sid).to.equal(tasksTokens.claims()!.sid);
  });

  it('RP-initiated logout goes on when an app\'s endpoint fails, and says so in the log', async () => {
    const failing = await appWithEndpoint('Failing', '/broken/rp-initiated');
    const browser = new PortalClient(gh.baseUrl);
    const rp = await rpFor(gh, failing);
    const tokens = await signInWithCode(rp, browser, alice());
    log.clear();
    const url = client.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://rp.example/signed-out' });
    const done = await submitForm(browser, (await follow(browser, url.href)).last, 'op.logoutForm', { logout: 'yes' });
    expect(done.location).to.equal('https://rp.example/signed-out');
    expect(endpoints.tokensFor('/broken/rp-initiated')).to.have.length(1);
    expect((await browser.request('GET', '/start')).text).to.include('name="password"');
    const failures = log.lines().filter((l) => l.msg === 'OIDC back-channel logout not delivered').map((l) => l.clientId);
    expect(failures).to.deep.equal([failing.id]);
  });

  it('an app whose endpoint fails, refuses connections or hangs does not stop the sign-out, and it is logged', async () => {
    const closedPort = await freePort();
    const broken = await appWithEndpoint('Broken', '/broken');
    const silent = await appWithEndpoint('Silent', '/silent');
    const gone = await createOidcApp(gh, { name: 'Gone', backchannelLogoutUri: `http://127.0.0.1:${closedPort}/logout` }, { GROUP: [org.groups.Staff!] });
    const good = await appWithEndpoint('Good', '/ok/good');
    const browser = new PortalClient(gh.baseUrl);
    const goodRp = await rpFor(gh, good);
    await signInWithCode(await rpFor(gh, broken), browser, alice());
    await signInWithCode(await rpFor(gh, silent), browser, undefined);
    await signInWithCode(await rpFor(gh, gone), browser, undefined);
    const goodTokens = await signInWithCode(goodRp, browser, undefined);
    log.clear();

    const started = Date.now();
    const out = await browser.signOut();
    const took = Date.now() - started;
    expect(out.status).to.be.below(400);
    // The provider gives up on an endpoint after 2.5 s; the endpoints are called side by side.
    expect(took, 'sign-out time (ms)').to.be.below(5000);
    expect((await browser.request('GET', '/start')).text).to.include('name="password"');

    expect(endpoints.tokensFor('/broken')).to.have.length(1);
    expect(endpoints.tokensFor('/silent')).to.have.length(1);
    await verifyLogoutToken(endpoints.tokensFor('/ok/good')[0]!, good.id);
    const failures = log.lines().filter((l) => l.msg === 'OIDC back-channel logout not delivered').map((l) => l.clientId);
    expect(failures).to.have.members([broken.id, silent.id, gone.id]);
    // The grants are revoked whatever the apps answered.
    expect((await client.tokenIntrospection(goodRp, goodTokens.access_token)).active).to.equal(false);
    expect(decodeJwt(goodTokens.id_token!).sid).to.be.a('string');
  });
});
