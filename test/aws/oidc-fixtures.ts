// Shared set-up for the SSO OIDC interop tests: a Gatehouse with two people, the AWS SDK's
// SSOOIDCClient pointed at it, and a person's browser (PortalClient) for the verification and
// consent pages.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { CreateTokenCommand, RegisterClientCommand, SSOOIDCClient, type RegisterClientCommandInput } from '@aws-sdk/client-sso-oidc';
import { SsoOidcService } from '../../access/sso-oidc/sso-oidc.ts';
import type { SsoOidcSettings } from '../../access/sso-oidc/settings.ts';
import type { TestGatehouse } from '../support/gatehouse.ts';
import { hiddenFields, PortalClient, type PageResponse } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';

export const START_URL = 'https://gatehouse.example.com/start';

export function seedPeople(gh: TestGatehouse): Promise<SeededOrg> {
  return seedOrganization(gh.services, { users: [{ userName: 'alice' }, { userName: 'bob' }] });
}

export function oidcClient(gh: TestGatehouse, maxAttempts = 1): SSOOIDCClient {
  return new SSOOIDCClient({ region: 'us-east-1', endpoint: gh.baseUrl, maxAttempts, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } });
}

/** RegisterClient as AWS CLI 2.x does for an sso-session (docs/aws-cli.md). */
export async function registerClient(client: SSOOIDCClient, extra: Partial<RegisterClientCommandInput> = {}) {
  const out = await client.send(new RegisterClientCommand({ clientName: 'botocore-client-my-sso', clientType: 'public', scopes: ['sso:account:access'], ...extra }));
  return { clientId: out.clientId!, clientSecret: out.clientSecret!, out };
}

/** RegisterClient exactly as botocore's SSOTokenFetcherAuth sends it for the PKCE login (CLI 2.22+). */
export const registerCodeClient = (client: SSOOIDCClient, clientName = 'botocore-client-my-sso') =>
  registerClient(client, { clientName, grantTypes: ['authorization_code', 'refresh_token'], redirectUris: ['http://127.0.0.1/oauth/callback'], issuerUrl: START_URL });

/**
 * A signed-in browser through GET /authorize and the consent click: the code the CLI's loopback
 * listener would receive (read from the redirect, not followed), its PKCE verifier and the
 * redirect URI it is bound to.
 */
export async function authorizationCode(browser: PortalClient, clientId: string): Promise<{ code: string; codeVerifier: string; redirectUri: string }> {
  const codeVerifier = randomBytes(48).toString('base64url').slice(0, 64);
  const redirectUri = 'http://127.0.0.1:53682/oauth/callback';
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    state: randomUUID(),
    code_challenge_method: 'S256',
    scopes: 'sso:account:access',
    code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
  });
  const consent = await browser.request('GET', `/authorize?${query}`);
  if (consent.status !== 200) throw new Error(`consent page: ${consent.status}\n${consent.text.slice(0, 400)}`);
  const fields = hiddenFields(consent.text);
  const answer = await browser.request('POST', '/authorize/approve', { csrf: fields.csrf!, consent: fields.consent! });
  const code = answer.location ? new URL(answer.location).searchParams.get('code') : null;
  if (!code) throw new Error(`no code: ${answer.status} ${answer.location}`);
  return { code, codeVerifier, redirectUri };
}

/** CreateToken with the authorization_code grant, as the CLI sends it. */
export const redeemCode = (oidc: SSOOIDCClient, client: { clientId: string; clientSecret: string }, grant: { code: string; codeVerifier: string; redirectUri: string }) =>
  oidc.send(new CreateTokenCommand({ grantType: 'authorization_code', clientId: client.clientId, clientSecret: client.clientSecret, ...grant }));

/** CreateToken with the refresh_token grant. */
export const refresh = (oidc: SSOOIDCClient, client: { clientId: string; clientSecret: string }, refreshToken: string | undefined) =>
  oidc.send(new CreateTokenCommand({ grantType: 'refresh_token', clientId: client.clientId, clientSecret: client.clientSecret, refreshToken }));

/** Replaces the service with one using other lifetimes (e.g. a one-second device code). */
export function useSettings(gh: TestGatehouse, settings: Partial<SsoOidcSettings>): void {
  const s = gh.services;
  s.ssoOidc = new SsoOidcService(
    { store: s.ephemeral, accessTokens: s.ssoAccessTokens, portalSession: (hash) => s.portalSessions.getByHash(hash), identitySourceFor: s.identitySourceFor, clock: s.clock, audit: s.audit },
    { baseUrl: gh.baseUrl, ...settings },
  );
}

/** A person signs in to the portal. */
export async function signedIn(gh: TestGatehouse, org: SeededOrg, userName: string): Promise<PortalClient> {
  const browser = new PortalClient(gh.baseUrl);
  const login = await browser.signIn(userName, org.users[userName]!.password);
  if (login.status !== 303) throw new Error(`sign-in failed: ${login.status}`);
  return browser;
}

/** Opens verificationUriComplete and clicks Approve (or Deny). */
export async function decideDevice(browser: PortalClient, verificationUriComplete: string, decision: 'approve' | 'deny'): Promise<{ page: PageResponse; result: PageResponse }> {
  const url = new URL(verificationUriComplete);
  const page = await browser.request('GET', url.pathname + url.search);
  if (page.status !== 200) throw new Error(`verification page: ${page.status}\n${page.text.slice(0, 400)}`);
  const userCode = /data-user-code="([^"]+)"/.exec(page.text)?.[1];
  const result = await browser.request('POST', `/device/${decision}`, { csrf: browser.csrf(), user_code: userCode ?? '' });
  return { page, result };
}

/** A raw JSON POST, for what the SDK hides (headers, exact bodies). */
export async function postJson(gh: TestGatehouse, path: string, body: unknown): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(gh.baseUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* keep text */
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** The SDK's error for a failing call (name = AWS exception, plus the OAuth fields). */
export async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined; error?: string; error_description?: string }> {
  try {
    await promise;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number }; error?: string; error_description?: string };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode, error: err.error, error_description: err.error_description };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
