// Served under an https BASE_URL (behind a TLS-terminating proxy): cookies carry the __Host-
// prefix and Strict-Transport-Security is sent on every response. Under http neither, so local
// development keeps working. The proxy is left out: requests go to the node's own http port.
import { expect } from 'chai';
import { ADMIN_PASSWORD, startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';

const HSTS = 'max-age=31536000; includeSubDomains';

/** The Set-Cookie header of `name`, as attributes (lower-case names). */
function setCookie(headers: Headers, name: string): Map<string, string> | undefined {
  const line = headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  if (!line) return undefined;
  return new Map(line.split(';').slice(1).map((a) => {
    const [k, v = ''] = a.trim().split('=');
    return [k!.toLowerCase(), v] as [string, string];
  }));
}

describe('served under an https base URL', () => {
  let gh: TestGatehouse;
  let origin: string;
  beforeEach(async () => {
    gh = await startGatehouse({ env: { BASE_URL: 'https://sso.example.com' } });
    origin = `http://127.0.0.1:${gh.config.port}`;
  });
  afterEach(async () => {
    await gh.close();
  });

  it('names the sign-in form and session cookies __Host-…, Secure, Path=/ and without Domain, and reads only those names', async () => {
    const browser = new PortalClient(origin);
    const form = await browser.request('GET', '/start');
    const login = setCookie(form.headers, '__Host-gh_login');
    expect(login, form.headers.getSetCookie().join('\n')).to.not.equal(undefined);
    const signedIn = await browser.request('POST', '/start/login', { csrf: browser.csrf(), userName: 'admin', password: ADMIN_PASSWORD });
    expect(signedIn.status).to.equal(303);
    const session = setCookie(signedIn.headers, '__Host-gh_session');
    for (const attributes of [login!, session!]) {
      expect(attributes.has('secure')).to.equal(true);
      expect(attributes.get('path')).to.equal('/');
      expect(attributes.has('domain')).to.equal(false);
      expect(attributes.has('httponly')).to.equal(true);
    }
    expect(signedIn.headers.getSetCookie().filter((c) => c.startsWith('gh_'))).to.deep.equal([]);
    expect((await browser.request('GET', '/start')).text).to.include('Sign out');

    // The same session id planted under the unprefixed name (as a sibling subdomain could) is not read.
    const planted = new PortalClient(origin);
    planted.cookies.set('gh_session', browser.cookies.get('__Host-gh_session')!);
    expect((await planted.request('GET', '/start')).text).to.include('name="password"');
  });

  it('sends Strict-Transport-Security on every response: pages, APIs, health, unknown paths', async () => {
    for (const path of ['/start', '/healthz', '/saml/metadata', '/api/v1/openapi.json', '/federation/credentials', '/nope']) {
      const res = await fetch(origin + path);
      expect(res.headers.get('strict-transport-security'), path).to.equal(HSTS);
    }
  });
});

describe('served under an http base URL (local development)', () => {
  let gh: TestGatehouse;
  beforeEach(async () => {
    gh = await startGatehouse();
  });
  afterEach(async () => {
    await gh.close();
  });

  it('keeps plain cookie names without Secure, and sends no Strict-Transport-Security', async () => {
    const browser = new PortalClient(gh.baseUrl);
    const signedIn = await browser.signIn('admin', ADMIN_PASSWORD);
    expect(signedIn.status).to.equal(303);
    const session = setCookie(signedIn.headers, 'gh_session');
    expect(session?.has('secure')).to.equal(false);
    expect(signedIn.headers.get('strict-transport-security')).to.equal(null);
    expect((await fetch(`${gh.baseUrl}/healthz`)).headers.get('strict-transport-security')).to.equal(null);
  });
});
