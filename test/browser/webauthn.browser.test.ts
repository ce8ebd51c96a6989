// Passkeys in a real browser: Debian's chromium with a CDP virtual authenticator (a platform
// passkey: CTAP2, internal, resident key, user verification), against two Gatehouse nodes sharing
// PostgreSQL and Redis. A person registers a passkey at their first sign-in, signs in with it, signs
// in through the other node, and adds a roaming security key from the portal; no page breaks the
// CSP. Also, at the HTTP level: a challenge issued by one node is answered at the other.
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import type { MfaPolicy } from '../../model/mfa.ts';
import { describeViolations, seriousViolations } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { hiddenFields, PortalClient } from '../support/portal-client.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { startRedisServer, type PrivateRedis } from '../support/redis-server.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { TestClock } from '../support/test-clock.ts';
import { passkeyOptionsOf, SoftAuthenticator } from '../support/webauthn-authenticator.ts';
import { keepScreenshot } from '../support/screenshots.ts';

const MFA_ON: MfaPolicy = { mode: 'every-sign-in', allowedFactors: ['totp', 'webauthn'], withoutDevice: 'register' };
const SHOTS = path.resolve('test-artifacts/passkeys');
const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
];

interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  signCount: number;
}

describe('passkeys in a browser, on two nodes', function () {
  this.timeout(90000);
  let db: TestDatabase;
  let redis: PrivateRedis;
  let a: TestGatehouse;
  let b: TestGatehouse;
  let org: SeededOrg;
  let chromium: { browser: Browser; close(): Promise<void> };

  before(async () => {
    [db, redis, chromium] = await Promise.all([createTestDatabase(), startRedisServer(), launchChromium()]);
    const env = { DATABASE_URL: db.url, REDIS_URL: redis.url };
    const clock = new TestClock();
    a = await startGatehouse({ env, clock, mfa: MFA_ON });
    b = await startGatehouse({ env, clock, dataDir: a.config.dataDir, mfa: 'keep' });
    org = await seedOrganization(a.services, {
      users: [{ userName: 'alice' }, { userName: 'bob' }, { userName: 'carol' }],
      accounts: [{ accountId: '111122223333', name: 'Production' }],
      permissionSets: [{ name: 'ReadOnly' }],
      assignments: [{ accountId: '111122223333', set: 'ReadOnly', user: 'alice' }],
    });
  });
  after(async () => {
    await chromium?.close();
    await b?.close();
    await a?.close();
    await redis?.stop();
    await db?.drop();
  });

  /** Each size's picture to look at, and no serious accessibility violation at either. */
  async function screenshots(page: Page, name: string): Promise<void> {
    for (const size of SIZES) {
      await page.setViewportSize({ width: size.width, height: size.height });
      await keepScreenshot(page, path.join(SHOTS, `${name}-${size.name}.png`), { fullPage: true });
      const violations = await seriousViolations(page);
      expect(violations, `${name} at ${size.name}: ${describeViolations(violations)}`).to.deep.equal([]);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  async function signInWithPassword(page: Page, node: TestGatehouse, userName: string): Promise<void> {
    await page.goto(`${node.baseUrl}/start`);
    await page.fill('#userName', userName);
    await page.fill('#password', org.users[userName]!.password);
    await Promise.all([page.waitForURL(`${node.baseUrl}/start/mfa`), page.click('button[type=submit]')]);
  }

  async function signOut(page: Page): Promise<void> {
    await Promise.all([page.waitForURL(/\/start\/signed-out/), page.click('header button[type=submit]')]);
  }

  async function credentials(cdp: CDPSession, authenticatorId: string): Promise<VirtualCredential[]> {
    return ((await cdp.send('WebAuthn.getCredentials', { authenticatorId })) as { credentials: VirtualCredential[] }).credentials;
  }

  it('registers a passkey at first sign-in, signs in with it, signs in on the other node, and adds a security key', async () => {
    const context: BrowserContext = await chromium.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused/i.test(m.text())) violations.push(m.text());
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId: platform } = (await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    })) as { authenticatorId: string };

    // First sign-in: the policy says register; the page offers a passkey before an authenticator app.
    await signInWithPassword(page, a, 'alice');
    expect(await page.isVisible('#passkey-button')).to.equal(true);
    expect(await page.isVisible('#passkey-unsupported')).to.equal(false);
    await screenshots(page, 'mfa-register-passkey');
    await page.fill('#passkey-name', 'This laptop');
    await Promise.all([page.waitForSelector('text=Your recovery codes'), page.click('#passkey-button')]);
    expect(await page.locator('ul.codes li').count()).to.equal(10);
    await Promise.all([page.waitForURL(`${a.baseUrl}/start`), page.click('text=I have saved them, continue')]);
    await page.waitForSelector('details.account');
    const [created] = await credentials(cdp, platform);
    expect(created?.isResidentCredential, 'a discoverable credential (passkey)').to.equal(true);
    const devices = await a.services.mfa.devices(org.users.alice!.id);
    expect(devices.map((d) => [d.kind, d.name])).to.deep.equal([['webauthn', 'This laptop']]);

    // Sign in again with it on the same node.
    await signOut(page);
    await signInWithPassword(page, a, 'alice');
    expect(await page.textContent('#passkey-button')).to.equal('Use a passkey or security key');
    await screenshots(page, 'mfa-sign-in-passkey');
    await Promise.all([page.waitForURL(`${a.baseUrl}/start`), page.click('#passkey-button')]);
    await page.waitForSelector('details.account');
    const afterA = (await credentials(cdp, platform))[0]!.signCount;

    // And through the other node: its pending sign-in, challenge and check, on the shared stores.
    await signOut(page);
    await signInWithPassword(page, b, 'alice');
    await Promise.all([page.waitForURL(`${b.baseUrl}/start`), page.click('#passkey-button')]);
    await page.waitForSelector('details.account');
    expect((await credentials(cdp, platform))[0]!.signCount).to.be.above(afterA);
    const session = await a.services.portalSessions.get((await context.cookies(b.baseUrl)).find((c) => c.name === 'gh_session')!.value);
    expect(session?.amr).to.deep.equal(['pwd', 'hwk', 'mfa']);

    // From the portal, a roaming security key (USB, no resident key, no user verification) is added.
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: platform });
    const { authenticatorId: roaming } = (await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: false, hasUserVerification: false, automaticPresenceSimulation: true },
    })) as { authenticatorId: string };
    // The Sign-in security tab lists the passkey and leads to adding another.
    await page.goto(`${b.baseUrl}/start/security`);
    expect(await page.textContent('#devices')).to.include('This laptop').and.include('Passkey or security key');
    await screenshots(page, 'sign-in-security-with-passkey');
    await Promise.all([page.waitForURL(`${b.baseUrl}/start/passkeys/add`), page.click('a.button:text("Add a passkey or security key")')]);
    expect(await page.textContent('.card p.muted')).to.include('1 sign-in device');
    await screenshots(page, 'add-passkey');
    await page.fill('#passkey-name', 'YubiKey');
    // Enter in the name field runs the ceremony as the button does (no empty form is posted).
    await Promise.all([page.waitForSelector('text=Passkey added'), page.press('#passkey-name', 'Enter')]);
    await screenshots(page, 'passkey-added');
    await Promise.all([page.waitForURL(`${b.baseUrl}/start/security`), page.click('text=Done')]);
    expect(await page.textContent('#devices')).to.include('YubiKey');
    expect((await credentials(cdp, roaming))[0]?.isResidentCredential).to.equal(false);
    expect((await a.services.mfa.devices(org.users.alice!.id)).map((d) => d.name)).to.deep.equal(['This laptop', 'YubiKey']);

    // The security key signs in too.
    await page.goto(`${a.baseUrl}/start`);
    await signOut(page);
    await signInWithPassword(page, a, 'alice');
    await Promise.all([page.waitForURL(`${a.baseUrl}/start`), page.click('#passkey-button')]);
    await page.waitForSelector('details.account');
    expect(violations).to.deep.equal([]);
    await context.close();
  });

  it('registers a passkey at sign-in when it is the only factor allowed', async () => {
    await a.services.sql.instance.update({ mfa: { ...MFA_ON, allowedFactors: ['webauthn'] } });
    const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('WebAuthn.enable');
      await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
      });
      await signInWithPassword(page, b, 'carol');
      expect(await page.textContent('h2')).to.equal('Set up a passkey');
      expect(await page.locator('#secret').count(), 'no authenticator app offered').to.equal(0);
      await screenshots(page, 'mfa-register-passkey-only');
      await Promise.all([page.waitForSelector('text=Your recovery codes'), page.click('#passkey-button')]);
      expect((await a.services.mfa.devices(org.users.carol!.id)).map((d) => [d.kind, d.name])).to.deep.equal([['webauthn', 'Passkey']]);
    } finally {
      await context.close();
      await a.services.sql.instance.update({ mfa: MFA_ON });
    }
  });

  it('tells the person when they cancel, and lets them try again', async () => {
    const context = await chromium.browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    // No authenticator at all: the browser's request times out or is refused.
    await signInWithPassword(page, a, 'bob');
    await page.evaluate(() => {
      const button = document.getElementById('passkey-button')!;
      const options = JSON.parse(button.dataset.options!);
      options.timeout = 1000;
      button.dataset.options = JSON.stringify(options);
    });
    await page.click('#passkey-button');
    await page.waitForSelector('#passkey-status:not([hidden])');
    expect(await page.textContent('#passkey-status')).to.match(/cancelled or timed out|could not use a passkey/);
    expect(await page.isEnabled('#passkey-button')).to.equal(true);
    await screenshots(page, 'mfa-register-passkey-cancelled');
    await context.close();
  });

  it('accepts at one node the answer to a challenge another node issued, once', async () => {
    // bob registers a (software) passkey at node b.
    const first = new PortalClient(b.baseUrl);
    await first.signIn('bob', org.users.bob!.password);
    const setup = await first.request('GET', '/start/mfa');
    const key = new SoftAuthenticator(b.baseUrl);
    expect((await first.request('POST', '/start/mfa/passkey/register', { csrf: hiddenFields(setup.text).csrf!, credential: key.create(passkeyOptionsOf(setup.text)!) })).status).to.equal(200);

    // The page, with its challenge, comes from node a; the answer goes to node b.
    const client = new PortalClient(a.baseUrl);
    await client.signIn('bob', org.users.bob!.password);
    const shown = await client.request('GET', '/start/mfa');
    client.baseUrl = b.baseUrl;
    const answer = key.get(passkeyOptionsOf(shown.text)!);
    const done = await client.request('POST', '/start/mfa/passkey', { csrf: hiddenFields(shown.text).csrf!, credential: answer });
    expect(done.status).to.equal(303);
    // The same answer replayed at node a, in a new sign-in whose page was never shown: refused.
    const replay = new PortalClient(a.baseUrl);
    await replay.signIn('bob', org.users.bob!.password);
    const replayed = await replay.request('POST', '/start/mfa/passkey', { csrf: hiddenFields((await replay.request('GET', '/start/mfa')).text).csrf!, credential: answer });
    expect(replayed.status).to.equal(401);
  });
});
