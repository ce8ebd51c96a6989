// Test support for the inbound SAML tests: RSA keys with self-signed certificates made by the
// openssl CLI (idp/keys.ts only makes the IdP's own 3072-bit key; these tests also need 1024-bit
// and attacker keys), builders for SP messages and metadata, and the two transport encodings done
// the way an SP does them. Messages are signed with xml-crypto or produced by @node-saml/node-saml
// (an SP library nobody on this project wrote), never with the code under test.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { X509Certificate, sign } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { SAML } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { ValidationError } from '../../model/errors.ts';
import type { SsoApplication } from '../../idp/saml/inbound/receive.ts';
import { InboundRejection } from '../../idp/saml/inbound/rejection.ts';

const run = promisify(execFile);

export const NS_SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const NS_SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
export const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
export const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const RSA_SHA512 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512';
export const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
export const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
export const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
export const EXC_C14N_COMMENTS = 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments';

export const IDP_ENTITY_ID = 'https://gatehouse.test/saml/metadata';
export const IDP_SSO_URL = 'https://gatehouse.test/saml/sso';
export const IDP_SLO_URL = 'https://gatehouse.test/saml/slo';
export const SP_ENTITY_ID = 'https://sp.example.com/saml/metadata';
export const SP_ACS = 'https://sp.example.com/saml/acs';
export const SP_ACS_2 = 'https://sp.example.com/saml/acs2';

export interface TestKey {
  bits: number;
  privateKeyPem: string;
  certPem: string;
  /** DER, base64 on one line: what metadata and KeyInfo carry. */
  certDer: string;
}

const keys = new Map<string, Promise<TestKey>>();

/** An RSA key and self-signed certificate, made once per name per test process. */
export function rsaKey(name: 'sp' | 'sp-next' | 'attacker' | 'weak' | 'metadata-signer', bits = name === 'weak' ? 1024 : 2048): Promise<TestKey> {
  const id = `${name}/${bits}`;
  let key = keys.get(id);
  if (!key) {
    key = generateWithOpenssl(name, bits);
    keys.set(id, key);
  }
  return key;
}

async function generateWithOpenssl(name: string, bits: number): Promise<TestKey> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-inbound-key-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    await run('openssl', ['req', '-x509', '-newkey', `rsa:${bits}`, '-nodes', '-sha256', '-days', '2',
      '-subj', `/CN=${name}`, '-keyout', keyFile, '-out', certFile]);
    const [privateKeyPem, certPem] = await Promise.all([readFile(keyFile, 'utf8'), readFile(certFile, 'utf8')]);
    const certDer = new X509Certificate(certPem).raw.toString('base64');
    return { bits, privateKeyPem, certPem, certDer };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function spApplication(signingCerts: string[], overrides: Partial<SsoApplication> = {}): SsoApplication {
  return {
    entityId: SP_ENTITY_ID,
    signingCerts,
    authnRequestsSigned: false,
    acs: [
      { url: SP_ACS, binding: POST, index: 0, isDefault: true },
      { url: SP_ACS_2, binding: POST, index: 1 },
      { url: 'https://sp.example.com/saml/acs-redirect', binding: REDIRECT, index: 2 },
    ],
    ...overrides,
  };
}

