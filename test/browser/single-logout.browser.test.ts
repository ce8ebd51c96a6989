// Sign-out in a real browser when an application's logout URL is down: the hop page asks the app's
// origin first, gives up after a short timeout (or at once when the connection is refused), and
// the chain ends on "You have been signed out" naming the app it could not reach, instead of
// leaving the person on the browser's "site can't be reached" page.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { PROBE_TIMEOUT_MS } from '../../views/single-logout.ts';
import { startFormSink, type FormSink } from '../support/form-sink.ts';
import { freePort } from '../support/free-port.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { checkPage, VIEWPORTS } from '../support/page-checks.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { assign, createApplication, POST, REDIRECT } from '../saml/fixtures.ts';

describe('single logout past an unreachable application, in a browser', function () {
  this.timeout(60_000);
  let gh: TestGatehouse;
  let sink: FormSink;
  let org: SeededOrg;
  let chromium: { browser: Browser; close(): Promise<void> };
  // Accepts connections and never answers: an application that hangs.
  const held = new Set<net.Socket>();
  const hung = net.createServer((socket) => held.add(socket));

  before(async () => {
    [gh, sink, chromium] = await Promise.all([startGatehouse(), startFormSink('/saml/acs'), launchChromium()]);
    org = await seedOrganization(gh.services, { users: [{ userName: 'alice', email: 'alice@example.com' }] });
    // Nothing listens on this port: the app's logout URL refuses connections.
    const down = await freePort();
    const app = await createApplication(gh.services, {
      slug: 'ledger',
      name: 'Ledger',
      acs: [{ url: sink.url, binding: POST, index: 0, isDefault: true }],
    });
    await gh.services.sql.applications.update(app.id, { slo: { url: `http://127.0.0.1:${down}/saml/slo`, binding: REDIRECT } });
    await assign(gh.services, app, { user: org.users.alice!.id });
  });
  after(async () => {
    for (const socket of held) socket.destroy();
    if (hung.listening) await new Promise((r) => hung.close(r));
    await chromium?.close();
    await sink?.close();
    await gh?.close();
  });

  for (const viewport of VIEWPORTS) {
    it(`signs out, moves on past the app it cannot reach and names it (${viewport.width}x${viewport.height})`, async () => {
      const context = await chromium.browser.newContext({ viewport });
      const page = await context.newPage();
      await page.goto(`${gh.baseUrl}/start/applications`);
      await page.fill('#userName', 'alice');
      await page.fill('#password', org.users.alice!.password);
      await page.click('button[type=submit]');
      await page.click('button[data-launch]');
      await page.waitForURL(sink.url);
      await page.goto(`${gh.baseUrl}/start`);
      await page.click('header button[type=submit]');
      await page.waitForSelector('[data-unreachable]', { timeout: 15_000 });
      expect(new URL(page.url()).origin).to.equal(gh.baseUrl);
      expect(await page.textContent('h2')).to.equal('You have been signed out');
      expect(await page.textContent('[data-unreachable]')).to.include('Could not reach Ledger');
      expect(await page.getAttribute('#logout-apps li', 'data-state')).to.equal('unreachable');
      await checkPage(page, 'signed-out-unreachable-app', viewport);
      // The portal session is gone.
      await page.goto(`${gh.baseUrl}/start`);
      expect(await page.isVisible('#password')).to.equal(true);
      await context.close();
    });
  }

  it('gives up on an application that accepts the connection but never answers, after the short timeout', async () => {
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    const port = (hung.address() as AddressInfo).port;
    const slow = await createApplication(gh.services, { slug: 'payroll', name: 'Payroll', acs: [{ url: sink.url, binding: POST, index: 0, isDefault: true }] });
    await gh.services.sql.applications.update(slow.id, { slo: { url: `http://127.0.0.1:${port}/saml/slo`, binding: POST } });
    await assign(gh.services, slow, { user: org.users.alice!.id });
    const context = await chromium.browser.newContext();
    // The hop page's timeout runs on the page's clock, which the test moves instead of waiting.
    await context.clock.install();
    const page = await context.newPage();
    await page.goto(`${gh.baseUrl}/start/applications`);
    await page.fill('#userName', 'alice');
    await page.fill('#password', org.users.alice!.password);
    await page.click('button[type=submit]');
    await page.click(`button[data-launch="${slow.id}"]`);
    await page.waitForURL(sink.url);
    await page.goto(`${gh.baseUrl}/start`);
    await page.clock.pauseAt(Date.now() + 1_000);
    await page.click('header button[type=submit]');
    await page.waitForSelector('#slo-probe', { state: 'attached' });
    // Just short of the timeout the page still waits for the app's answer ...
    await page.clock.runFor(PROBE_TIMEOUT_MS - 100);
    expect(await page.locator('#slo-probe').count(), 'still asking the app').to.equal(1);
    // ... and at the timeout it gives up and moves on.
    await page.clock.runFor(200);
    await page.waitForSelector(`[data-unreachable="${slow.entityId}"]`, { timeout: 20_000 });
    expect(await page.textContent(`[data-unreachable="${slow.entityId}"]`)).to.include('Could not reach Payroll');
    await context.close();
  });
});
