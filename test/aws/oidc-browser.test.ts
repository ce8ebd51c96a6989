// The two SSO OIDC browser steps in Debian's chromium: `aws sso login` (PKCE: consent, then the
// redirect to the CLI's loopback listener, which the page's CSP form-action must allow) and the
// device verification page (`--use-device-code`).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTokenCommand, StartDeviceAuthorizationCommand, type SSOOIDCClient } from '@aws-sdk/client-sso-oidc';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import type { SeededOrg } from '../support/seed.ts';
import { oidcClient, registerClient, seedPeople, START_URL } from './oidc-fixtures.ts';

describe('SSO OIDC pages in a browser', function () {
  this.timeout(60000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let oidc: SSOOIDCClient;
  let chromium: { browser: Browser; close(): Promise<void> };

  before(async () => {
    [gh, chromium] = await Promise.all([startGatehouse(), launchChromium()]);
    org = await seedPeople(gh);
    oidc = oidcClient(gh);
  });
  after(async () => {
    oidc?.destroy();
    await chromium?.close();
    await gh?.close();
  });

  async function signInOn(page: Page, userName: string) {
    await page.fill('#userName', userName);
    await page.fill('#password', org.users[userName]!.password);
    await page.click('button[type=submit]');
  }

  it('aws sso login (PKCE): sign in, Allow, and the browser lands on the loopback listener with code and state', async () => {
    const hits: URLSearchParams[] = [];
    const listener = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/oauth/callback') hits.push(url.searchParams);
      res.setHeader('content-type', 'text/html');
      res.end('<title>Login complete</title>You can close this window.');
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const redirectUri = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/oauth/callback`;
    const context = await chromium.browser.newContext();
    try {
      const client = await registerClient(oidc, { grantTypes: ['authorization_code', 'refresh_token'], redirectUris: ['http://127.0.0.1/oauth/callback'], issuerUrl: START_URL });
      const verifier = randomBytes(48).toString('base64url').slice(0, 64);
      const state = randomUUID();
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: redirectUri,
        state,
        code_challenge_method: 'S256',
        scopes: 'sso:account:access',
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      });
      const page = await context.newPage();
      await page.goto(`${gh.baseUrl}/authorize?${q}`);
      await signInOn(page, 'alice');
      await page.waitForSelector('#allow');
      expect(await page.textContent('#client-name')).to.equal('botocore-client-my-sso');
      await Promise.all([page.waitForURL((u) => u.href.startsWith(redirectUri)), page.click('#allow')]);
      expect(await page.title()).to.equal('Login complete');
      expect(hits).to.have.length(1);
      expect(hits[0]!.get('state')).to.equal(state);
      const token = await oidc.send(new CreateTokenCommand({ grantType: 'authorization_code', ...client, redirectUri, codeVerifier: verifier, code: hits[0]!.get('code')! }));
      expect(await gh.services.ssoAccessTokens.resolve(token.accessToken)).to.include({ userId: org.users.alice!.id });
    } finally {
      await context.close();
      await new Promise((r) => listener.close(r));
    }
  });

  it('aws sso login --use-device-code: open the verification link, sign in, check the code, Approve', async () => {
    const context = await chromium.browser.newContext();
    try {
      const client = await registerClient(oidc);
      const start = await oidc.send(new StartDeviceAuthorizationCommand({ ...client, startUrl: START_URL }));
      const page = await context.newPage();
      await page.goto(start.verificationUriComplete!);
      await signInOn(page, 'bob');
      await page.waitForSelector('#approve');
      expect(await page.textContent('#user-code')).to.equal(start.userCode);
      await Promise.all([page.waitForSelector('#device-decided'), page.click('#approve')]);
      expect(await page.getAttribute('#device-decided', 'data-approved')).to.equal('true');
      const token = await oidc.send(new CreateTokenCommand({ grantType: 'urn:ietf:params:oauth:grant-type:device_code', ...client, deviceCode: start.deviceCode }));
      expect(await gh.services.ssoAccessTokens.resolve(token.accessToken)).to.include({ userId: org.users.bob!.id });
    } finally {
      await context.close();
    }
  });
});
