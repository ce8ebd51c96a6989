// A person in a real browser (Debian chromium): sign in, open an account, click "Access keys" on a
// role, and copy the bash snippet and a single value with the copy buttons, under the page's CSP.
import path from 'node:path';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { PROD, startPortalApiWorld, type PortalApiWorld } from '../aws/portal-api-fixtures.ts';
import { launchChromium } from '../support/browser.ts';
import { checkPage, VIEWPORTS } from '../support/page-checks.ts';
import { keepScreenshot } from '../support/screenshots.ts';

describe('Access keys dialog in a browser', function () {
  this.timeout(60000);
  let w: PortalApiWorld;
  let chromium: { browser: Browser; close(): Promise<void> };

  before(async () => {
    [w, chromium] = await Promise.all([startPortalApiWorld(), launchChromium()]);
  });
  after(async () => {
    await chromium?.close();
    await w?.close();
  });

  it('clicks Access keys, sees the credentials and copies them to the clipboard without CSP violations', async () => {
    const context = await chromium.browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: w.gh.baseUrl });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused/i.test(m.text())) violations.push(m.text());
    });
    page.on('pageerror', (e) => violations.push(e.message));

    await page.goto(`${w.gh.baseUrl}/start`);
    await page.fill('#userName', 'alice');
    await page.fill('#password', w.org.users.alice!.password);
    await page.click('button[type=submit]');
    await page.click(`details[data-account-id="${PROD}"] summary`);
    await page.click(`details[data-account-id="${PROD}"] button[data-access-keys="AdministratorAccess"]`);
    await page.waitForSelector('#env-bash');
    expect(await page.textContent('#dialog-title')).to.equal('Get credentials for AdministratorAccess');

    const issued = w.sts.calls[0]!.outcome as { accessKeyId: string; secretAccessKey: string; sessionToken: string };
    const bash = `export AWS_ACCESS_KEY_ID="${issued.accessKeyId}"\nexport AWS_SECRET_ACCESS_KEY="${issued.secretAccessKey}"\nexport AWS_SESSION_TOKEN="${issued.sessionToken}"`;
    expect(await page.textContent('#env-bash')).to.equal(bash);

    await page.click('button[data-copy="env-bash"]');
    await page.waitForFunction(() => document.querySelector('button[data-copy="env-bash"]')?.textContent === 'Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).to.equal(bash);

    await page.click('button[data-copy="value-secret-access-key"]');
    await page.waitForFunction(() => document.querySelector('button[data-copy="value-secret-access-key"]')?.textContent === 'Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).to.equal(issued.secretAccessKey);

    // "Copied" is announced, naming what was copied.
    expect(await page.textContent('#copy-status')).to.equal('Copied AWS secret access key');

    // One system at a time, in tabs; the arrow key moves to the next one.
    expect(await page.isVisible('#env-cmd')).to.equal(false);
    await page.getByRole('tab', { name: 'Windows' }).click();
    expect(await page.isVisible('#env-cmd')).to.equal(true);
    expect(await page.isVisible('#env-bash')).to.equal(false);
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'PowerShell' }).getAttribute('aria-selected')).to.equal('true');
    expect(await page.isVisible('#env-powershell')).to.equal(true);

    // The page has its own address: a reload shows it again, without resubmitting a form or calling STS.
    expect(new URL(page.url()).pathname).to.equal('/start/credentials');
    await page.reload();
    await page.waitForSelector('#env-bash', { state: 'attached' });
    expect(w.sts.hits).to.equal(1);
    expect(await page.textContent('#expires-in')).to.match(/^\(expires in (59 min|1 h 59 min)\)$/);

    await keepScreenshot(page, path.resolve('test-artifacts/portal/credentials.png'), { fullPage: true });
    expect(violations).to.deep.equal([]);
    await context.close();
  });

  for (const viewport of VIEWPORTS) {
    it(`lays out the Access keys page without sideways scroll or serious axe violations at ${viewport.width}x${viewport.height}`, async () => {
      const context = await chromium.browser.newContext({ viewport });
      const page = await context.newPage();
      // Signed out, the page's own address signs in first and comes back to it.
      await page.goto(`${w.gh.baseUrl}/start/credentials?account_id=${PROD}&role_name=AdministratorAccess`);
      await page.fill('#userName', 'alice');
      await page.fill('#password', w.org.users.alice!.password);
      await page.click('button[type=submit]');
      await page.waitForSelector('#env-bash');
      expect(new URL(page.url()).search).to.equal(`?account_id=${PROD}&role_name=AdministratorAccess`);
      await checkPage(page, 'credentials', viewport);
      await context.close();
    });
  }
});
