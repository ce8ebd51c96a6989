// Shared helpers for the application SSO tests: apps stored through the ApplicationStore contract,
// @node-saml/node-saml configured as each app's SP from our published metadata only, and a
// cookie-keeping client that walks the SP-initiated flow the way a browser does.
import { randomBytes } from 'node:crypto';
import { SAML } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import { expect } from 'chai';
import type { Application, ApplicationAssignment } from '../../model/types.ts';
import type { Services } from '../../server/services.ts';
import type { NewApplication } from '../../store/stores.ts';
import type { PortalClient} from '../support/portal-client.ts';
import { hiddenFields, type PageResponse } from '../support/portal-client.ts';
import { POST, REDIRECT } from '../idp/inbound-fixtures.ts';

export const NAMEID_EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
export const NAMEID_PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
export const NAMEID_TRANSIENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';
export const NAMEID_UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';
export { POST, REDIRECT };

export interface AppSpec extends Partial<NewApplication> {
  /** Short name used to build the entity id and URLs: https://<slug>.example.com/... */
  slug?: string;
}

export function newApplication(spec: AppSpec = {}): NewApplication {
  const slug = spec.slug ?? `app${randomBytes(4).toString('hex')}`;
  const { slug: _slug, ...rest } = spec;
  return {
    id: `app-${randomBytes(8).toString('hex')}`,
    name: `App ${slug}`,
    description: '',
    kind: 'custom',
    entityId: `https://${slug}.example.com/saml/metadata`,
    acs: [{ url: `https://${slug}.example.com/saml/acs`, binding: POST, index: 0, isDefault: true }],
    slo: null,
    signingCertificates: [],
    encryptionCertificates: [],
    authnRequestsSigned: false,
    metadata: { source: 'manual', url: null, xml: null, fetchedAt: null, validUntil: null, cacheDurationSeconds: null, lastError: null, nextFetchAt: null },
    metadataTrust: { requireSignature: null, requireValidUntil: null, signingCertificates: [] },
    nameIdFormat: NAMEID_EMAIL,
    nameIdSource: 'email',
    attributeMappings: [],
    signResponse: true,
    signAssertion: true,
    encryptAssertion: false,
    sessionDurationSeconds: null,
    defaultRelayState: null,
    externalAwsAccount: null,
    ...rest,
  };
}

export async function createApplication(services: Services, spec: AppSpec = {}): Promise<Application> {
  return services.sql.applications.create(newApplication(spec));
}

export async function assign(services: Services, app: Application, principal: { user?: string; group?: string }, roleArns: string[] = []): Promise<ApplicationAssignment> {
  return services.sql.applications.assign({
    applicationId: app.id,
    principalType: principal.user ? 'USER' : 'GROUP',
    principalId: (principal.user ?? principal.group)!,
    roleArns,
  });
}

/** Our IdP entity id and signing certificate, read from /saml/metadata as an SP would. */
export async function idpFromMetadata(baseUrl: string): Promise<{ entityId: string; cert: string }> {
  const xml = await (await fetch(`${baseUrl}/saml/metadata`)).text();
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const entityId = doc.documentElement?.getAttribute('entityID');
  const cert = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'X509Certificate')[0]?.textContent;
  if (!entityId || !cert) throw new Error('metadata lacks an entity id or a signing certificate');
  return { entityId, cert };
}

/** node-saml as the app's SP, trusting only our metadata's certificate and checking InResponseTo with its cache. */
export async function nodeSamlFor(baseUrl: string, app: Application, overrides: Partial<ConstructorParameters<typeof SAML>[0]> = {}): Promise<SAML> {
  const idp = await idpFromMetadata(baseUrl);
  return new SAML({
    idpCert: idp.cert,
    idpIssuer: idp.entityId,
    issuer: app.entityId,
    audience: app.entityId,
    callbackUrl: app.acs[0]!.url,
    entryPoint: `${baseUrl}/saml/sso`,
    logoutUrl: `${baseUrl}/saml/slo`,
    identifierFormat: app.nameIdFormat,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
    validateInResponseTo: 'always' as never,
    ...overrides,
  });
}

/** The pathname + query of an absolute URL on Gatehouse. */
export function localPath(url: string): string {
  const u = new URL(url);
  return u.pathname + u.search;
}

/** Follows redirects that stay on Gatehouse (relative, or absolute on its base URL). */
export async function follow(client: PortalClient, response: PageResponse): Promise<PageResponse> {
  let current = response;
  for (let hops = 0; hops < 10 && current.status >= 300 && current.status < 400 && current.location; hops += 1) {
    const location = current.location;
    if (/^https?:/.test(location) && !location.startsWith(client.baseUrl)) return current;
    current = await client.request('GET', location.startsWith('http') ? localPath(location) : location);
  }
  return current;
}

/** Submits the sign-in page on screen (with its returnTo) and follows where it leads. */
export async function submitSignIn(client: PortalClient, page: PageResponse, userName: string, password: string): Promise<PageResponse> {
  expect(page.text, 'a sign-in page').to.include('name="password"');
  const fields = hiddenFields(page.text);
  return follow(client, await client.request('POST', '/start/login', { ...fields, userName, password }));
}

/** The auto-POST page's target and fields (views/auto-post.ts), or null when the page is not one. */
export function autoPost(page: PageResponse): { action: string; fields: Record<string, string> } | null {
  const m = /<form method="post" action="([^"]+)" id="saml-post">/.exec(page.text);
  if (!m) return null;
  return { action: decode(m[1]!), fields: hiddenFields(page.text) };
}

/** The HTML-escaped text of an attribute value, as the page carries it. */
export function decode(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The node-saml HTTP-POST AuthnRequest form's fields. */
export function formFields(formHtml: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of formHtml.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields[m[1]!] = decode(m[2]!);
  return fields;
}

/** Query parameters of a URL as node-saml's validateRedirectAsync takes them, and the raw query. */
export function redirectParams(url: string): { container: Record<string, string>; originalQuery: string } {
  const u = new URL(url, 'http://x');
  return { container: Object.fromEntries(u.searchParams), originalQuery: u.search.slice(1) };
}

/** Starts an SP-initiated sign-in over HTTP-Redirect and returns Gatehouse's first answer. */
export async function startRedirectSignIn(client: PortalClient, sp: SAML, relayState = ''): Promise<PageResponse> {
  const url = await sp.getAuthorizeUrlAsync(relayState, undefined, {});
  return client.request('GET', localPath(url));
}

/** Starts an SP-initiated sign-in over HTTP-POST (node-saml's form) and returns Gatehouse's first answer. */
export async function startPostSignIn(client: PortalClient, sp: SAML, relayState = ''): Promise<PageResponse> {
  const form = await sp.getAuthorizeFormAsync(relayState, undefined);
  return client.request('POST', '/saml/sso', formFields(form));
}

/** Asserts a plain 400 page that says `pattern`, with nothing posted onwards. */
export function expectRefusedPage(page: PageResponse, pattern: RegExp, status = 400): void {
  expect(page.status, page.text.slice(0, 400)).to.equal(status);
  expect(page.headers.get('content-type')).to.match(/text\/html/);
  expect(page.text).to.not.include('name="SAMLResponse"');
  expect(page.text).to.not.include('saml-post');
  expect(decode(page.text)).to.match(pattern);
}
