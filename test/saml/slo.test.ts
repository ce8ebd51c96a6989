// Single Logout at /saml/slo, both ways, with @node-saml/node-saml as each app's SP: the portal's
// Sign out visits every app used in the session that has an SLO endpoint (Redirect and POST
// bindings, our LogoutRequests verified by node-saml) and comes back through their
// LogoutResponses; an app's own LogoutRequest ends the portal session, signs the person out of
// the other apps, then answers the app with a signed LogoutResponse node-saml accepts.
import { inflateRawSync } from 'node:zlib';
import type { SAML } from '@node-saml/node-saml';
import { expect } from 'chai';
import { nextHop, type LogoutChain } from '../../access/app-sso/logout-chains.ts';
import type { Application } from '../../model/types.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { hiddenFields, PortalClient, type PageResponse } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { logoutRequestXml, redirectQuery, rsaKey, type TestKey } from '../idp/inbound-fixtures.ts';
import {
  POST, REDIRECT, assign, autoPost, createApplication, decode, follow, localPath, nodeSamlFor, redirectParams, startRedirectSignIn, submitSignIn,
} from './fixtures.ts';

interface SignedInApp {
  app: Application;
  sp: SAML;
  profile: Record<string, unknown>;
}

describe('Single Logout at /saml/slo (node-saml as the SPs)', function () {
  this.timeout(60_000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let spKey: TestKey;

  before(async () => {
    gh = await startGatehouse();
    spKey = await rsaKey('sp');
    org = await seedOrganization(gh.services, { users: [{ userName: 'alice', email: 'alice@example.com' }] });
  });
  after(async () => {
    await gh?.close();
  });

  /** A fresh app with an SLO endpoint on `binding` (or none), whose SP signs with spKey. */
  async function appWithSlo(binding: string | null): Promise<{ app: Application; sp: SAML }> {
    const app = await createApplication(gh.services, { signingCertificates: [spKey.certPem] });
    const withSlo = binding
      ? await gh.services.sql.applications.update(app.id, { slo: { url: app.acs[0]!.url.replace('/acs', '/slo'), binding } })
      : app;
    await assign(gh.services, withSlo, { user: org.users.alice!.id });
    const sp = await nodeSamlFor(gh.baseUrl, withSlo, { privateKey: spKey.privateKeyPem, signatureAlgorithm: 'sha256', digestAlgorithm: 'sha256' });
    return { app: withSlo, sp };
  }

  /** Signs alice in to each app in turn (the first through the sign-in page), as one browser. */
  async function signInTo(client: PortalClient, apps: { app: Application; sp: SAML }[]): Promise<SignedInApp[]> {
    const out: SignedInApp[] = [];
    for (const { app, sp } of apps) {
      let page = await follow(client, await startRedirectSignIn(client, sp));
      if (page.text.includes('name="password"')) page = await submitSignIn(client, page, 'alice', org.users.alice!.password);
      const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: autoPost(page)!.fields.SAMLResponse! });
      out.push({ app, sp, profile: profile as unknown as Record<string, unknown> });
    }
    return out;
  }

  /** What a hop page carries to the app: a Redirect URL, or a POST form. */
  function hopOf(page: PageResponse): { url: string } | { action: string; fields: Record<string, string> } {
    const link = /<a href="([^"]+)" id="slo-next">/.exec(page.text);
    if (link) return { url: decode(link[1]!) };
    const form = /<form method="post" action="([^"]+)" id="slo-post">/.exec(page.text);
    if (form) return { action: decode(form[1]!), fields: hiddenFields(page.text) };
    throw new Error(`not a logout hop page (${page.status}):\n${page.text.slice(0, 600)}`);
  }

  /** The SP's side of a hop: validate our LogoutRequest, answer with its LogoutResponse URL. */
  async function answerHop(entry: SignedInApp, page: PageResponse): Promise<{ responseUrl: string; request: Record<string, unknown> }> {
    const hop = hopOf(page);
    let result;
    let relayState: string | undefined;
    if ('url' in hop) {
      expect(hop.url.startsWith(entry.app.slo!.url)).to.equal(true);
      const { container, originalQuery } = redirectParams(hop.url);
      expect(container.Signature, 'our Redirect LogoutRequest is signed').to.be.a('string');
      result = await entry.sp.validateRedirectAsync(container, originalQuery);
      relayState = container.RelayState;
    } else {
      expect(hop.action).to.equal(entry.app.slo!.url);
      result = await entry.sp.validatePostRequestAsync({ SAMLRequest: hop.fields.SAMLRequest! });
      relayState = hop.fields.RelayState;
    }
    expect(result.loggedOut).to.equal(true);
    const request = result.profile as unknown as Record<string, unknown>;
    const responseUrl = await entry.sp.getLogoutResponseUrlAsync(result.profile!, relayState ?? '', {}, true);
    return { responseUrl, request };
  }

  it('Sign out ends the session first, then visits each app with an SLO endpoint (Redirect, then POST) and ends on "You have been signed out"', async () => {
    const viaRedirect = await appWithSlo(REDIRECT);
    const viaPost = await appWithSlo(POST);
    const without = await appWithSlo(null);
    const client = new PortalClient(gh.baseUrl);
    const [a, b] = await signInTo(client, [viaRedirect, viaPost, without]);
    const cookie = client.cookies.get('gh_session');

    const out = await client.signOut();
    expect(out.status).to.equal(303);
    expect(out.location).to.match(/^\/saml\/slo\/progress\?k=[\w-]{32}$/);
    expect(await gh.services.portalSessions.get(cookie), 'the portal session ended before the first hop').to.equal(null);

    const first = await client.request('GET', out.location!);
    expect(first.text).to.include(a!.app.name);
    const hopA = await answerHop(a!, first);
    expect(hopA.request.nameID).to.equal('alice@example.com');
    expect(hopA.request.sessionIndex).to.equal(a!.profile.sessionIndex);

    const second = await follow(client, await client.request('GET', localPath(hopA.responseUrl)));
    expect(second.text).to.match(new RegExp(`data-app="${a!.app.entityId}" data-state="confirmed"`));
    expect(second.headers.get('content-security-policy')).to.include(new URL(b!.app.slo!.url).origin);
    const hopB = await answerHop(b!, second);
    expect(hopB.request.sessionIndex).to.equal(b!.profile.sessionIndex);

    const done = await client.request('GET', localPath(hopB.responseUrl));
    expect(done.status).to.equal(303);
    const end = await follow(client, done);
    expect(end.text).to.include('You have been signed out');
    expect(end.text).to.match(new RegExp(`data-app="${b!.app.entityId}" data-state="confirmed"`));
    expect(end.text).to.not.include(without.app.name);
  });

  it('an app that never answers does not trap anyone: coming back or skipping moves on', async () => {
    const silent = await appWithSlo(REDIRECT);
    const other = await appWithSlo(POST);
    const client = new PortalClient(gh.baseUrl);
    await signInTo(client, [silent, other]);
    const out = await client.signOut();
    const first = await client.request('GET', out.location!);
    expect(first.text).to.include('skip it and continue');
    // The browser went to the silent app and came back without an answer (Back, or reload).
    const second = await client.request('GET', out.location!);
    expect(second.text).to.match(new RegExp(`data-app="${silent.app.entityId}" data-state="no-answer"`));
    expect(hopOf(second)).to.have.property('action', other.app.slo!.url);
    // Skipping the second one ends the chain on "You have been signed out".
    const skipped = await client.request('GET', `${out.location!}&skip=1`);
    expect(skipped.status).to.equal(200);
    expect(skipped.text).to.include('You have been signed out').and.match(new RegExp(`data-app="${other.app.entityId}" data-state="skipped"`));
  });

  it('a LogoutResponse that is unsigned from an app that signs, or answers another request, counts as not confirmed and the chain goes on', async () => {
    const app = await appWithSlo(REDIRECT);
    const next = await appWithSlo(REDIRECT);
    const client = new PortalClient(gh.baseUrl);
    const [entry] = await signInTo(client, [app, next]);
    const out = await client.signOut();
    const first = await client.request('GET', out.location!);
    const { responseUrl } = await answerHop(entry!, first);
    const unsigned = new URL(responseUrl);
    unsigned.searchParams.delete('Signature');
    unsigned.searchParams.delete('SigAlg');
    const after = await follow(client, await client.request('GET', localPath(unsigned.toString())));
    expect(after.text).to.match(new RegExp(`data-app="${app.app.entityId}" data-state="failed"`));
    expect(hopOf(after)).to.have.property('url');
  });

  it('an app\'s signed LogoutRequest ends the portal session, signs out of the other apps, then answers the app (node-saml checks InResponseTo)', async () => {
    const origin = await appWithSlo(REDIRECT);
    const other = await appWithSlo(POST);
    const client = new PortalClient(gh.baseUrl);
    const [a, b] = await signInTo(client, [origin, other]);
    const cookie = client.cookies.get('gh_session');

    const logoutUrl = await a!.sp.getLogoutUrlAsync(a!.profile as never, 'back-to-app', {});
    const first = await client.request('GET', localPath(logoutUrl));
    expect(await gh.services.portalSessions.get(cookie)).to.equal(null);
    expect(client.cookies.has('gh_session')).to.equal(false);
    expect(first.status).to.equal(303);

    const hop = await follow(client, first);
    const { responseUrl } = await answerHop(b!, hop);
    const answer = await follow(client, await client.request('GET', localPath(responseUrl)));
    expect(answer.status).to.equal(302);
    expect(answer.location!.startsWith(origin.app.slo!.url)).to.equal(true);
    const { container, originalQuery } = redirectParams(answer.location!);
    expect(container.RelayState).to.equal('back-to-app');
    // validateInResponseTo 'always': node-saml accepts only an answer to a request it sent.
    const result = await a!.sp.validateRedirectAsync(container, originalQuery);
    expect(result).to.deep.equal({ profile: null, loggedOut: true });
    expect((await client.request('GET', '/start')).text).to.include('name="password"');
  });

  it('answers an HTTP-POST app with a signed LogoutResponse node-saml accepts, and refuses the same LogoutRequest twice', async () => {
    const app = await appWithSlo(POST);
    const client = new PortalClient(gh.baseUrl);
    const [entry] = await signInTo(client, [app]);
    const url = await entry!.sp.getLogoutUrlAsync(entry!.profile as never, '', {});
    const answer = await client.request('GET', localPath(url));
    const post = autoPost(answer);
    expect(post?.action).to.equal(app.app.slo!.url);
    // node-saml looks for InResponseTo on a <Response> only, so for a LogoutResponse over POST it
    // must be told not to insist; it still requires our signature.
    const reader = await nodeSamlFor(gh.baseUrl, app.app, { validateInResponseTo: 'ifPresent' as never });
    expect(await reader.validatePostResponseAsync({ SAMLResponse: post!.fields.SAMLResponse! })).to.deep.equal({ profile: null, loggedOut: true });
    const xml = Buffer.from(post!.fields.SAMLResponse!, 'base64').toString('utf8');
    const requestId = /ID="([^"]+)"/.exec(inflateRawSync(Buffer.from(new URL(url).searchParams.get('SAMLRequest')!, 'base64')).toString('utf8'))![1];
    expect(xml).to.include(`InResponseTo="${requestId}"`);
    const unsigned = xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');
    let refused: unknown;
    try {
      await reader.validatePostResponseAsync({ SAMLResponse: Buffer.from(unsigned).toString('base64') });
    } catch (e) {
      refused = e;
    }
    expect(String(refused)).to.match(/signature/i);
    const replay = await client.request('GET', localPath(url));
    expect(replay.status).to.equal(400);
    expect(replay.text).to.include('already used');
  });

  it('ends nothing when the NameID does not match what was issued for that SessionIndex', async () => {
    const app = await appWithSlo(REDIRECT);
    const client = new PortalClient(gh.baseUrl);
    const [entry] = await signInTo(client, [app]);
    const xml = logoutRequestXml({ issuer: app.app.entityId, destination: `${gh.baseUrl}/saml/slo`, nameId: 'mallory@example.com', sessionIndexes: [String(entry!.profile.sessionIndex)] });
    const answer = await new PortalClient(gh.baseUrl).request('GET', `/saml/slo?${redirectQuery(xml, { key: spKey })}`);
    expect(answer.status).to.equal(302);
    expect((await client.request('GET', '/start')).text).to.not.include('name="password"');
  });

  it('ends every session where the app got that NameID when the request names no SessionIndex', async () => {
    const app = await appWithSlo(REDIRECT);
    const laptop = new PortalClient(gh.baseUrl);
    const phone = new PortalClient(gh.baseUrl);
    await signInTo(laptop, [app]);
    await signInTo(phone, [app]);
    const xml = logoutRequestXml({ issuer: app.app.entityId, destination: `${gh.baseUrl}/saml/slo`, nameId: 'alice@example.com', sessionIndexes: [] });
    expect((await new PortalClient(gh.baseUrl).request('GET', `/saml/slo?${redirectQuery(xml, { key: spKey })}`)).status).to.equal(302);
    expect((await laptop.request('GET', '/start')).text).to.include('name="password"');
    expect((await phone.request('GET', '/start')).text).to.include('name="password"');
  });
});

