// Single Logout messages we send (SAML Core §3.7; SAML Profiles §4.4; SAML2Int IDP26/IDP30:
// requests and responses are signed), and the reading of a LogoutResponse an application sends
// back to us. Outbound messages are written in Exclusive C14N form (as response.ts), so the
// HTTP-POST form carries an enveloped signature computed over our own bytes; the HTTP-Redirect
// form carries no XML signature but a query-string signature over
// `SAMLRequest=…&RelayState=…&SigAlg=…` (SAML Bindings §3.4.4.1).
//
// Inbound LogoutResponses go through the same decoding (bindings.ts), signature checks
// (receive.ts authenticateMessage: only the application's stored certificates, the root-level
// signature only) and header reader as requests do.

import { sign } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import type { Element } from '@xmldom/xmldom';
import { attribute, optionalChild, requiredChild } from './inbound/dom.ts';
import type { InboundMessage } from './inbound/bindings.ts';
import { NS_SAMLP as IN_NS_SAMLP } from './inbound/names.ts';
import { authenticateMessage } from './inbound/receive.ts';
import { InboundRejection } from './inbound/rejection.ts';
import { assertRoot, readIssuer, readRequestHeader, type RequestReadOptions } from './inbound/request-header.ts';
import { envelopedSignature, type SamlSigningKey } from './enveloped-signature.ts';
import { ALG_RSA_SHA256, NS_SAML, NS_SAMLP, STATUS_SUCCESS } from './namespaces.ts';
import { newSamlId, samlInstant } from './saml-id.ts';
import { xmlAttr, xmlText } from './xml-escape.ts';

/** How long a LogoutRequest we send stays valid (NotOnOrAfter). */
export const LOGOUT_REQUEST_VALIDITY_SECONDS = 300;

/** A message written in canonical form, split where an enveloped signature would go. */
export interface OutboundMessage {
  id: string;
  /** Up to and including <saml:Issuer>. */
  head: string;
  tail: string;
}

export interface LogoutRequestInput {
  issuer: string;
  /** The application's SingleLogoutService URL. */
  destination: string;
  /** The NameID exactly as we issued it to this application. */
  nameId: string;
  nameIdFormat: string;
  sessionIndex?: string;
  now: Date;
  /** Why (SAML Core §3.7.3), e.g. urn:oasis:names:tc:SAML:2.0:logout:user. */
  reason?: string;
}

export const LOGOUT_REASON_USER = 'urn:oasis:names:tc:SAML:2.0:logout:user';

export function logoutRequestMessage(input: LogoutRequestInput): OutboundMessage {
  const id = newSamlId();
  const notOnOrAfter = new Date(input.now.getTime() + LOGOUT_REQUEST_VALIDITY_SECONDS * 1000);
  const reason = input.reason === undefined ? '' : ` Reason="${xmlAttr(input.reason, 'reason')}"`;
  const head =
    `<samlp:LogoutRequest xmlns:samlp="${NS_SAMLP}" Destination="${xmlAttr(input.destination, 'destination')}" ID="${id}" IssueInstant="${samlInstant(input.now)}" NotOnOrAfter="${samlInstant(notOnOrAfter)}"${reason} Version="2.0">` +
    `<saml:Issuer xmlns:saml="${NS_SAML}">${xmlText(input.issuer, 'issuer')}</saml:Issuer>`;
  const tail =
    `<saml:NameID xmlns:saml="${NS_SAML}" Format="${xmlAttr(input.nameIdFormat, 'nameIdFormat')}">${xmlText(input.nameId, 'nameId')}</saml:NameID>` +
    (input.sessionIndex === undefined ? '' : `<samlp:SessionIndex>${xmlText(input.sessionIndex, 'sessionIndex')}</samlp:SessionIndex>`) +
    `</samlp:LogoutRequest>`;
  return { id, head, tail };
}

export interface LogoutResponseInput {
  issuer: string;
  destination: string;
  inResponseTo: string;
  /** Top-level StatusCode; Success by default. */
  status?: string;
  subStatus?: string;
  message?: string;
  now: Date;
}

