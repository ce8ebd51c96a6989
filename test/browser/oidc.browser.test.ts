// An OpenID Connect application in a real browser (Debian chromium): the authorization request
// goes through the portal's sign-in page and lands on the app's redirect URI with a code that
// openid-client exchanges; RP-initiated logout comes back to the app. The OIDC pages people see
// (access denied, the Applications tab, sign-out and device pages) pass the portal's page checks
// (no sideways scroll, no serious axe violation) at a phone's and a laptop's size.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { checkPage, VIEWPORTS } from '../support/page-checks.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { client, createOidcApp, rpFor, type OidcApp } from '../support/oidc-rp.ts';

describe('an OIDC application in a browser', function () {
  this.timeout(60_000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let app: OidcApp;
  let chromium: { browser: Browser; close(): Promise<void> };
  let rpServer: http.Server;
  let rpBase: string;

  before(async () => {
    // The app: a page at its redirect URI and one after sign-out.
    rpServer = http.createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>App</title><p id="at">${req.url}</p>`));
    await new Promise<void>((resolve) => rpServer.listen(0, '127.0.0.1', resolve));
    rpBase = `http://127.0.0.1:${(rpServer.address() as AddressInfo).port}`;
    [gh, chromium] = await Promise.all([startGatehouse(), launchChromium()]);
    org = await seedOrganization(gh.services, { users: [{ userName: 'alice', displayName: 'Alice' }, { userName: 'bob' }] });
    app = await createOidcApp(
      gh,
      { redirectUris: [`${rpBase}/callback`], postLogoutRedirectUris: [`${rpBase}/signed-out`], grantTypes: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'] },
      { USER: [org.users.alice!.id] },
    );
  });
  after(async () => {
    await chromium?.close();
    await gh?.close();
    await new Promise((resolve) => rpServer?.close(resolve));
  });

  async function authorizationUrl(rp: client.Configuration) {
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(rp, { redirect_uri: `${rpBase}/callback`, scope: 'openid profile groups', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state: 'b1' });
    return { url, verifier };
  }

  async function signIn(page: Page, userName: string) {
    await page.fill('#userName', userName);
    await page.fill('#password', org.users[userName]!.password);
    await page.click('button[type=submit]');
  }

  it('signs in through the portal\'s sign-in page and lands on the app with a code openid-client exchanges; logout comes back to the app', async () => {
    const rp = await rpFor(gh, app);
    const { url, verifier } = await authorizationUrl(rp);
    const context = await chromium.browser.newContext();
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    await page.goto(url.href);
    expect(await page.title()).to.include('Sign in');
    await signIn(page, 'alice');
    await page.waitForURL(`${rpBase}/callback**`);
    const tokens = await client.authorizationCodeGrant(rp, new URL(page.url()), { pkceCodeVerifier: verifier, expectedState: 'b1' });
    expect(tokens.claims()!.sub).to.equal(org.users.alice!.id);
    expect(tokens.claims()!.amr).to.deep.equal(['pwd']);

    // The portal knows the person now: the Applications tab shows the app.
    await page.goto(`${gh.baseUrl}/start/applications`);
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize(viewport);
      await checkPage(page, 'oidc-applications-tab', viewport);
    }

    await page.goto(client.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${rpBase}/signed-out` }).href);
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize(viewport);
      await checkPage(page, 'oidc-logout-confirm', viewport);
    }
    await page.click('button[name=logout]');
    await page.waitForURL(`${rpBase}/signed-out**`);
    await page.goto(`${gh.baseUrl}/start`);
    expect(await page.isVisible('#password')).to.equal(true);
    expect(cspViolations).to.deep.equal([]);
    await context.close();
  });

  it('shows a person not assigned a clear access-denied page', async () => {
    const { url } = await authorizationUrl(await rpFor(gh, app));
    const context = await chromium.browser.newContext();
    const page = await context.newPage();
    await page.goto(url.href);
    await signIn(page, 'bob');
    await page.waitForSelector('#access-denied');
    expect(await page.textContent('h2')).to.include('You do not have access to Wiki');
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize(viewport);
      await checkPage(page, 'oidc-access-denied', viewport);
    }
    await context.close();
  });

  it('lets a person approve a device with its code', async () => {
    const rp = await rpFor(gh, app);
    const started = await client.initiateDeviceAuthorization(rp, { scope: 'openid' });
    const context = await chromium.browser.newContext();
    const page = await context.newPage();
    await page.goto(started.verification_uri);
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize(viewport);
      await checkPage(page, 'oidc-device-code', viewport);
    }
    await page.fill('#user_code', started.user_code);
    await page.click('button[form="op.deviceInputForm"]');
    await page.waitForSelector('button[form="op.deviceConfirmForm"]');
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize(viewport);
      await checkPage(page, 'oidc-device-confirm', viewport);
    }
    await page.click('button[form="op.deviceConfirmForm"]:not([name])');
    await signIn(page, 'alice');
    await page.waitForSelector('text=Device signed in');
    const tokens = await client.genericGrantRequest(rp, 'urn:ietf:params:oauth:grant-type:device_code', { device_code: started.device_code });
    expect(tokens.claims()!.sub).to.equal(org.users.alice!.id);
    await context.close();
  });
});
