// A relying party for the OIDC tests: openid-client 6 (nobody on the project wrote it) against a
// test Gatehouse, and a browser reduced to a cookie jar that follows redirects through the
// provider and the portal's sign-in forms until the browser would land on the app.
import * as client from 'openid-client';
import type { TestGatehouse } from './gatehouse.ts';
import type { PortalClient, PageResponse } from './portal-client.ts';

export const REDIRECT_URI = 'https://rp.example/callback';

export interface OidcApp {
  id: string;
  clientSecret: string | null;
}

/** Creates an OIDC application through the admin API and assigns it to the given principals. */
export async function createOidcApp(gh: TestGatehouse, body: Record<string, unknown>, assign: { USER?: string[]; GROUP?: string[] } = {}): Promise<OidcApp> {
  const made = await gh.api('POST', '/applications', { kind: 'oidc', name: 'Wiki', redirectUris: [REDIRECT_URI], ...body });
  if (made.status !== 201) throw new Error(`create: ${made.status} ${JSON.stringify(made.body)}`);
  for (const [type, ids] of Object.entries(assign)) {
    for (const id of ids ?? []) {
      const r = await gh.api('POST', `/applications/${made.body.id}/assignments`, { principalType: type, principalId: id });
      if (r.status !== 201) throw new Error(`assign: ${r.status} ${JSON.stringify(r.body)}`);
    }
  }
  return { id: made.body.id, clientSecret: made.body.clientSecret ?? null };
}

/** openid-client's configuration for the app, from the discovery document. */
export async function rpFor(gh: TestGatehouse, app: OidcApp, auth: 'basic' | 'post' | 'none' = app.clientSecret ? 'basic' : 'none'): Promise<client.Configuration> {
  const method = auth === 'none' ? client.None() : auth === 'post' ? client.ClientSecretPost(app.clientSecret!) : client.ClientSecretBasic(app.clientSecret!);
  return client.discovery(new URL(`${gh.baseUrl}/oidc`), app.id, undefined, method, { execute: [client.allowInsecureRequests] });
}

/** Follows redirects on this origin; stops at the first one that leaves it (the app's callback) or at a page. */
export async function follow(browser: PortalClient, start: string, max = 15): Promise<{ last: PageResponse; leftTo: string | null }> {
  let target = start.startsWith(browser.baseUrl) ? start.slice(browser.baseUrl.length) : start;
  for (let i = 0; i < max; i++) {
    const res = await browser.request('GET', target);
    // The signed-in step moves on with a meta refresh, as a browser follows it.
    const refresh = res.status === 200 ? /<meta http-equiv="refresh" content="0;url=([^"]+)">/.exec(res.text)?.[1] : undefined;
    const location = refresh ? decode(refresh) : res.location;
    if (!location || (!refresh && (res.status < 300 || res.status >= 400))) return { last: res, leftTo: null };
    const next = new URL(location, browser.baseUrl);
    if (next.origin !== browser.baseUrl) return { last: res, leftTo: next.href };
    target = next.pathname + next.search;
  }
  throw new Error('too many redirects');
}

/**
 * The browser's part of an authorization: opens the URL, signs in at the portal when asked, and
 * returns where the browser is sent back to the app (or the page it stopped at).
 */
export async function authorizeInBrowser(browser: PortalClient, url: URL, credentials?: { userName: string; password: string }): Promise<{ callback: string | null; page: PageResponse }> {
  let { last, leftTo } = await follow(browser, url.href);
  if (!leftTo && credentials && last.text.includes('name="password"')) {
    const returnTo = /name="returnTo" value="([^"]*)"/.exec(last.text)?.[1]?.replace(/&amp;/g, '&') ?? '';
    const posted = await browser.request('POST', '/start/login', { csrf: browser.csrf(), userName: credentials.userName, password: credentials.password, returnTo });
    if (posted.status !== 303 || !posted.location) return { callback: null, page: posted };
    ({ last, leftTo } = await follow(browser, posted.location));
  }
  return { callback: leftTo, page: last };
}

/** Code + PKCE (S256) from the authorization request to the tokens, through openid-client. */
export async function signInWithCode(
  config: client.Configuration,
  browser: PortalClient,
  credentials: { userName: string; password: string } | undefined,
  scope = 'openid profile email groups',
  options: client.AuthorizationCodeGrantOptions = {},
) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const { callback, page } = await authorizeInBrowser(browser, url, credentials);
  if (!callback) throw new Error(`no redirect to the app: ${page.status} ${page.text.slice(0, 400)}`);
  return client.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }, undefined, options);
}

export { client };

const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/**
 * Submits the form `formId` of the last page as a browser would when its button `button` (a
 * name=value pair, or none) is pressed: the form's own fields plus the button's.
 */
export async function submitForm(browser: PortalClient, page: PageResponse, formId: string, extra: Record<string, string> = {}): Promise<PageResponse> {
  const form = new RegExp(`<form[^>]*id="${formId.replace('.', '\\.')}"[^>]*>([\\s\\S]*?)</form>`).exec(page.text);
  if (!form) throw new Error(`no form ${formId} on the page: ${page.text.slice(0, 600)}`);
  const action = /action="([^"]+)"/.exec(form[0])![1]!;
  const fields: Record<string, string> = {};
  for (const m of form[1]!.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) fields[m[1]!] = decode(m[2]!);
  const url = new URL(decode(action), browser.baseUrl);
  return browser.request('POST', url.pathname + url.search, { ...fields, ...extra });
}
