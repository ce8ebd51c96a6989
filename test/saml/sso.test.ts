// SP-initiated SSO at /saml/sso with @node-saml/node-saml as the service provider (configured
// from /saml/metadata only): HTTP-Redirect and HTTP-POST, signed and unsigned requests, the
// InResponseTo check by node-saml's own request cache, RelayState, ForceAuthn, IsPassive, an
// encrypted assertion, NameIDPolicy, and the refusals a person can meet.
import { expect } from 'chai';
import type { Application } from '../../model/types.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { rsaKey, type TestKey } from '../idp/inbound-fixtures.ts';
import {
  NAMEID_PERSISTENT, NAMEID_TRANSIENT, assign, autoPost, createApplication, expectRefusedPage, follow, nodeSamlFor,
  startPostSignIn, startRedirectSignIn, submitSignIn,
} from './fixtures.ts';

describe('SP-initiated SSO at /saml/sso (node-saml as the SP)', function () {
  this.timeout(60_000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let spKey: TestKey;

  before(async () => {
    gh = await startGatehouse();
    spKey = await rsaKey('sp');
    org = await seedOrganization(gh.services, {
      users: [
        { userName: 'alice', email: 'alice@example.com', displayName: 'Alice Liddell', attributes: { department: 'Research' } },
        { userName: 'bob', email: 'bob@example.com' },
        { userName: 'carol', email: 'carol@example.com' },
      ],
      groups: [{ name: 'Engineering', members: ['carol'] }],
    });
  });
  after(async () => {
    await gh?.close();
  });

  const signedApp = (extra: Parameters<typeof createApplication>[1] = {}) =>
    createApplication(gh.services, { signingCertificates: [spKey.certPem], authnRequestsSigned: true, ...extra });

  /** Walks a fresh browser from the SP's request to the Response, signing in on the way. */
  async function signInThrough(client: PortalClient, start: () => Promise<Awaited<ReturnType<typeof startRedirectSignIn>>>, user = 'alice') {
    const answer = await start();
    expect(answer.status, answer.text.slice(0, 300)).to.equal(303);
    expect(answer.location).to.match(/^\/saml\/sso\/continue\?k=[\w-]{32}$/);
    const page = await follow(client, answer);
    return submitSignIn(client, page, user, org.users[user]!.password);
  }

  it('answers a signed HTTP-Redirect AuthnRequest after sign-in with a Response node-saml accepts (InResponseTo from its cache, RelayState echoed)', async () => {
    const app = await signedApp({ attributeMappings: [{ name: 'displayName', value: '${user:displayName}' }, { name: 'department', value: '${user:attribute.department}' }] });
    await assign(gh.services, app, { user: org.users.alice!.id });
    const sp = await nodeSamlFor(gh.baseUrl, app, { privateKey: spKey.privateKeyPem, signatureAlgorithm: 'sha256' });
    const client = new PortalClient(gh.baseUrl);
    const final = await signInThrough(client, () => startRedirectSignIn(client, sp, 'relay-me'));
    const post = autoPost(final);
    expect(post, final.text.slice(0, 500)).to.not.equal(null);
    expect(post!.action).to.equal(app.acs[0]!.url);
    expect(post!.fields.RelayState).to.equal('relay-me');
    expect(final.headers.get('content-security-policy')).to.include(`form-action 'self' https://${new URL(app.acs[0]!.url).host}`);

    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: post!.fields.SAMLResponse! });
    expect(profile?.nameID).to.equal('alice@example.com');
    expect(profile?.displayName).to.equal('Alice Liddell');
    expect(profile?.department).to.equal('Research');
    // node-saml removed the request id from its cache: the same Response is refused a second time.
    let replay: unknown;
    try {
      await sp.validatePostResponseAsync({ SAMLResponse: post!.fields.SAMLResponse! });
    } catch (e) {
      replay = e;
    }
    expect(String(replay)).to.match(/InResponseTo/);
  });

  it('answers an unsigned HTTP-Redirect request from an app that does not require signing', async () => {
    const app = await createApplication(gh.services);
    await assign(gh.services, app, { user: org.users.alice!.id });
    const sp = await nodeSamlFor(gh.baseUrl, app);
    const client = new PortalClient(gh.baseUrl);
    const post = autoPost(await signInThrough(client, () => startRedirectSignIn(client, sp)));
    expect((await sp.validatePostResponseAsync({ SAMLResponse: post!.fields.SAMLResponse! })).profile?.nameID).to.equal('alice@example.com');
  });

  it('answers signed and unsigned HTTP-POST AuthnRequests', async () => {
    const signed = await signedApp();
    const unsigned = await createApplication(gh.services);
    for (const app of [signed, unsigned]) await assign(gh.services, app, { user: org.users.alice!.id });
    const spSigned = await nodeSamlFor(gh.baseUrl, signed, { authnRequestBinding: 'HTTP-POST', skipRequestCompression: true, privateKey: spKey.privateKeyPem, signatureAlgorithm: 'sha256', digestAlgorithm: 'sha256' });
    const spUnsigned = await nodeSamlFor(gh.baseUrl, unsigned, { authnRequestBinding: 'HTTP-POST', skipRequestCompression: true });

    const client = new PortalClient(gh.baseUrl);
    const first = autoPost(await signInThrough(client, () => startPostSignIn(client, spSigned, 'post-relay')));
    expect(first!.fields.RelayState).to.equal('post-relay');
    expect((await spSigned.validatePostResponseAsync({ SAMLResponse: first!.fields.SAMLResponse! })).profile?.nameID).to.equal('alice@example.com');

    // Already signed in: the second app gets its Response without a sign-in page.
    const second = await follow(client, await startPostSignIn(client, spUnsigned));
    const post = autoPost(second);
    expect(post, second.text.slice(0, 300)).to.not.equal(null);
    expect((await spUnsigned.validatePostResponseAsync({ SAMLResponse: post!.fields.SAMLResponse! })).profile?.nameID).to.equal('alice@example.com');
  });

  it('reaches a user through a group assignment, and refuses an unassigned user with a 403 page and no Response', async () => {
    const app = await createApplication(gh.services, { name: 'Wiki <b>' });
    await assign(gh.services, app, { group: org.groups.Engineering! });
    const sp = await nodeSamlFor(gh.baseUrl, app);
    const carol = new PortalClient(gh.baseUrl);
    const post = autoPost(await signInThrough(carol, () => startRedirectSignIn(carol, sp), 'carol'));
    expect((await sp.validatePostResponseAsync({ SAMLResponse: post!.fields.SAMLResponse! })).profile?.nameID).to.equal('carol@example.com');

    const bob = new PortalClient(gh.baseUrl);
    const refused = await signInThrough(bob, () => startRedirectSignIn(bob, sp), 'bob');
    expectRefusedPage(refused, /You are not assigned to Wiki <b>/, 403);
    expect(refused.text).to.include('Wiki &lt;b&gt;');
  });

  it('takes an assignment away at once: removed between request and sign-in, no Response', async () => {
    const app = await createApplication(gh.services);
    await assign(gh.services, app, { user: org.users.alice!.id });
    const sp = await nodeSamlFor(gh.baseUrl, app);
    const client = new PortalClient(gh.baseUrl);
    const page = await follow(client, await startRedirectSignIn(client, sp));
    await gh.services.sql.applications.unassign(app.id, 'USER', org.users.alice!.id);
    expectRefusedPage(await submitSignIn(client, page, 'alice', org.users.alice!.password), /not assigned/, 403);
  });

  it('ForceAuthn shows the sign-in page even with a session, and answers only after a newer sign-in', async () => {
    const app = await createApplication(gh.services);
    await assign(gh.services, app, { user: org.users.alice!.id });
    const client = new PortalClient(gh.baseUrl);
    await client.signIn('alice', org.users.alice!.password);
    const firstSession = client.cookies.get('gh_session');
    // AuthnInstant has whole seconds: move the clock past the first sign-in's second.
    gh.clock.advance(1100);
    const requestedAt = Math.floor(gh.clock.now() / 1000) * 1000;
    const sp = await nodeSamlFor(gh.baseUrl, app, { forceAuthn: true });
    const page = await follow(client, await startRedirectSignIn(client, sp));
    expect(page.text).to.include('name="password"');
    expect(autoPost(page)).to.equal(null);
    const final = await submitSignIn(client, page, 'alice', org.users.alice!.password);
    expect(client.cookies.get('gh_session')).to.not.equal(firstSession);
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: autoPost(final)!.fields.SAMLResponse! });
    const authnInstant = Date.parse(/AuthnInstant="([^"]+)"/.exec(String(profile?.getAssertionXml?.()))?.[1] ?? '');
    expect(authnInstant).to.be.at.least(requestedAt);
  });

  it('IsPassive without a session answers NoPassive at once, with no sign-in page', async () => {
    const app = await createApplication(gh.services);
    await assign(gh.services, app, { user: org.users.alice!.id });
    const sp = await nodeSamlFor(gh.baseUrl, app, { passive: true });
    const client = new PortalClient(gh.baseUrl);
    const page = await follow(client, await startRedirectSignIn(client, sp, 'quiet'));
    expect(page.text).to.not.include('name="password"');
    const post = autoPost(page);
    expect(post!.fields.RelayState).to.equal('quiet');
    expect(await sp.validatePostResponseAsync({ SAMLResponse: post!.fields.SAMLResponse! })).to.deep.equal({ profile: null, loggedOut: false });
  });

  it('IsPassive with a session signs in silently', async () => {
    const app = await createApplication(gh.services);
    await assign(gh.services, app, { user: org.users.alice!.id });
    const client = new PortalClient(gh.baseUrl);
    await client.signIn('alice', org.users.alice!.password);
    const sp = await nodeSamlFor(gh.baseUrl, app, { passive: true });
    const post = autoPost(await follow(client, await startRedirectSignIn(client, sp)));
    expect((await sp.validatePostResponseAsync({ SAMLResponse: post!.fields.SAMLResponse! })).profile?.nameID).to.equal('alice@example.com');
  });

  it('sends an encrypted assertion that node-saml decrypts with its own key', async () => {
    const app = await createApplication(gh.services, { encryptionCertificates: [spKey.certPem], encryptAssertion: true, nameIdFormat: NAMEID_PERSISTENT, nameIdSource: 'persistent' });
    await assign(gh.services, app, { user: org.users.alice!.id });
    const sp = await nodeSamlFor(gh.baseUrl, app, { decryptionPvk: spKey.privateKeyPem });
    const client = new PortalClient(gh.baseUrl);
    const post = autoPost(await signInThrough(client, () => startRedirectSignIn(client, sp)));
    const xml = Buffer.from(post!.fields.SAMLResponse!, 'base64').toString('utf8');
    expect(xml).to.include('EncryptedAssertion');
    expect(xml).to.not.include('<saml:Assertion');
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: post!.fields.SAMLResponse! });
    expect(profile?.nameIDFormat).to.equal(NAMEID_PERSISTENT);
    expect(profile?.nameID).to.match(/^[\w-]{43}$/);
    expect(profile?.nameID).to.not.include('alice');
  });

  it('answers InvalidNameIDPolicy when the request asks for a NameID format the app does not use', async () => {
    const app = await createApplication(gh.services);
    await assign(gh.services, app, { user: org.users.alice!.id });
    const sp = await nodeSamlFor(gh.baseUrl, app, { identifierFormat: NAMEID_TRANSIENT });
    const client = new PortalClient(gh.baseUrl);
    const post = autoPost(await signInThrough(client, () => startRedirectSignIn(client, sp)));
    let error: unknown;
    try {
      await sp.validatePostResponseAsync({ SAMLResponse: post!.fields.SAMLResponse! });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/Requester error/);
    expect(Buffer.from(post!.fields.SAMLResponse!, 'base64').toString()).to.include('urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy');
  });

  it('keeps the pending request to the browser that brought it: a continue link sent to someone else is refused', async () => {
    const app = await createApplication(gh.services);
    await assign(gh.services, app, { user: org.users.alice!.id });
    const sp = await nodeSamlFor(gh.baseUrl, app);
    const victim = new PortalClient(gh.baseUrl);
    await victim.signIn('alice', org.users.alice!.password);

    // An attacker starts a request and sends its continue link to a signed-in person.
    const attacker = new PortalClient(gh.baseUrl);
    const started = await startRedirectSignIn(attacker, sp);
    expectRefusedPage(await victim.request('GET', started.location!), /another browser/);
    // A made-up key names nothing.
    expectRefusedPage(await victim.request('GET', '/saml/sso/continue?k=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), /expired/);
    // The person's own request still goes through.
    expect(autoPost(await follow(victim, await startRedirectSignIn(victim, sp)))).to.not.equal(null);
  });

  it('refuses to answer the same continue link twice', async () => {
    const app = await createApplication(gh.services);
    await assign(gh.services, app, { user: org.users.alice!.id });
    const sp = await nodeSamlFor(gh.baseUrl, app);
    const client = new PortalClient(gh.baseUrl);
    await client.signIn('alice', org.users.alice!.password);
    const started = await startRedirectSignIn(client, sp);
    expect(autoPost(await client.request('GET', started.location!))).to.not.equal(null);
    expectRefusedPage(await client.request('GET', started.location!), /expired|already answered/);
  });

  it('serves an app registered through the admin API from node-saml\'s own SP metadata: signed requests required, encrypted assertion', async () => {
    const draft = await nodeSamlFor(gh.baseUrl, { entityId: 'https://registered.example.com/saml/metadata', acs: [{ url: 'https://registered.example.com/saml/acs', binding: '', index: 0, isDefault: true }], nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' } as Application, {
      privateKey: spKey.privateKeyPem, signatureAlgorithm: 'sha256', decryptionPvk: spKey.privateKeyPem,
    });
    const metadata = draft.generateServiceProviderMetadata(spKey.certPem, spKey.certPem);
    const created = await fetch(`${gh.baseUrl}/api/v1/applications?name=Registered`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await gh.adminToken()}`, 'content-type': 'application/samlmetadata+xml' },
      body: metadata,
    });
    expect(created.status, await created.clone().text()).to.equal(201);
    const app = (await created.json()) as Application;
    expect(app.authnRequestsSigned).to.equal(true);
    // node-saml asks for emailAddress NameIDs (its default identifierFormat).
    const patched = await gh.api('PATCH', `/applications/${app.id}`, { encryptAssertion: true, nameIdFormat: 'emailAddress', nameIdSource: 'email' });
    expect(patched.status).to.equal(200);
    expect((await gh.api('POST', `/applications/${app.id}/assignments`, { principalType: 'USER', principalId: org.users.alice!.id })).status).to.equal(201);

    const unsigned = await nodeSamlFor(gh.baseUrl, app);
    expectRefusedPage(await startRedirectSignIn(new PortalClient(gh.baseUrl), unsigned), /requires signed requests/);

    const client = new PortalClient(gh.baseUrl);
    const post = autoPost(await signInThrough(client, () => startRedirectSignIn(client, draft)));
    expect(Buffer.from(post!.fields.SAMLResponse!, 'base64').toString('utf8')).to.include('EncryptedAssertion');
    expect((await draft.validatePostResponseAsync({ SAMLResponse: post!.fields.SAMLResponse! })).profile?.nameID).to.equal('alice@example.com');
  });

  it('records the app in the portal session and the sign-in in the audit log', async () => {
    const app: Application = await createApplication(gh.services);
    await assign(gh.services, app, { user: org.users.bob!.id });
    const sp = await nodeSamlFor(gh.baseUrl, app);
    const client = new PortalClient(gh.baseUrl);
    await signInThrough(client, () => startRedirectSignIn(client, sp), 'bob');
    const session = await gh.services.portalSessions.get(client.cookies.get('gh_session'));
    expect(session?.apps).to.include(app.entityId);
    const audit = await gh.services.sql.audit.list({ action: 'federation.application', actor: org.users.bob!.id });
    expect(audit.items[0]?.target).to.equal(`application/${app.id}`);
    expect(audit.items[0]?.detail).to.include({ initiatedBy: 'sp', entityId: app.entityId });
  });
});
