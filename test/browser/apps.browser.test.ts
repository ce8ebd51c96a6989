// SAML applications in a real browser (Debian chromium): launching an app from the portal's
// Applications tab posts a valid Response to the app's ACS (a local form sink), and an
// SP-initiated sign-in goes from the SP's login URL (built by @node-saml/node-saml) through
// Gatehouse's sign-in page back to the ACS with a Response node-saml accepts. The HTTP-POST
// request arrives from another site, as in real life, so the portal cookie (SameSite=Lax) is only
// seen after Gatehouse's own redirect.
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { Application } from '../../model/types.ts';
import { launchChromium } from '../support/browser.ts';
import { startFormSink, type FormSink } from '../support/form-sink.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { assign, createApplication, nodeSamlFor } from '../saml/fixtures.ts';
import { POST } from '../idp/inbound-fixtures.ts';

describe('SAML applications in a browser', function () {
  this.timeout(60_000);
  let gh: TestGatehouse;
  let sink: FormSink;
  let org: SeededOrg;
  let app: Application;
  let chromium: { browser: Browser; close(): Promise<void> };

  before(async () => {
    [gh, sink, chromium] = await Promise.all([startGatehouse(), startFormSink('/saml/acs'), launchChromium()]);
    org = await seedOrganization(gh.services, { users: [{ userName: 'alice', email: 'alice@example.com', displayName: 'Alice' }] });
    app = await createApplication(gh.services, {
      slug: 'notes',
      name: 'Team Notes',
      acs: [{ url: sink.url, binding: POST, index: 0, isDefault: true }],
      defaultRelayState: '/home',
      attributeMappings: [{ name: 'displayName', value: '${user:displayName}' }],
    });
    await assign(gh.services, app, { user: org.users.alice!.id });
  });
  after(async () => {
    await chromium?.close();
    await sink?.close();
    await gh?.close();
  });

  /** The next form the sink receives from now on (its next() also replays earlier ones). */
  function nextPost(): Promise<Record<string, string>> {
    const seen = sink.received.length;
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (sink.received.length > seen) {
          clearInterval(poll);
          resolve(sink.received[seen]!);
        } else if (Date.now() - started > 20_000) {
          clearInterval(poll);
          reject(new Error('nothing was posted to the ACS'));
        }
      }, 20);
    });
  }

  function watchCsp(page: Page): string[] {
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused/i.test(m.text())) violations.push(m.text());
    });
    return violations;
  }

  async function signIn(page: Page): Promise<void> {
    await page.fill('#userName', 'alice');
    await page.fill('#password', org.users.alice!.password);
    await page.click('button[type=submit]');
  }

  it('launches an app from the Applications tab and lands at its ACS with a valid Response', async () => {
    const context = await chromium.browser.newContext();
    const page = await context.newPage();
    const violations = watchCsp(page);
    await page.goto(`${gh.baseUrl}/start`);
    await signIn(page);
    await page.click('nav.tabs a[href="/start/applications"]');
    await page.waitForSelector(`li[data-application-id="${app.id}"]`);
    const posted = nextPost();
    await page.click(`button[data-launch="${app.id}"]`);
    const fields = await posted;
    await page.waitForURL(sink.url);
    expect(fields.RelayState).to.equal('/home');
    const sp = await nodeSamlFor(gh.baseUrl, app, { callbackUrl: sink.url, validateInResponseTo: 'ifPresent' as never });
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: fields.SAMLResponse! });
    expect(profile?.nameID).to.equal('alice@example.com');
    expect(profile?.displayName).to.equal('Alice');
    expect(violations).to.deep.equal([]);
    await context.close();
  });

  it('completes an SP-initiated sign-in: the SP\'s login URL, Gatehouse sign-in, back to the ACS', async () => {
    const context = await chromium.browser.newContext();
    const page = await context.newPage();
    const violations = watchCsp(page);
    const sp = await nodeSamlFor(gh.baseUrl, app, { callbackUrl: sink.url });
    const loginUrl = await sp.getAuthorizeUrlAsync('return-to-42', undefined, {});
    await page.goto(loginUrl);
    await page.waitForSelector('#password');
    expect(page.url()).to.match(/\/saml\/sso\/continue\?k=/);
    const posted = nextPost();
    await signIn(page);
    const fields = await posted;
    await page.waitForURL(sink.url);
    expect(fields.RelayState).to.equal('return-to-42');
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: fields.SAMLResponse! });
    expect(profile?.nameID).to.equal('alice@example.com');

    // Signed in now: an HTTP-POST request from another site is answered without a sign-in page.
    const postSp = await nodeSamlFor(gh.baseUrl, app, { callbackUrl: sink.url, authnRequestBinding: 'HTTP-POST', skipRequestCompression: true });
    const form = await postSp.getAuthorizeFormAsync('again', undefined);
    const second = nextPost();
    await page.setContent(form);
    const again = await second;
    expect(again.RelayState).to.equal('again');
    expect((await postSp.validatePostResponseAsync({ SAMLResponse: again.SAMLResponse! })).profile?.nameID).to.equal('alice@example.com');
    expect(violations).to.deep.equal([]);
    await context.close();
  });
});