/** A finder for acceptAuthnRequest/acceptLogoutRequest that knows exactly these applications. */
export function finder<A extends { entityId: string }>(...apps: A[]): (entityId: string) => A | undefined {
  return (entityId) => apps.find((a) => a.entityId === entityId);
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

let counter = 0;
export function newId(): string {
  counter += 1;
  return `_req${process.pid}x${counter}x${Date.now()}`;
}

export interface AuthnRequestFields {
  id?: string;
  issueInstant?: string;
  issuer?: string;
  destination?: string | null;
  acsUrl?: string | null;
  acsIndex?: number;
  protocolBinding?: string | null;
  forceAuthn?: boolean;
  isPassive?: boolean;
  nameIdFormat?: string;
  /** Raw XML placed after Issuer (and after the signature, once signed). */
  inner?: string;
}

export function authnRequestXml(f: AuthnRequestFields = {}): string {
  const attrs: string[] = [
    `ID="${escapeXml(f.id ?? newId())}"`,
    'Version="2.0"',
    `IssueInstant="${f.issueInstant ?? new Date().toISOString()}"`,
  ];
  if (f.destination !== null) attrs.push(`Destination="${escapeXml(f.destination ?? IDP_SSO_URL)}"`);
  if (f.acsUrl !== null && f.acsIndex === undefined) attrs.push(`AssertionConsumerServiceURL="${escapeXml(f.acsUrl ?? SP_ACS)}"`);
  if (f.acsIndex !== undefined) attrs.push(`AssertionConsumerServiceIndex="${f.acsIndex}"`);
  if (f.protocolBinding !== null && f.acsIndex === undefined) attrs.push(`ProtocolBinding="${f.protocolBinding ?? POST}"`);
  if (f.forceAuthn) attrs.push('ForceAuthn="true"');
  if (f.isPassive) attrs.push('IsPassive="true"');
  return `<samlp:AuthnRequest xmlns:samlp="${NS_SAMLP}" xmlns:saml="${NS_SAML}" ${attrs.join(' ')}>`
    + `<saml:Issuer>${escapeXml(f.issuer ?? SP_ENTITY_ID)}</saml:Issuer>`
    + (f.inner ?? '')
    + `<samlp:NameIDPolicy Format="${f.nameIdFormat ?? 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'}" AllowCreate="true"/>`
    + '</samlp:AuthnRequest>';
}

export interface LogoutRequestFields {
  id?: string;
  issueInstant?: string;
  issuer?: string;
  destination?: string | null;
  nameId?: string;
  sessionIndexes?: string[];
  notOnOrAfter?: string;
  inner?: string;
}

export function logoutRequestXml(f: LogoutRequestFields = {}): string {
  const attrs = [
    `ID="${escapeXml(f.id ?? newId())}"`,
    'Version="2.0"',
    `IssueInstant="${f.issueInstant ?? new Date().toISOString()}"`,
  ];
  if (f.destination !== null) attrs.push(`Destination="${escapeXml(f.destination ?? IDP_SLO_URL)}"`);
  if (f.notOnOrAfter) attrs.push(`NotOnOrAfter="${f.notOnOrAfter}"`);
  return `<samlp:LogoutRequest xmlns:samlp="${NS_SAMLP}" xmlns:saml="${NS_SAML}" ${attrs.join(' ')}>`
    + `<saml:Issuer>${escapeXml(f.issuer ?? SP_ENTITY_ID)}</saml:Issuer>`
    + (f.inner ?? '')
    + `<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${f.nameId ?? 'alice@example.com'}</saml:NameID>`
    + (f.sessionIndexes ?? ['_session1']).map((s) => `<samlp:SessionIndex>${escapeXml(s)}</samlp:SessionIndex>`).join('')
    + '</samlp:LogoutRequest>';
}

export interface SignOptions {
  signatureAlgorithm?: string;
  digestAlgorithm?: string;
  canonicalization?: string;
  transforms?: string[];
  /** Put this certificate in KeyInfo (verifiers must ignore it). */
  keyInfoCertPem?: string;
  /** Place the signature first in the root (metadata) rather than after Issuer (messages). */
  first?: boolean;
}

/** An enveloped signature over the root element, placed right after Issuer, as SPs do it. */
export function signEnveloped(xml: string, key: TestKey, o: SignOptions = {}): string {
  const signer = new SignedXml({
    privateKey: key.privateKeyPem,
    ...(o.keyInfoCertPem ? { publicCert: o.keyInfoCertPem } : {}),
    signatureAlgorithm: o.signatureAlgorithm ?? RSA_SHA256,
    canonicalizationAlgorithm: o.canonicalization ?? EXC_C14N,
  });
  signer.addReference({
    xpath: '/*',
    transforms: o.transforms ?? [ENVELOPED, EXC_C14N],
    digestAlgorithm: o.digestAlgorithm ?? SHA256,
  });
  signer.computeSignature(xml, {
    prefix: 'ds',
    location: o.first ? { reference: '/*', action: 'prepend' } : { reference: "/*/*[local-name(.)='Issuer']", action: 'after' },
  });
  return signer.getSignedXml();
}

/** SP metadata signed as a federation signs it: an enveloped signature, first in the EntityDescriptor (which needs an ID). */
export function signMetadata(xml: string, key: TestKey, o: Omit<SignOptions, 'first'> = {}): string {
  return signEnveloped(xml, key, { ...o, first: true });
}

/** The HTTP-POST form an SP's browser page submits. */
export function postForm(xml: string, relayState?: string): Record<string, string> {
  return { SAMLRequest: Buffer.from(xml, 'utf8').toString('base64'), ...(relayState !== undefined ? { RelayState: relayState } : {}) };
}

export interface RedirectOptions {
  relayState?: string;
  key?: TestKey;
  sigAlg?: string;
}

/** The raw query string of an HTTP-Redirect message, signed over the exact octets it sends. */
export function redirectQuery(xml: string, o: RedirectOptions = {}): string {
  return redirectQueryFromDeflated(deflateRawSync(Buffer.from(xml, 'utf8')), o);
}

export function redirectQueryFromDeflated(deflated: Buffer, o: RedirectOptions = {}): string {
  let query = `SAMLRequest=${encodeURIComponent(deflated.toString('base64'))}`;
  if (o.relayState !== undefined) query += `&RelayState=${encodeURIComponent(o.relayState)}`;
  if (o.key) {
    const sigAlg = o.sigAlg ?? RSA_SHA256;
    query += `&SigAlg=${encodeURIComponent(sigAlg)}`;
    const hash = sigAlg === RSA_SHA1 ? 'sha1' : sigAlg === RSA_SHA512 ? 'sha512' : 'sha256';
    const signature = sign(hash, Buffer.from(query, 'utf8'), o.key.privateKeyPem);
    query += `&Signature=${encodeURIComponent(signature.toString('base64'))}`;
  }
  return query;
}

/** @node-saml/node-saml configured as the SP that Gatehouse serves. */
export function nodeSamlSp(key: TestKey | undefined, overrides: Partial<ConstructorParameters<typeof SAML>[0]> = {}): SAML {
  return new SAML({
    issuer: SP_ENTITY_ID,
    callbackUrl: SP_ACS,
    entryPoint: IDP_SSO_URL,
    logoutUrl: IDP_SLO_URL,
    idpCert: IDP_PLACEHOLDER_CERT,
    ...(key ? { privateKey: key.privateKeyPem, signatureAlgorithm: 'sha256' as const, digestAlgorithm: 'sha256' as const } : {}),
    ...overrides,
  });
}

// node-saml insists on an IdP certificate even for building requests; it never uses it here.
const IDP_PLACEHOLDER_CERT = 'MIIBplaceholder';

export interface MetadataFields {
  entityId?: string;
  /** The EntityDescriptor's ID attribute (a signature references it). */
  id?: string;
  acs?: Array<{ url: string; binding?: string; index: number; isDefault?: boolean }>;
  signingCertDer?: string;
  encryptionCertDer?: string;
  authnRequestsSigned?: boolean;
  wantAssertionsSigned?: boolean;
  slo?: { url: string; binding?: string };
  validUntil?: string;
  cacheDuration?: string;
  prolog?: string;
  /** Raw XML inserted inside SPSSODescriptor. */
  inner?: string;
}

export function spMetadataXml(f: MetadataFields = {}): string {
  const key = (use: string, der: string | undefined) => der === undefined ? '' :
    `<md:KeyDescriptor use="${use}"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${der}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
  const acs = (f.acs ?? [{ url: SP_ACS, index: 0, isDefault: true }]).map((a) =>
    `<md:AssertionConsumerService Binding="${a.binding ?? POST}" Location="${escapeXml(a.url)}" index="${a.index}"${a.isDefault === undefined ? '' : ` isDefault="${a.isDefault}"`}/>`).join('');
  const rootAttrs = [
    `entityID="${escapeXml(f.entityId ?? SP_ENTITY_ID)}"`,
    ...(f.id ? [`ID="${f.id}"`] : []),
    ...(f.validUntil ? [`validUntil="${f.validUntil}"`] : []),
    ...(f.cacheDuration ? [`cacheDuration="${f.cacheDuration}"`] : []),
  ];
  return (f.prolog ?? '<?xml version="1.0" encoding="UTF-8"?>\n')
    + `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" ${rootAttrs.join(' ')}>\n`
    + `  <md:SPSSODescriptor protocolSupportEnumeration="${NS_SAMLP}" AuthnRequestsSigned="${f.authnRequestsSigned ?? false}" WantAssertionsSigned="${f.wantAssertionsSigned ?? true}">\n`
    + `    ${key('signing', f.signingCertDer)}${key('encryption', f.encryptionCertDer)}\n`
    + (f.slo ? `    <md:SingleLogoutService Binding="${f.slo.binding ?? REDIRECT}" Location="${escapeXml(f.slo.url)}"/>\n` : '')
    + '    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>\n'
    + `    ${acs}\n`
    + (f.inner ?? '')
    + '  </md:SPSSODescriptor>\n'
    + '</md:EntityDescriptor>\n';
}

/**
 * Runs `action` and returns the InboundRejection it threw (sync or async); fails the test if it
 * did not throw one. Every rejection must also be a ValidationError (bad input, nothing changed).
 */
export async function rejectionOf(action: () => unknown): Promise<InboundRejection> {
  let outcome: unknown;
  try {
    outcome = await action();
  } catch (e) {
    if (e instanceof InboundRejection && e instanceof ValidationError) return e;
    throw new Error(`expected an InboundRejection, got ${String(e)}`, { cause: e });
  }
  throw new Error(`expected an InboundRejection, but it succeeded with ${JSON.stringify(outcome)?.slice(0, 300)}`);
}

/** The <ds:Signature> element of a signed message, as text, and the message without it. */
export function splitSignature(signedXml: string): { signature: string; unsigned: string } {
  const start = signedXml.indexOf('<ds:Signature');
  const endTag = '</ds:Signature>';
  const end = signedXml.indexOf(endTag, start) + endTag.length;
  if (start < 0 || end < endTag.length) throw new Error('no ds:Signature in the message');
  return { signature: signedXml.slice(start, end), unsigned: signedXml.slice(0, start) + signedXml.slice(end) };
}

/** What a verifier that trusts xml-crypto alone would conclude (the naive check samlify-style code does). */
export function naiveSignatureCheck(xml: string, certPem: string): boolean {
  const verifier = new SignedXml({ publicCert: certPem });
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const signature = verifier.findSignatures(doc as unknown as Parameters<SignedXml['findSignatures']>[0])[0];
  if (!signature) return false;
  verifier.loadSignature(signature);
  try {
    return verifier.checkSignature(xml);
  } catch {
    return false;
  }
}
