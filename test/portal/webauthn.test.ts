// Passkeys and security keys at the portal's second sign-in step and from the signed-in portal,
// through the HTTP surface, with a software authenticator built from the WebAuthn specification
// (test/support/webauthn-authenticator.ts): registration at first sign-in, sign-in with it, the
// choice between a passkey and a code, and every refusal: an expired or reused challenge, one
// issued to another sign-in, the wrong origin or RP ID, a signature counter going backwards (and
// logged), a removed device.
import { expect } from 'chai';
import * as OTPAuth from 'otpauth';
import { PASSKEY_FAILED } from '../../access/mfa/webauthn-service.ts';
import type { MfaPolicy } from '../../model/mfa.ts';
import { captureLog, type CapturedLog } from '../support/captured-log.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { hiddenFields, PortalClient, type PageResponse } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { passkeyOptionsOf, SoftAuthenticator } from '../support/webauthn-authenticator.ts';

const MFA_ON: MfaPolicy = { mode: 'every-sign-in', allowedFactors: ['totp', 'webauthn'], withoutDevice: 'register' };
const escaped = (s: string) => s.replace(/'/g, '&#39;');

describe('passkeys and security keys (WebAuthn) at portal sign-in', function () {
  this.timeout(30000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let log: CapturedLog;

  before(async () => {
    log = captureLog();
    gh = await startGatehouse({ mfa: MFA_ON, log: { level: 'warn', destination: log.destination } });
    org = await seedOrganization(gh.services, {
      users: ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'].map((userName) => ({ userName })),
    });
  });
  after(async () => {
    await gh?.close();
  });

  /** Password first: the browser is sent to the second step, which it then shows. */
  async function secondStep(client: PortalClient, userName: string): Promise<PageResponse> {
    const login = await client.signIn(userName, org.users[userName]!.password);
    expect(login.status, login.text.slice(0, 300)).to.equal(303);
    expect(login.location).to.equal('/start/mfa');
    return client.request('GET', '/start/mfa');
  }

  /** Registers a software passkey for the user at their first sign-in; the browser is then signed in. */
  async function registerAtSignIn(userName: string): Promise<{ key: SoftAuthenticator; client: PortalClient; page: PageResponse }> {
    const client = new PortalClient(gh.baseUrl);
    const setup = await secondStep(client, userName);
    const options = passkeyOptionsOf(setup.text);
    expect(options, 'registration options on the page').to.not.equal(null);
    // Any attachment, a discoverable credential and user verification preferred, no attestation,
    // the portal's host as RP ID, and the opaque user id (never the name) as user handle.
    expect(options).to.deep.include({ attestation: 'none', authenticatorSelection: { residentKey: 'preferred', requireResidentKey: false, userVerification: 'preferred' } });
    expect(options!.rp).to.deep.equal({ name: 'Gatehouse', id: 'localhost' });
    expect(Buffer.from(options!.user!.id, 'base64url').toString()).to.equal(org.users[userName]!.id);
    const key = new SoftAuthenticator(gh.baseUrl);
    const page = await client.request('POST', '/start/mfa/passkey/register', { csrf: hiddenFields(setup.text).csrf!, credential: key.create(options!), name: 'Blue key' });
    expect(page.status, page.text.slice(0, 500)).to.equal(200);
    return { key, client, page };
  }

  /** Answers the second step shown on `shown` with this key. */
  function answer(client: PortalClient, shown: PageResponse, key: SoftAuthenticator, tweaks: Parameters<SoftAuthenticator['get']>[1] = {}): Promise<PageResponse> {
    const options = passkeyOptionsOf(shown.text);
    expect(options, 'authentication options on the page').to.not.equal(null);
    return client.request('POST', '/start/mfa/passkey', { csrf: hiddenFields(shown.text).csrf!, credential: key.get(options!, tweaks) });
  }

  function expectRefused(res: PageResponse, client: PortalClient) {
    expect(res.status, res.text.slice(0, 300)).to.equal(401);
    expect(res.text).to.include(escaped(PASSKEY_FAILED));
    expect(client.cookies.has('gh_session'), 'no session given').to.equal(false);
  }

  it('registers a passkey at first sign-in, shows the recovery codes once, then signs in with it', async () => {
    const { key, client, page } = await registerAtSignIn('alice');
    expect(page.text).to.include('Your recovery codes');
    expect([...page.text.matchAll(/<li><code>[a-z2-7]{5}-[a-z2-7]{5}<\/code><\/li>/g)]).to.have.length(10);
    expect(client.cookies.has('gh_session')).to.equal(true);
    const devices = await gh.services.mfa.devices(org.users.alice!.id);
    expect(devices.map((d) => [d.kind, d.name])).to.deep.equal([['webauthn', 'Blue key']]);

    const later = new PortalClient(gh.baseUrl);
    const shown = await secondStep(later, 'alice');
    const options = passkeyOptionsOf(shown.text)!;
    expect(options.allowCredentials?.map((c) => c.id)).to.deep.equal([key.id]);
    expect(options.rpId).to.equal('localhost');
    // No authenticator app: the code the page asks for instead is a recovery code.
    expect(shown.text).to.include('<label for="code">Recovery code</label>');
    const done = await answer(later, shown, key);
    expect(done.status).to.equal(303);
    expect(done.location).to.equal('/start');
    expect((await later.request('GET', '/start')).text).to.include('alice');
    const session = await gh.services.portalSessions.get(later.cookies.get('gh_session'));
    expect(session?.amr).to.deep.equal(['pwd', 'hwk', 'mfa']);
  });

  it('registers only a passkey when authenticator apps are not allowed; offers and takes none when passkeys are not', async () => {
    await gh.services.sql.instance.update({ mfa: { ...MFA_ON, allowedFactors: ['webauthn'] } });
    let key: SoftAuthenticator;
    try {
      const client = new PortalClient(gh.baseUrl);
      const setup = await secondStep(client, 'bob');
      expect(setup.text).to.include('Set up a passkey');
      expect(setup.text).to.not.include('id="secret"');
      key = new SoftAuthenticator(gh.baseUrl);
      const page = await client.request('POST', '/start/mfa/passkey/register', { csrf: hiddenFields(setup.text).csrf!, credential: key.create(passkeyOptionsOf(setup.text)!) });
      expect(page.status).to.equal(200);
      // No name given: it is named for what it is.
      expect((await gh.services.mfa.devices(org.users.bob!.id)).map((d) => d.name)).to.deep.equal(['Security key']);
    } finally {
      await gh.services.sql.instance.update({ mfa: MFA_ON });
    }

    // A page shown while passkeys were allowed, answered after an administrator took them off the list.
    const racing = new PortalClient(gh.baseUrl);
    const before = await secondStep(racing, 'bob');
    await gh.services.sql.instance.update({ mfa: { ...MFA_ON, allowedFactors: ['totp'] } });
    try {
      expectRefused(await answer(racing, before, key), racing);
      // From now on no passkey is offered, and a user with no device is offered an app alone.
      const signedIn = new PortalClient(gh.baseUrl);
      expect(passkeyOptionsOf((await secondStep(signedIn, 'bob')).text)).to.equal(null);
      const { page } = await registerable(new PortalClient(gh.baseUrl));
      expect(page.text).to.include('id="secret"');
      expect(passkeyOptionsOf(page.text)).to.equal(null);
    } finally {
      await gh.services.sql.instance.update({ mfa: MFA_ON });
    }
    const audit = await gh.services.sql.audit.list({ action: 'mfa.failure', target: `user/${org.users.bob!.id}` });
    expect(JSON.stringify(audit)).to.include('factor-not-allowed');
  });

  it('offers a passkey or a code when the user has both, and either signs in', async () => {
    // First sign-in: the page offers a passkey and an authenticator app; carol takes the app.
    const client = new PortalClient(gh.baseUrl);
    const setup = await secondStep(client, 'carol');
    expect(passkeyOptionsOf(setup.text)).to.not.equal(null);
    const secret = /<code id="secret">([^<]+)<\/code>/.exec(setup.text)![1]!.replace(/\s/g, '');
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
    const registered = await client.request('POST', '/start/mfa/register', { csrf: hiddenFields(setup.text).csrf!, code: totp.generate({ timestamp: gh.clock.now() }), name: 'Phone' });
    expect(registered.status).to.equal(200);

    // Signed in, she adds a passkey from the portal's Sign-in security tab.
    const security = await client.request('GET', '/start/security');
    expect(security.text).to.include('href="/start/passkeys/add"');
    const add = await client.request('GET', '/start/passkeys/add');
    expect(add.status).to.equal(200);
    expect(add.text).to.include('1 sign-in device');
    const key = new SoftAuthenticator(gh.baseUrl);
    const addOptions = passkeyOptionsOf(add.text)!;
    const added = await client.request('POST', '/start/passkeys/add', { csrf: hiddenFields(add.text).csrf!, credential: key.create(addOptions), name: 'Laptop' });
    expect(added.status, added.text.slice(0, 400)).to.equal(200);
    expect(added.text).to.include('Passkey added');
    expect(added.text, 'recovery codes only come with the first device').to.not.include('Recovery codes');
    expect((await gh.services.mfa.devices(org.users.carol!.id)).map((d) => d.kind)).to.deep.equal(['totp', 'webauthn']);

    // Next sign-in: both are offered, and both work.
    const withKey = new PortalClient(gh.baseUrl);
    const shown = await secondStep(withKey, 'carol');
    expect(shown.text).to.include('Use a passkey or security key');
    expect(shown.text).to.include('Or enter a code');
    expect(shown.text).to.include('<label for="code">Code from your authenticator app</label>');
    expect((await answer(withKey, shown, key)).status).to.equal(303);
    gh.clock.advanceSeconds(30);
    const withCode = new PortalClient(gh.baseUrl);
    const again = await secondStep(withCode, 'carol');
    const byCode = await withCode.request('POST', '/start/mfa', { csrf: hiddenFields(again.text).csrf!, code: totp.generate({ timestamp: gh.clock.now() }) });
    expect(byCode.status).to.equal(303);
  });

  it('adds a passkey from the portal only with the session’s own challenge and CSRF token', async () => {
    const { client } = await registerAtSignIn('dave');
    const other = await registerAtSignIn('erin');
    const add = await client.request('GET', '/start/passkeys/add');
    const otherAdd = await other.client.request('GET', '/start/passkeys/add');
    const key = new SoftAuthenticator(gh.baseUrl);
    // Signed over erin's challenge, posted in dave's session: refused, nothing registered.
    const crossed = await client.request('POST', '/start/passkeys/add', { csrf: hiddenFields(add.text).csrf!, credential: key.create(passkeyOptionsOf(otherAdd.text)!) });
    expect(crossed.status).to.equal(400);
    const noCsrf = await client.request('POST', '/start/passkeys/add', { csrf: 'wrong', credential: key.create(passkeyOptionsOf(crossed.text)!) });
    expect(noCsrf.status).to.equal(403);
    expect(await gh.services.mfa.devices(org.users.dave!.id)).to.have.length(1);
    // Signed out, the page sends the browser to sign in first.
    expect((await new PortalClient(gh.baseUrl).request('GET', '/start/passkeys/add')).location).to.match(/^\/start\?/);
  });

  it('refuses an expired challenge, and a challenge used once already', async () => {
    const { key } = await registerAtSignIn('frank');
    const client = new PortalClient(gh.baseUrl);
    const shown = await secondStep(client, 'frank');
    gh.clock.advanceSeconds(121);
    const late = await answer(client, shown, key);
    expectRefused(late, client);

    // The refusal page carries a new challenge; a response signed over the old one is still refused.
    const stale = await client.request('POST', '/start/mfa/passkey', { csrf: hiddenFields(late.text).csrf!, credential: key.get(passkeyOptionsOf(late.text)!, { challenge: passkeyOptionsOf(shown.text)!.challenge }) });
    expectRefused(stale, client);
    // The page's own challenge signs in.
    expect((await answer(client, stale, key)).status).to.equal(303);
  });

  it('refuses a challenge issued to another sign-in, which still works for its own', async () => {
    const { key } = await registerAtSignIn('grace');
    const mine = new PortalClient(gh.baseUrl);
    const theirs = new PortalClient(gh.baseUrl);
    const myPage = await secondStep(mine, 'grace');
    const theirPage = await secondStep(theirs, 'grace');
    const crossed = await theirs.request('POST', '/start/mfa/passkey', { csrf: hiddenFields(theirPage.text).csrf!, credential: key.get(passkeyOptionsOf(myPage.text)!) });
    expectRefused(crossed, theirs);
    expect((await answer(mine, myPage, key)).status).to.equal(303);
    const audit = await gh.services.sql.audit.list({ action: 'mfa.failure', target: `user/${org.users.grace!.id}` });
    expect(JSON.stringify(audit)).to.include('Unexpected authentication response challenge');
  });

  it('refuses a response from another origin or for another RP ID', async () => {
    const { key } = await registerAtSignIn('heidi');
    const client = new PortalClient(gh.baseUrl);
    let shown = await secondStep(client, 'heidi');
    shown = await answer(client, shown, key, { origin: 'https://gatehouse.evil.example' });
    expectRefused(shown, client);
    shown = await answer(client, shown, key, { origin: gh.baseUrl.replace('localhost', '127.0.0.1') });
    expectRefused(shown, client);
    shown = await answer(client, shown, key, { rpId: 'evil.example' });
    expectRefused(shown, client);
    // Registration too: a credential created for another origin or RP ID is not registered.
    const other = new PortalClient(gh.baseUrl);
    const { page: otherSetup } = await registerable(other);
    const badOrigin = await other.request('POST', '/start/mfa/passkey/register', { csrf: hiddenFields(otherSetup.text).csrf!, credential: new SoftAuthenticator('https://gatehouse.evil.example', 'localhost').create(passkeyOptionsOf(otherSetup.text)!) });
    expect(badOrigin.status).to.equal(400);
    const badRp = await other.request('POST', '/start/mfa/passkey/register', { csrf: hiddenFields(badOrigin.text).csrf!, credential: new SoftAuthenticator(gh.baseUrl, 'evil.example').create(passkeyOptionsOf(badOrigin.text)!) });
    expect(badRp.status).to.equal(400);
    expect(other.cookies.has('gh_session')).to.equal(false);
  });

  /** A user with no device yet, at the registration step. */
  async function registerable(client: PortalClient): Promise<{ page: PageResponse; userName: string; userId: string }> {
    const [user] = await seedOrganization(gh.services, { users: [{ userName: `new-${Math.random().toString(36).slice(2, 8)}` }] }).then((o) => Object.values(o.users));
    org.users[user!.userName] = user!;
    return { page: await secondStep(client, user!.userName), userName: user!.userName, userId: user!.id };
  }

  it('refuses a signature counter that goes backwards, and logs it with the user and device', async () => {
    const client = new PortalClient(gh.baseUrl);
    const { page: setup, userName, userId } = await registerable(client);
    const key = new SoftAuthenticator(gh.baseUrl);
    expect((await client.request('POST', '/start/mfa/passkey/register', { csrf: hiddenFields(setup.text).csrf!, credential: key.create(passkeyOptionsOf(setup.text)!) })).status).to.equal(200);
    const [device] = await gh.services.mfa.devices(userId);

    const first = new PortalClient(gh.baseUrl);
    expect((await answer(first, await secondStep(first, userName), key, { counter: 7 })).status).to.equal(303);
    log.clear();
    const cloned = new PortalClient(gh.baseUrl);
    expectRefused(await answer(cloned, await secondStep(cloned, userName), key, { counter: 5 }), cloned);
    const equal = new PortalClient(gh.baseUrl);
    expectRefused(await answer(equal, await secondStep(equal, userName), key, { counter: 7 }), equal);
    const warnings = log.lines().filter((l) => l.level === 40 && /counter/.test(l.msg));
    expect(warnings).to.have.length(2);
    expect(warnings[0]).to.include({ userId, deviceId: device!.id, storedCounter: 7, receivedCounter: 5 });
    // The real authenticator, moving on, still signs in.
    const next = new PortalClient(gh.baseUrl);
    expect((await answer(next, await secondStep(next, userName), key, { counter: 8 })).status).to.equal(303);
  });

  it('counts refused passkeys toward the sign-in throttle: past the limit even a good one waits', async () => {
    const client = new PortalClient(gh.baseUrl);
    const { page: setup, userName } = await registerable(client);
    const key = new SoftAuthenticator(gh.baseUrl);
    await client.request('POST', '/start/mfa/passkey/register', { csrf: hiddenFields(setup.text).csrf!, credential: key.create(passkeyOptionsOf(setup.text)!) });
    const attempt = new PortalClient(gh.baseUrl);
    let shown = await secondStep(attempt, userName);
    for (let i = 0; i < 10; i++) {
      shown = await answer(attempt, shown, key, { origin: 'https://gatehouse.evil.example' });
      expect(shown.status).to.equal(401);
    }
    const throttled = await answer(attempt, shown, key);
    expect(throttled.status).to.equal(429);
    expect(throttled.headers.get('retry-after')).to.match(/^\d+$/);
    expect(attempt.cookies.has('gh_session')).to.equal(false);
  });

  it('refuses a passkey removed since the page was shown', async () => {
    const client = new PortalClient(gh.baseUrl);
    const { page: setup, userName, userId } = await registerable(client);
    const kept = new SoftAuthenticator(gh.baseUrl);
    await client.request('POST', '/start/mfa/passkey/register', { csrf: hiddenFields(setup.text).csrf!, credential: kept.create(passkeyOptionsOf(setup.text)!) });
    const lost = new SoftAuthenticator(gh.baseUrl);
    const add = await client.request('GET', '/start/passkeys/add');
    expect((await client.request('POST', '/start/passkeys/add', { csrf: hiddenFields(add.text).csrf!, credential: lost.create(passkeyOptionsOf(add.text)!), name: 'Lost key' })).status).to.equal(200);

    const signIn = new PortalClient(gh.baseUrl);
    const shown = await secondStep(signIn, userName);
    expect(passkeyOptionsOf(shown.text)!.allowCredentials).to.have.length(2);
    const lostDevice = (await gh.services.mfa.devices(userId)).find((d) => d.name === 'Lost key')!;
    await gh.services.mfa.removeForUser(userId, lostDevice.id, 'admin');
    const refused = await answer(signIn, shown, lost);
    expectRefused(refused, signIn);
    expect(passkeyOptionsOf(refused.text)!.allowCredentials!.map((c) => c.id)).to.deep.equal([kept.id]);
    expect((await answer(signIn, refused, kept)).status).to.equal(303);
  });
});