export function logoutResponseMessage(input: LogoutResponseInput): OutboundMessage {
  const id = newSamlId();
  const sub = input.subStatus === undefined ? '' : `<samlp:StatusCode Value="${xmlAttr(input.subStatus, 'subStatus')}"></samlp:StatusCode>`;
  const message = input.message === undefined ? '' : `<samlp:StatusMessage>${xmlText(input.message, 'message')}</samlp:StatusMessage>`;
  const head =
    `<samlp:LogoutResponse xmlns:samlp="${NS_SAMLP}" Destination="${xmlAttr(input.destination, 'destination')}" ID="${id}" InResponseTo="${xmlAttr(input.inResponseTo, 'inResponseTo')}" IssueInstant="${samlInstant(input.now)}" Version="2.0">` +
    `<saml:Issuer xmlns:saml="${NS_SAML}">${xmlText(input.issuer, 'issuer')}</saml:Issuer>`;
  const tail =
    `<samlp:Status><samlp:StatusCode Value="${xmlAttr(input.status ?? STATUS_SUCCESS, 'status')}">${sub}</samlp:StatusCode>${message}</samlp:Status>` +
    `</samlp:LogoutResponse>`;
  return { id, head, tail };
}

/** HTTP-POST binding: the signed message, base64 (the form field's value). */
export function signedPostValue(message: OutboundMessage, key: SamlSigningKey): string {
  const xml = message.head + envelopedSignature(message.id, message.head, message.tail, key) + message.tail;
  return Buffer.from(xml, 'utf8').toString('base64');
}

/**
 * HTTP-Redirect binding: `endpoint` with the DEFLATEd message, RelayState, SigAlg and the
 * RSA-SHA256 query-string Signature appended (SAML Bindings §3.4.4.1).
 */
export function signedRedirectUrl(
  endpoint: string,
  parameter: 'SAMLRequest' | 'SAMLResponse',
  message: OutboundMessage,
  relayState: string | undefined,
  key: SamlSigningKey,
): string {
  const deflated = deflateRawSync(Buffer.from(message.head + message.tail, 'utf8'));
  let query = `${parameter}=${encodeURIComponent(deflated.toString('base64'))}`;
  if (relayState !== undefined) query += `&RelayState=${encodeURIComponent(relayState)}`;
  query += `&SigAlg=${encodeURIComponent(ALG_RSA_SHA256)}`;
  const signature = sign('sha256', Buffer.from(query, 'utf8'), key.privateKey);
  query += `&Signature=${encodeURIComponent(signature.toString('base64'))}`;
  return `${endpoint}${endpoint.includes('?') ? '&' : '?'}${query}`;
}

export interface InboundLogoutResponse {
  id: string;
  issuer: string;
  inResponseTo?: string;
  status: string;
  subStatus?: string;
  signed: boolean;
}

/** The Issuer a LogoutResponse claims, unauthenticated: only for finding whose certificates apply. */
export function claimedLogoutResponseIssuer(message: InboundMessage): string {
  const root = message.document.documentElement!;
  assertRoot(root, 'LogoutResponse');
  return readIssuer(root, 'LogoutResponse');
}

/**
 * Authenticates a LogoutResponse with the application's stored certificates and reads it from
 * the authenticated root. A signature that is present must verify; whether an unsigned response
 * is acceptable is the caller's decision (`signed`). The signed Issuer must be `entityId`.
 */
export function readLogoutResponse(message: InboundMessage, entityId: string, certificates: readonly string[], options: Omit<RequestReadOptions, 'requireDestination'> = {}): InboundLogoutResponse {
  if (message.parameter !== 'SAMLResponse') throw new InboundRejection('bad-parameters', 'Expected a SAMLResponse carrying a LogoutResponse');
  const check = authenticateMessage(message, certificates, 'LogoutResponse');
  const root = check.root;
  const header = readRequestHeader(root, 'LogoutResponse', { ...options, requireDestination: check.signed });
  if (header.issuer !== entityId) {
    throw new InboundRejection('issuer-mismatch', 'The LogoutResponse\'s Issuer is not the application it was checked against');
  }
  const inResponseTo = attribute(root, 'InResponseTo');
  const { status, subStatus } = readStatus(root);
  return {
    id: header.id,
    issuer: header.issuer,
    ...(inResponseTo !== undefined ? { inResponseTo } : {}),
    status,
    ...(subStatus !== undefined ? { subStatus } : {}),
    signed: check.signed,
  };
}

function readStatus(root: Element): { status: string; subStatus?: string } {
  const status = requiredChild(root, IN_NS_SAMLP, 'Status', 'message-invalid', 'LogoutResponse');
  const code = requiredChild(status, IN_NS_SAMLP, 'StatusCode', 'message-invalid', 'LogoutResponse Status');
  const value = attribute(code, 'Value');
  if (!value) throw new InboundRejection('message-invalid', 'The LogoutResponse StatusCode has no Value');
  const sub = optionalChild(code, IN_NS_SAMLP, 'StatusCode', 'message-invalid', 'LogoutResponse StatusCode');
  const subValue = sub ? attribute(sub, 'Value') : undefined;
  return { status: value, ...(subValue ? { subStatus: subValue } : {}) };
}
