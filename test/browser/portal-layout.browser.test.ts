// Every portal page a person sees, at a phone's 390x844 and a laptop's 1280x800 in chromium: no
// horizontal scroll (long account names, ids and emails wrap) and no serious or critical axe-core
// violation. Screenshots are kept under test-artifacts/portal/ to look at.
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { checkPage as check, VIEWPORTS } from '../support/page-checks.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { ONE_PIXEL_PNG } from '../support/images.ts';
import { assign, createApplication, POST } from '../saml/fixtures.ts';

describe('access portal layout and accessibility', function () {
  this.timeout(120_000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let chromium: { browser: Browser; close(): Promise<void> };

  before(async () => {
    [gh, chromium] = await Promise.all([startGatehouse(), launchChromium()]);
    org = await seedOrganization(gh.services, {
      users: [{ userName: 'alice', email: 'alice.with-a-rather-long-address@engineering.example.com' }],
      accounts: [
        { accountId: '111122223333', name: 'Production-payments-platform-workloads-eu-west-1', email: 'aws-production-payments-platform-eu-west-1@example.com' },
        { accountId: '444455556666', name: 'Development' },
      ],
      permissionSets: [{ name: 'AdministratorAccessPlatformTeam' }, { name: 'ReadOnly' }],
      assignments: [
        { accountId: '111122223333', set: 'AdministratorAccessPlatformTeam', user: 'alice' },
        { accountId: '111122223333', set: 'ReadOnly', user: 'alice' },
        { accountId: '444455556666', set: 'ReadOnly', user: 'alice' },
      ],
    });
    // Two applications: one with an uploaded icon, one shown with its initial.
    const wiki = await createApplication(gh.services, { slug: 'wiki', name: 'Engineering wiki for the payments platform team', description: 'Runbooks, on-call notes and architecture decision records', acs: [{ url: 'https://wiki.example.com/acs', binding: POST, index: 0, isDefault: true }] });
    const crm = await createApplication(gh.services, { slug: 'crm', name: 'CRM', acs: [{ url: 'https://crm.example.com/acs', binding: POST, index: 0, isDefault: true }] });
    for (const app of [wiki, crm]) await assign(gh.services, app, { user: org.users.alice!.id });
    await gh.services.applicationIcons.set(wiki.id, ONE_PIXEL_PNG, 'test');
  });
  after(async () => {
    await chromium?.close();
    await gh?.close();
  });

  for (const viewport of VIEWPORTS) {
    it(`lays out every portal page without sideways scroll or serious axe violations at ${viewport.width}x${viewport.height}`, async () => {
      const context = await chromium.browser.newContext({ viewport });
      const page = await context.newPage();
      await page.goto(`${gh.baseUrl}/start`);
      await check(page, 'sign-in', viewport);
      await page.fill('#userName', 'alice');
      await page.fill('#password', 'wrong password');
      await page.click('button[type=submit]');
      // The user name is kept and the keyboard starts in the password. Waited for, not read at
      // once: 'load' may still be the first page's, before the answer to the post has arrived.
      const focused = await page.waitForFunction(() => document.activeElement?.id === 'password', null, { timeout: 10_000 }).then(() => 'password', () => page.evaluate(() => document.activeElement?.id));
      expect(focused).to.equal('password');
      expect(await page.inputValue('#userName')).to.equal('alice');
      await check(page, 'sign-in-failed', viewport);
      await page.fill('#userName', 'alice');
      await page.fill('#password', org.users.alice!.password);
      await page.click('button[type=submit]');
      await page.waitForSelector('details.account');
      for (const summary of await page.locator('details.account summary').all()) await summary.click();
      await check(page, 'accounts', viewport);
      // Opening the console and getting access keys are two actions a screen reader tells apart.
      expect(await page.getByRole('button', { name: 'Management console as ReadOnly in Development', exact: true }).count()).to.equal(1);
      expect(await page.getByRole('button', { name: 'Access keys for ReadOnly in Development', exact: true }).count()).to.equal(1);
      await page.goto(`${gh.baseUrl}/start/applications`);
      await check(page, 'applications', viewport);
      await page.fill('#application-search', 'runbooks');
      expect(await page.textContent('#application-count')).to.equal('Showing 1 of 2 applications');
      expect(await page.isVisible('button[data-launch]:has-text("CRM")')).to.equal(false);
      // The second-factor pages are checked with MFA on (mfa.browser.test.ts); here, the tab with no device.
      await page.goto(`${gh.baseUrl}/start/security`);
      expect(await page.locator('#no-devices').count()).to.equal(1);
      await check(page, 'sign-in-security-no-device', viewport);
      await page.goto(`${gh.baseUrl}/device`);
      await check(page, 'device-code', viewport);
      await page.goto(`${gh.baseUrl}/start/console?account_id=444455556666&role_name=ReadOnly&destination=https://evil.example/`);
      await check(page, 'console-link-refused', viewport);
      // Sign out: "You have been signed out"; then a stale tab's click: "Your session has expired".
      await page.goto(`${gh.baseUrl}/start`);
      await page.click('header button[type=submit]');
      await page.waitForURL(/\/start\/signed-out$/);
      await check(page, 'signed-out', viewport);
      await page.goto(`${gh.baseUrl}/start?expired=1&returnTo=%2Fstart%2Fapplications`);
      expect(await page.textContent('#sign-in-notice')).to.equal('Your session has expired. Sign in again to continue.');
      await check(page, 'session-expired', viewport);
      await page.goto(`${gh.baseUrl}/start/no-such-page`);
      await check(page, 'not-found', viewport);
      await context.close();
    });
  }
});
