// What every SAML request carries (RequestAbstractType, SAML Core §3.2.1), read from the root
// element the caller trusts: the signed root when the message was signed, else the received one.

import type { Element } from '@xmldom/xmldom';
import { attribute, isNamed, optionalChild, simpleText } from './dom.ts';
import { NAMEID_FORMAT_ENTITY, NS_SAML, NS_SAMLP } from './names.ts';
import { InboundRejection, quote } from './rejection.ts';
import { DEFAULT_CLOCK_SKEW_SECONDS, assertWithinSkew, parseSamlDateTime } from './saml-time.ts';

export interface RequestReadOptions {
  now?: Date;
  /** Allowed clock difference with the SP, both ways (SAML2Int G01: 3–5 min). Default 180 s. */
  clockSkewSeconds?: number;
  /** Our endpoint URL(s) this message may be addressed to; Destination must be one of them when present. */
  expectedDestination?: string | readonly string[];
  /**
   * Destination must be present (SAML Bindings §3.4.5.2 / §3.5.5.2 require it on signed
   * messages); set by the caller for signed messages.
   */
  requireDestination?: boolean;
}

export interface RequestHeader {
  id: string;
  issueInstant: Date;
  destination?: string;
  /** The SP's entity id (SAML Core §2.2.5; SAML Profiles §4.1.4.1 requires it on AuthnRequest). */
  issuer: string;
}

/** xs:ID (an NCName), restricted to ASCII and bounded: it becomes a replay-cache key and InResponseTo. */
const REQUEST_ID = /^[A-Za-z_][A-Za-z0-9_.-]{0,255}$/;
/** SAML Core §8.3.6: an entity identifier is at most 1024 characters. */
export const MAX_ENTITY_ID_LENGTH = 1024;

export function assertRoot(root: Element, localName: string): void {
  if (!isNamed(root, NS_SAMLP, localName)) {
    throw new InboundRejection('message-invalid', `Expected a <samlp:${localName}> in the SAML 2.0 protocol namespace, got <${root.localName}> in ${quote(root.namespaceURI ?? '(no namespace)')}`);
  }
}

export function readRequestHeader(root: Element, localName: string, options: RequestReadOptions = {}): RequestHeader {
  assertRoot(root, localName);
  const what = localName;
  const version = attribute(root, 'Version');
  if (version !== '2.0') {
    throw new InboundRejection('message-invalid', `The ${what} has Version ${quote(version ?? '(none)')}; only SAML 2.0 is accepted`);
  }
  const id = attribute(root, 'ID') ?? '';
  if (!REQUEST_ID.test(id)) {
    throw new InboundRejection('message-invalid', `The ${what} ID ${quote(id)} is missing or not a valid identifier (xs:ID, at most 256 characters)`);
  }
  const instantText = attribute(root, 'IssueInstant');
  if (instantText === undefined) throw new InboundRejection('message-invalid', `The ${what} has no IssueInstant`);
  const issueInstant = parseSamlDateTime(instantText, `${what} IssueInstant`);
  assertWithinSkew(issueInstant, options.now ?? new Date(), options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS, `${what} IssueInstant`);

  const destination = attribute(root, 'Destination');
  if (options.expectedDestination !== undefined) {
    const allowed = typeof options.expectedDestination === 'string' ? [options.expectedDestination] : options.expectedDestination;
    if (destination === undefined ? options.requireDestination : !allowed.includes(destination)) {
      throw new InboundRejection('wrong-destination', destination === undefined
        ? `The signed ${what} has no Destination (SAML Bindings §3.4.5.2)`
        : `The ${what} is addressed to ${quote(destination)}, not to this identity provider`);
    }
  }

  return { id, issueInstant, ...(destination !== undefined ? { destination } : {}), issuer: readIssuer(root, what) };
}

/** The Issuer value, for looking the application up; it must be an entity id. */
export function readIssuer(root: Element, what: string): string {
  const issuer = optionalChild(root, NS_SAML, 'Issuer', 'message-invalid', what);
  if (!issuer) throw new InboundRejection('message-invalid', `The ${what} has no <Issuer>; it must name the service provider`);
  const format = attribute(issuer, 'Format');
  if (format !== undefined && format !== NAMEID_FORMAT_ENTITY) {
    throw new InboundRejection('message-invalid', `The ${what} Issuer has Format ${quote(format)}; it must be an entity id (${NAMEID_FORMAT_ENTITY})`);
  }
  const value = simpleText(issuer, 'message-invalid', `${what} Issuer`);
  if (value === '' || value.length > MAX_ENTITY_ID_LENGTH) {
    throw new InboundRejection('message-invalid', `The ${what} Issuer must be an entity id of 1 to ${MAX_ENTITY_ID_LENGTH} characters`);
  }
  return value;
}
