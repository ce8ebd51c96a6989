// Multi-factor sign-in in Debian's chromium (docs/mfa.md), at a phone's 390x844 and a laptop's
// 1280x800: the first sign-in registers an authenticator app, reading the key from the page and
// computing its codes with the otpauth library; the recovery codes are shown once; the next
// sign-in asks for a code (a wrong one is refused on the page), the Sign-in security tab adds a
// second app, a recovery code signs in once; under "refuse", a person with no device is refused
// with a clear message. Every page passes the portal checks (no sideways scroll, no serious axe
// violation) and is photographed under test-artifacts/portal/.
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { ADMIN_PASSWORD, startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { MFA_ON, totpCodeAt } from '../support/mfa.ts';
import { checkPage as check, VIEWPORTS } from '../support/page-checks.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';

describe('multi-factor sign-in in a browser', function () {
  this.timeout(120_000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let chromium: { browser: Browser; close(): Promise<void> };

  before(async () => {
    [gh, chromium] = await Promise.all([startGatehouse({ mfa: MFA_ON }), launchChromium()]);
    org = await seedOrganization(gh.services, {
      users: VIEWPORTS.flatMap((v) => [{ userName: `alice${v.width}` }, { userName: `bob${v.width}` }]),
      accounts: [{ accountId: '111122223333', name: 'Production' }],
      permissionSets: [{ name: 'ReadOnly' }],
      assignments: VIEWPORTS.map((v) => ({ accountId: '111122223333', set: 'ReadOnly', user: `alice${v.width}` })),
    });
  });
  after(async () => {
    await chromium?.close();
    await gh?.close();
  });

  async function password(page: Page, userName: string) {
    await page.goto(`${gh.baseUrl}/start`);
    await page.fill('#userName', userName);
    await page.fill('#password', org.users[userName]!.password);
    await page.click('button[type=submit]');
    await page.waitForLoadState('load');
  }
  const signOut = async (page: Page) => {
    await page.click('header button[type=submit]');
    await page.waitForURL(/\/start\/signed-out$/);
  };
  /** The next code of the app holding `secret`, a time step after the last one used. */
  const nextCode = (secret: string) => {
    gh.clock.advanceSeconds(30);
    return totpCodeAt(secret, gh.clock.now());
  };

  for (const viewport of VIEWPORTS) {
    it(`registers an app at first sign-in, signs in with its codes and a recovery code, manages devices at ${viewport.width}x${viewport.height}`, async () => {
      const context = await chromium.browser.newContext({ viewport });
      const page = await context.newPage();
      const alice = `alice${viewport.width}`;

      // First sign-in: no device yet, policy "register at sign-in".
      await password(page, alice);
      expect(new URL(page.url()).pathname).to.equal('/start/mfa');
      // The app is offered next to a passkey (docs/mfa.md, "Passkeys and security keys").
      expect(await page.locator('h2').allTextContents()).to.include('Set up an authenticator app');
      expect(await page.locator('.qr svg').count()).to.equal(1);
      await check(page, 'mfa-register', viewport);
      const secret = (await page.textContent('#secret'))!.replace(/\s/g, '');
      expect(secret).to.match(/^[A-Z2-7]{32}$/);
      await page.fill('#code', totpCodeAt(secret, gh.clock.now()));
      await page.fill('#name', 'My phone');
      await page.click('main button[type=submit]');
      await page.waitForLoadState('load');
      const codes = await page.locator('ul.codes code').allTextContents();
      expect(codes).to.have.length(10);
      await check(page, 'mfa-recovery-codes', viewport);
      await page.click('a.button');
      await page.waitForSelector('details.account');
      await signOut(page);

      // Next sign-in: a code. A wrong one is refused on the page, the right one signs in.
      await password(page, alice);
      expect(await page.textContent('h2')).to.equal('Verify your identity');
      await check(page, 'mfa-code', viewport);
      await page.fill('#code', '000000');
      await page.click('main button[type=submit]');
      await page.waitForLoadState('load');
      expect(await page.textContent('#code-error')).to.include('That code did not work');
      await check(page, 'mfa-code-wrong', viewport);
      await page.fill('#code', nextCode(secret));
      await page.click('main button[type=submit]');
      await page.waitForSelector('details.account');

      // Sign-in security: the phone is listed; add a second app the same way.
      await page.click('nav.tabs a[href="/start/security"]');
      await page.waitForLoadState('load');
      expect(await page.textContent('#devices')).to.include('My phone');
      await check(page, 'sign-in-security', viewport);
      await page.click('a[href="/start/security/add-app"]');
      await page.waitForLoadState('load');
      await check(page, 'sign-in-security-add-app', viewport);
      const second = (await page.textContent('#secret'))!.replace(/\s/g, '');
      await page.fill('#code', totpCodeAt(second, gh.clock.now()));
      await page.fill('#name', 'Backup tablet');
      await page.click('main button[type=submit]');
      await page.waitForLoadState('load');
      expect(await page.textContent('.notice')).to.include('The authenticator app is added.');
      expect(await page.locator('#devices > li').count()).to.equal(2);
      await check(page, 'sign-in-security-two-devices', viewport);
      await signOut(page);

      // A recovery code signs in once.
      await password(page, alice);
      await page.fill('#code', codes[0]!);
      await page.click('main button[type=submit]');
      await page.waitForSelector('details.account');
      await signOut(page);
      await password(page, alice);
      await page.fill('#code', codes[0]!);
      await page.click('main button[type=submit]');
      await page.waitForLoadState('load');
      expect(await page.textContent('#code-error')).to.include('That code did not work');
      await context.close();
    });

    it(`shows the console's MFA pages: the policy, a user's devices, an API token minted from the session, at ${viewport.width}x${viewport.height}`, async () => {
      const context = await chromium.browser.newContext({ viewport });
      const page = await context.newPage();
      await page.goto(`${gh.baseUrl}/admin`);
      await page.fill('#userName', 'admin');
      await page.fill('#password', ADMIN_PASSWORD);
      await page.click('button[type=submit]');
      await page.waitForLoadState('load');
      const secret = (await page.textContent('#secret'))!.replace(/\s/g, '');
      await page.fill('#code', nextCode(secret));
      await page.click('main button[type=submit]');
      await page.waitForLoadState('load');
      await page.click('a.button');
      await page.waitForURL(/\/admin$/);
      await page.goto(`${gh.baseUrl}/admin/settings`);
      await page.locator('#mfa-policy').scrollIntoViewIfNeeded();
      await check(page, 'console-settings-mfa', viewport);
      await page.goto(`${gh.baseUrl}/admin/users/${org.users[`alice${viewport.width}`]!.id}/mfa`);
      expect(await page.textContent('#devices')).to.include('My phone');
      await check(page, 'console-user-mfa', viewport);
      await page.goto(`${gh.baseUrl}/admin/api-token`);
      await page.click('main button[type=submit]');
      await page.waitForSelector('#api-token');
      const token = (await page.textContent('#api-token'))!;
      expect((await gh.api('GET', '/users', undefined, token)).status).to.equal(200);
      await check(page, 'console-api-token', viewport);
      await context.close();
      // The next viewport's admin registers at first sign-in again.
      await gh.services.mfa.reset((await gh.services.sql.directory.getUserByName('admin'))!.id, 'test');
    });

    it(`refuses a person with no device under "refuse", with a clear message, at ${viewport.width}x${viewport.height}`, async () => {
      await gh.services.sql.instance.update({ mfa: { ...MFA_ON, withoutDevice: 'refuse' } });
      const context = await chromium.browser.newContext({ viewport });
      const page = await context.newPage();
      try {
        await password(page, `bob${viewport.width}`);
        expect(await page.textContent('h2')).to.equal('A sign-in device is required');
        expect(await page.textContent('main')).to.include('Ask an administrator');
        await check(page, 'mfa-refused', viewport);
        // Nothing is open: the portal still asks for sign-in.
        await page.goto(`${gh.baseUrl}/start/security`);
        expect(await page.locator('#password').count()).to.equal(1);
      } finally {
        await gh.services.sql.instance.update({ mfa: MFA_ON });
        await context.close();
      }
    });
  }
});
