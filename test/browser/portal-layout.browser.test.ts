// Every portal page a person sees, at a phone's 390x844 and a laptop's 1280x800 in chromium: no
// horizontal scroll (long account names, ids and emails wrap) and no serious or critical axe-core
// violation. Screenshots are kept under test-artifacts/portal/ to look at.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { describeViolations, seriousViolations } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';

const ARTIFACTS = path.resolve('test-artifacts/portal');
const VIEWPORTS = [{ width: 390, height: 844 }, { width: 1280, height: 800 }];

describe('access portal layout and accessibility', function () {
  this.timeout(120_000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let chromium: { browser: Browser; close(): Promise<void> };

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
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
  });
  after(async () => {
    await chromium?.close();
    await gh?.close();
  });

  async function check(page: Page, name: string, viewport: { width: number }): Promise<void> {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${viewport.width}.png`), fullPage: true });
    expect(overflow, `${name} at ${viewport.width}px scrolls sideways by ${overflow}px`).to.be.at.most(0);
    const violations = await seriousViolations(page);
    expect(describeViolations(violations), `${name} at ${viewport.width}px`).to.equal("");
  }

  for (const viewport of VIEWPORTS) {
    it(`lays out every portal page without sideways scroll or serious axe violations at ${viewport.width}x${viewport.height}`, async () => {
      const context = await chromium.browser.newContext({ viewport });
      const page = await context.newPage();
      await page.goto(`${gh.baseUrl}/start`);
      await check(page, 'sign-in', viewport);
      await page.fill('#userName', 'alice');
      await page.fill('#password', 'wrong password');
      await page.click('button[type=submit]');
      await page.waitForLoadState('load');
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
      await page.goto(`${gh.baseUrl}/start/no-such-page`);
      await check(page, 'not-found', viewport);
      await context.close();
    });
  }
});