describe('logout chain progress (access/app-sso/logout-chains.ts)', () => {
  const chain = (states: LogoutChain['hops'][number]['state'][], deadline = Date.now() + 60_000): LogoutChain => ({
    hops: states.map((state, i) => ({ applicationId: `app-${i}`, entityId: `e${i}`, name: `App ${i}`, nameId: 'n', nameIdFormat: 'f', sessionIndex: 's', state })),
    deadline,
    finalUrl: '/start',
  });

  it('gives up on a hop sent without an answer and goes to the next', () => {
    const c = chain(['sent', 'pending']);
    expect(nextHop(c)?.applicationId).to.equal('app-1');
    expect(c.hops[0]!.state).to.equal('no-answer');
  });

  it('marks a skipped hop as skipped', () => {
    const c = chain(['confirmed', 'sent', 'pending']);
    expect(nextHop(c, Date.now(), true)?.applicationId).to.equal('app-2');
    expect(c.hops[1]!.state).to.equal('skipped');
  });

  it('skips everything left once the deadline has passed', () => {
    const c = chain(['confirmed', 'pending', 'pending'], Date.now() - 1);
    expect(nextHop(c)).to.equal(null);
    expect(c.hops.map((h) => h.state)).to.deep.equal(['confirmed', 'skipped', 'skipped']);
  });
});
