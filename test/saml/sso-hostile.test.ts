// Hostile input at /saml/sso and /saml/slo, over HTTP: each request is refused with a plain 400
// page that says why, nothing is posted to any SP, no pending request is kept (no browser-binding
// cookie) and no session is touched. Replays are refused on another node sharing PostgreSQL and
// Redis.
import { deflateRawSync } from 'node:zlib';
import { expect } from 'chai';
import type { Application } from '../../model/types.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient, type PageResponse } from '../support/portal-client.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { startRedisServer, type PrivateRedis } from '../support/redis-server.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import {
  authnRequestXml, logoutRequestXml, newId, postForm, redirectQuery, redirectQueryFromDeflated, rsaKey, signEnveloped, splitSignature,
  type TestKey,
} from '../idp/inbound-fixtures.ts';
import { assign, autoPost, createApplication, expectRefusedPage, follow, nodeSamlFor, startRedirectSignIn, submitSignIn } from './fixtures.ts';

function expectNothingKept(page: PageResponse): void {
  expect(page.headers.getSetCookie().some((c) => c.startsWith('gh_sso='))).to.equal(false);
}

describe('hostile input at /saml/sso and /saml/slo', function () {
  this.timeout(60_000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let spKey: TestKey;
  let attackerKey: TestKey;
  let open: Application;
  let strict: Application;
  let sso: string;
  let slo: string;

  before(async () => {
    gh = await startGatehouse();
    [spKey, attackerKey] = await Promise.all([rsaKey('sp'), rsaKey('attacker')]);
    org = await seedOrganization(gh.services, { users: [{ userName: 'alice', email: 'alice@example.com' }] });
    // Signs its requests, but does not require it (metadata AuthnRequestsSigned="false").
    open = await createApplication(gh.services, { slug: 'open', signingCertificates: [spKey.certPem] });
    strict = await createApplication(gh.services, {
      slug: 'strict',
      signingCertificates: [spKey.certPem],
      authnRequestsSigned: true,
      slo: { url: 'https://strict.example.com/saml/slo', binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect' },
    });
    for (const app of [open, strict]) await assign(gh.services, app, { user: org.users.alice!.id });
    sso = `${gh.baseUrl}/saml/sso`;
    slo = `${gh.baseUrl}/saml/slo`;
  });
  after(async () => {
    await gh?.close();
  });

  const request = (app: Application, fields: Parameters<typeof authnRequestXml>[0] = {}) =>
    authnRequestXml({ issuer: app.entityId, acsUrl: app.acs[0]!.url, destination: sso, ...fields });

  const getSso = async (query: string, client = new PortalClient(gh.baseUrl)) => client.request('GET', `/saml/sso?${query}`);
  const postSso = async (form: Record<string, string>, client = new PortalClient(gh.baseUrl)) => client.request('POST', '/saml/sso', form);

  it('refuses bad base64, over both bindings', async () => {
    const viaGet = await getSso('SAMLRequest=not*base64!');
    expectRefusedPage(viaGet, /not valid base64/);
    expectNothingKept(viaGet);
    expectRefusedPage(await postSso({ SAMLRequest: 'PHNhbWxw%%%' }), /not valid base64/);
  });

  it('stops a deflate bomb at the inflation cap', async () => {
    const bomb = deflateRawSync(Buffer.alloc(8 * 1024 * 1024, 0x20));
    expect(bomb.length).to.be.below(10 * 1024);
    const page = await getSso(redirectQueryFromDeflated(bomb));
    expectRefusedPage(page, /inflates to more than \d+ bytes.*deflate bomb/);
    expectNothingKept(page);
  });

  it('refuses a foreign ACS URL and its case, trailing-slash, userinfo and port variants', async () => {
    const registered = open.acs[0]!.url; // https://open.example.com/saml/acs
    const variants = [
      'https://evil.example.com/saml/acs',
      registered.replace('open.example.com', 'OPEN.example.com'),
      registered.replace('/saml/acs', '/SAML/acs'),
      `${registered}/`,
      registered.replace('https://', 'https://user@'),
      registered.replace('https://open.example.com', 'https://open.example.com:443'),
      registered.replace('https://open.example.com', 'https://open.example.com@evil.example.com'),
    ];
    for (const acsUrl of variants) {
      const page = await getSso(redirectQuery(request(open, { acsUrl }), { key: spKey }));
      expectRefusedPage(page, /is not registered for this application \(it must match the metadata exactly\)/);
      expectNothingKept(page);
    }
  });

  it('refuses a request for the Response over HTTP-Redirect', async () => {
    expectRefusedPage(await getSso(redirectQuery(request(open, { protocolBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect' }))), /only sent over HTTP-POST/);
  });

  it('refuses an unknown Issuer', async () => {
    const page = await getSso(redirectQuery(request(open, { issuer: 'https://stranger.example.com/saml' })));
    expectRefusedPage(page, /Issuer "https:\/\/stranger\.example\.com\/saml" is not a registered application/);
  });

  it('refuses a bad signature even on a request that did not need one (query signature and XML signature)', async () => {
    expectRefusedPage(await getSso(redirectQuery(request(open), { key: attackerKey })), /signature does not verify/);
    expectRefusedPage(await postSso(postForm(signEnveloped(request(open), attackerKey))), /does not verify/);
    // Signed properly, changed afterwards.
    const signed = signEnveloped(request(open), spKey);
    const tampered = signed.replace('AllowCreate="true"', 'AllowCreate="false"');
    expect(tampered).to.not.equal(signed);
    expectRefusedPage(await postSso(postForm(tampered)), /was changed after it was signed/);
  });

  it('refuses an unsigned request from an app that requires signing', async () => {
    expectRefusedPage(await getSso(redirectQuery(request(strict))), /requires signed requests \(AuthnRequestsSigned\)/);
    expectRefusedPage(await postSso(postForm(request(strict))), /requires signed requests/);
  });

  it('refuses a wrapped AuthnRequest: the signed original hidden inside an unsigned one, or its signature moved to the outside', async () => {
    const original = signEnveloped(request(strict, { id: '_orig1' }), spKey);
    const hidden = authnRequestXml({ id: '_evil1', issuer: strict.entityId, destination: sso, acsUrl: 'https://evil.example.com/saml/acs', inner: `<samlp:Extensions>${original.replace(/^<\?xml[^>]*>/, '')}</samlp:Extensions>` });
    expectRefusedPage(await postSso(postForm(hidden)), /signature is not a direct child of the root element, so it does not sign the message \(signature wrapping\)/);

    const { signature, unsigned } = splitSignature(original);
    const moved = authnRequestXml({ id: '_evil2', issuer: strict.entityId, destination: sso, acsUrl: strict.acs[0]!.url, forceAuthn: false, inner: `${signature}<samlp:Extensions>${unsigned}</samlp:Extensions>` });
    expectRefusedPage(await postSso(postForm(moved)), /signature references "#_orig1", not the root element "#_evil2" \(signature wrapping\)/);
  });

  it('refuses a request outside the clock-skew window, and one addressed elsewhere', async () => {
    const old = new Date(Date.now() - 10 * 60_000).toISOString();
    expectRefusedPage(await getSso(redirectQuery(request(open, { issueInstant: old }), { key: spKey })), /old; requests older than 180 s are refused/);
    const future = new Date(Date.now() + 10 * 60_000).toISOString();
    expectRefusedPage(await getSso(redirectQuery(request(open, { issueInstant: future }), { key: spKey })), /in the future/);
    expectRefusedPage(await getSso(redirectQuery(request(open, { destination: 'https://other-idp.example.com/sso' }), { key: spKey })), /not to this identity provider/);
  });

  it("judges a request's IssueInstant by Gatehouse's clock, not the host's", async () => {
    const own = await startGatehouse();
    try {
      const app = await createApplication(own.services, { slug: 'clocked', signingCertificates: [spKey.certPem] });
      const xml = authnRequestXml({ issuer: app.entityId, acsUrl: app.acs[0]!.url, destination: `${own.baseUrl}/saml/sso` });
      own.clock.advance(10 * 60_000);
      const page = await new PortalClient(own.baseUrl).request('GET', `/saml/sso?${redirectQuery(xml, { key: spKey })}`);
      expectRefusedPage(page, /old; requests older than 180 s are refused/);
    } finally {
      await own.close();
    }
  });

  it('refuses a DOCTYPE with an external entity, and entity expansion', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${request(open)}`;
    expectRefusedPage(await postSso(postForm(xxe)), /DOCTYPE declaration \(DTDs and entities are never processed\)/);
    const billion = `<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>${request(open).replace('<saml:Issuer>', '<saml:Issuer>&b;')}`;
    expectRefusedPage(await getSso(redirectQuery(billion)), /DOCTYPE/);
  });

  it('refuses a repeated parameter (two readers could disagree about which copy counts)', async () => {
    const query = redirectQuery(request(open));
    expectRefusedPage(await getSso(`${query}&${query}`), /repeats the parameter "SAMLRequest"/);
  });

  it('refuses a replayed request id on the same node', async () => {
    const client = new PortalClient(gh.baseUrl);
    const query = redirectQuery(request(open, { id: newId() }), { key: spKey });
    expect((await getSso(query, client)).status).to.equal(303);
    const replay = await getSso(query, new PortalClient(gh.baseUrl));
    expectRefusedPage(replay, /already used/);
    expectNothingKept(replay);
  });

  describe('at /saml/slo', () => {
    const logout = (app: Application, fields: Parameters<typeof logoutRequestXml>[0] = {}) =>
      logoutRequestXml({ issuer: app.entityId, destination: slo, ...fields });

    async function signedInSession(): Promise<{ client: PortalClient; sessionIndex: string }> {
      const client = new PortalClient(gh.baseUrl);
      const sp = await nodeSamlFor(gh.baseUrl, strict, { privateKey: spKey.privateKeyPem, signatureAlgorithm: 'sha256' });
      const page = await follow(client, await startRedirectSignIn(client, sp));
      const final = await submitSignIn(client, page, 'alice', org.users.alice!.password);
      const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: autoPost(final)!.fields.SAMLResponse! });
      return { client, sessionIndex: String(profile!.sessionIndex) };
    }

    const stillSignedIn = async (client: PortalClient) => !(await client.request('GET', '/start')).text.includes('name="password"');

    it('refuses an unsigned LogoutRequest and leaves the session alone', async () => {
      const { client, sessionIndex } = await signedInSession();
      const page = await client.request('GET', `/saml/slo?${redirectQuery(logout(strict, { nameId: 'alice@example.com', sessionIndexes: [sessionIndex] }))}`);
      expectRefusedPage(page, /is not signed; logout requests must be signed/);
      expect(await stillSignedIn(client)).to.equal(true);
    });

    it('refuses a wrapped LogoutRequest: the signed one for another person hidden inside an unsigned one naming the victim', async () => {
      const { client, sessionIndex } = await signedInSession();
      const innocent = signEnveloped(logout(strict, { id: '_lo1', nameId: 'mallory@example.com', sessionIndexes: ['_other'] }), spKey);
      const wrapped = logout(strict, { id: '_lo2', nameId: 'alice@example.com', sessionIndexes: [sessionIndex], inner: `<samlp:Extensions>${innocent}</samlp:Extensions>` });
      expectRefusedPage(await client.request('POST', '/saml/slo', postForm(wrapped)), /signature is not a direct child of the root element, so it does not sign the message \(signature wrapping\)/);
      const { signature, unsigned } = splitSignature(innocent);
      const moved = logout(strict, { id: '_lo3', nameId: 'alice@example.com', sessionIndexes: [sessionIndex], inner: `${signature}` }).replace('</samlp:LogoutRequest>', `<samlp:Extensions>${unsigned}</samlp:Extensions></samlp:LogoutRequest>`);
      expectRefusedPage(await client.request('POST', '/saml/slo', postForm(moved)), /signature references "#_lo1", not the root element "#_lo3" \(signature wrapping\)/);
      expect(await stillSignedIn(client)).to.equal(true);
    });

    it('refuses comments inside a signed NameID', async () => {
      const { client, sessionIndex } = await signedInSession();
      const commented = signEnveloped(logout(strict, { nameId: 'alice@example.com<!---->.evil.example', sessionIndexes: [sessionIndex] }), spKey);
      expectRefusedPage(await client.request('POST', '/saml/slo', postForm(commented)), /contains an XML comment, which is not accepted/);
      expect(await stillSignedIn(client)).to.equal(true);
    });

    it('refuses a LogoutRequest with a bad signature, and from an unknown Issuer', async () => {
      const { client, sessionIndex } = await signedInSession();
      const forged = redirectQuery(logout(strict, { nameId: 'alice@example.com', sessionIndexes: [sessionIndex] }), { key: attackerKey });
      expectRefusedPage(await client.request('GET', `/saml/slo?${forged}`), /signature does not verify/);
      const stranger = redirectQuery(logout(strict, { issuer: 'https://stranger.example.com/saml' }), { key: spKey });
      expectRefusedPage(await client.request('GET', `/saml/slo?${stranger}`), /not a registered application/);
      expect(await stillSignedIn(client)).to.equal(true);
    });

    it('refuses a message that is neither a request nor a response', async () => {
      expectRefusedPage(await new PortalClient(gh.baseUrl).request('GET', '/saml/slo'), /no SAMLRequest or SAMLResponse/);
    });
  });
});

describe('request replay across nodes (PostgreSQL + Redis)', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let redis: PrivateRedis;
  let a: TestGatehouse;
  let b: TestGatehouse;
  let spKey: TestKey;
  let app: Application;

  before(async () => {
    [db, redis, spKey] = await Promise.all([createTestDatabase(), startRedisServer(), rsaKey('sp')]);
    const env = { DATABASE_URL: db.url, REDIS_URL: redis.url };
    a = await startGatehouse({ env });
    // One public base URL for both nodes, as behind a load balancer; node B is reached on its own port.
    b = await startGatehouse({ env: { ...env, BASE_URL: a.baseUrl }, dataDir: a.config.dataDir });
    app = await createApplication(a.services, { signingCertificates: [spKey.certPem], authnRequestsSigned: true });
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await redis?.stop();
    await db?.drop();
  });

  it('refuses on node B an AuthnRequest id node A has already accepted', async () => {
    const xml = authnRequestXml({ id: newId(), issuer: app.entityId, acsUrl: app.acs[0]!.url, destination: `${a.baseUrl}/saml/sso` });
    const query = redirectQuery(xml, { key: spKey });
    const first = await new PortalClient(a.baseUrl).request('GET', `/saml/sso?${query}`);
    expect(first.status, first.text.slice(0, 300)).to.equal(303);
    const replay = await new PortalClient(`http://127.0.0.1:${b.config.port}`).request('GET', `/saml/sso?${query}`);
    expectRefusedPage(replay, /already used/);
    expectNothingKept(replay);
  });

  it('denies, and keeps nothing, when the replay cache cannot be reached', async () => {
    const query = redirectQuery(authnRequestXml({ id: newId(), issuer: app.entityId, acsUrl: app.acs[0]!.url, destination: `${a.baseUrl}/saml/sso` }), { key: spKey });
    await redis.stop();
    try {
      const page = await new PortalClient(a.baseUrl).request('GET', `/saml/sso?${query}`);
      expect(page.status).to.equal(503);
      expect(page.text).to.not.include('SAMLResponse');
      expectNothingKept(page);
    } finally {
      await redis.restart();
    }
  });
});
