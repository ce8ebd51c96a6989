// Accepting an SP's AuthnRequest or LogoutRequest: the order of checks is the security here.
//
// 1. The binding was decoded and the XML safely parsed (bindings.ts) by the caller.
// 2. The *claimed* Issuer is read from the unauthenticated message only to find which
//    application's certificates to use; the caller looks it up (an unknown Issuer is refused).
//    AWS's sign-in audience is refused before any lookup: no application may answer to it
//    (reserved-names.ts), whatever the store holds.
// 3. The message is authenticated with that application's stored certificates: the query-string
//    signature for HTTP-Redirect, the single root-level enveloped signature for HTTP-POST
//    (signed-message.ts). A present signature that fails is refused even if none was required
//    (SAML2Int IDP05); a missing one is refused when the application requires signing (IDP04).
// 4. Every value is read from the authenticated root (for POST, the re-parsed signed bytes), and
//    the Issuer read there must be the application's entity id, exactly.
// 5. For an AuthnRequest, the ACS is resolved against the application's metadata (acs.ts).
// Replay (request ids seen before) is the caller's to check with its shared cache, using
// `request.id` and `request.issueInstant` from the result.

import type { Element } from '@xmldom/xmldom';
import { isAwsSignInAudience } from '../reserved-names.ts';
import { resolveAcs, type AcsEndpoint } from './acs.ts';
import { readAuthnRequest, type AuthnRequest } from './authn-request.ts';
import type { InboundMessage } from './bindings.ts';
import { readLogoutRequest, type LogoutRequest } from './logout-request.ts';
import { NS_SAMLP } from './names.ts';
import { verifyRedirectSignature } from './redirect-signature.ts';
import { InboundRejection, quote } from './rejection.ts';
import { assertRoot, readIssuer, type RequestReadOptions } from './request-header.ts';
import { findSignatureElements, verifyEnvelopedSignature, type SignatureCheck } from './signed-message.ts';

/** What the caller knows about the application the Issuer names (from its stored metadata). */
export interface InboundApplication {
  entityId: string;
  /** PEM certificates from the SP's metadata (several during key rollover, SAML2Int IDP32). */
  signingCerts: readonly string[];
}

export interface SsoApplication extends InboundApplication {
  /** SPSSODescriptor AuthnRequestsSigned. */
  authnRequestsSigned: boolean;
  acs: readonly AcsEndpoint[];
}

export interface AcceptOptions<A> extends Omit<RequestReadOptions, 'requireDestination'> {
  /** Looks the claimed Issuer up; undefined when no such application exists. */
  findApplication(entityId: string): A | undefined | Promise<A | undefined>;
}

export interface AcceptedAuthnRequest<A> {
  request: AuthnRequest;
  application: A;
  /** Where the Response goes: always an HTTP-POST endpoint from the application's metadata. */
  acs: AcsEndpoint;
  signed: boolean;
  relayState?: string;
}

export interface AcceptedLogoutRequest<A> {
  request: LogoutRequest;
  application: A;
  signed: boolean;
  relayState?: string;
}

export async function acceptAuthnRequest<A extends SsoApplication>(message: InboundMessage, options: AcceptOptions<A>): Promise<AcceptedAuthnRequest<A>> {
  const { application, check } = await authenticateRequest(message, 'AuthnRequest', options);
  if (!check.signed && application.authnRequestsSigned) {
    throw new InboundRejection('signature-required', `The AuthnRequest is not signed, but application ${quote(application.entityId)} requires signed requests (AuthnRequestsSigned)`);
  }
  const request = readAuthnRequest(check.root, { ...options, requireDestination: check.signed });
  assertSameIssuer(request.issuer, application);
  return {
    request,
    application,
    acs: resolveAcs(application.acs, request),
    signed: check.signed,
    ...(message.relayState !== undefined ? { relayState: message.relayState } : {}),
  };
}

export interface AcceptLogoutOptions<A> extends AcceptOptions<A> {
  /** SAML2Int IDP26: logout requests are signed. Default true; tests and lenient setups may relax it. */
  requireSignature?: boolean;
}

export async function acceptLogoutRequest<A extends InboundApplication>(message: InboundMessage, options: AcceptLogoutOptions<A>): Promise<AcceptedLogoutRequest<A>> {
  const { application, check } = await authenticateRequest(message, 'LogoutRequest', options);
  if (!check.signed && (options.requireSignature ?? true)) {
    throw new InboundRejection('signature-required', `The LogoutRequest from ${quote(application.entityId)} is not signed; logout requests must be signed`);
  }
  const request = readLogoutRequest(check.root, { ...options, requireDestination: check.signed });
  assertSameIssuer(request.issuer, application);
  return {
    request,
    application,
    signed: check.signed,
    ...(message.relayState !== undefined ? { relayState: message.relayState } : {}),
  };
}

/**
 * The Issuer a message *claims*, unauthenticated: use it only to look up the application whose
 * certificates will authenticate the message.
 */
export function claimedIssuer(message: InboundMessage, localName: 'AuthnRequest' | 'LogoutRequest'): string {
  const root = message.document.documentElement!;
  assertRoot(root, localName);
  return readIssuer(root, localName);
}

async function authenticateRequest<A extends InboundApplication>(
  message: InboundMessage,
  localName: 'AuthnRequest' | 'LogoutRequest',
  options: AcceptOptions<A>,
): Promise<{ application: A; check: SignatureCheck }> {
  if (message.parameter !== 'SAMLRequest') {
    throw new InboundRejection('bad-parameters', `Expected a SAMLRequest carrying a ${localName}`);
  }
  const issuer = claimedIssuer(message, localName);
  if (isAwsSignInAudience(issuer)) {
    throw new InboundRejection('reserved-name', `The ${localName}'s Issuer ${quote(issuer)} is reserved for AWS sign-in, which never sends requests; no application answers to it`);
  }
  const application = await options.findApplication(issuer);
  if (!application) {
    throw new InboundRejection('unknown-issuer', `The ${localName}'s Issuer ${quote(issuer)} is not a registered application`);
  }
  return { application, check: authenticateMessage(message, application.signingCerts, localName) };
}

/** Authenticates per binding; see the file header for what each outcome means. */
export function authenticateMessage(message: InboundMessage, certificates: readonly string[], localName: string): SignatureCheck {
  const expected = { ns: NS_SAMLP, localName };
  if (message.binding === 'HTTP-POST') return verifyEnvelopedSignature(message, certificates, expected);

  const root: Element = message.document.documentElement!;
  assertRoot(root, localName);
  // SAML Bindings §3.4.4.1: the XML signature is removed before DEFLATE; the query string is signed.
  if (findSignatureElements(message.document).length > 0) {
    throw new InboundRejection('signature-structure', `An HTTP-Redirect ${localName} must not carry an XML signature (SAML Bindings §3.4.4.1); sign the query string instead`);
  }
  if (!message.redirectSignature) return { signed: false, root };
  verifyRedirectSignature(message.redirectSignature, certificates);
  return { signed: true, root };
}

function assertSameIssuer(signedIssuer: string, application: InboundApplication): void {
  if (signedIssuer !== application.entityId) {
    throw new InboundRejection('issuer-mismatch', `The request's Issuer ${quote(signedIssuer)} is not the entity id of the application it was checked against`);
  }
}
