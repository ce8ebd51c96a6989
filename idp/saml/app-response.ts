// The SAML Response for a custom application (SAML Profiles §4.1.4.2; SAML2Int IDP08–IDP11;
// docs/security.md: "What a Response looks like"): exactly one Assertion with one AuthnStatement, a bearer
// SubjectConfirmation whose Recipient is the ACS the Response is posted to, the application's
// entity id as the only Audience, InResponseTo when answering an AuthnRequest, and a validity
// of at most five minutes. Signed per the application's settings (Response, Assertion or both,
// never neither: when both are off the Response is signed), and the Assertion optionally
// encrypted to the SP (encrypted-assertion.ts), after its own signature, so the SP can verify it
// once decrypted.
//
// Written directly in Exclusive C14N form, like aws-response.ts (see enveloped-signature.ts for
// why): attributes in canonical order, no self-closing tags, namespace declarations where
// exc-c14n renders them, and every value escaped by xml-escape.ts, so no directory value can add
// or change an element. No xsi:type on AttributeValue: its `xs:` prefix would be used only in
// content, which exc-c14n does not count as use, and the declaration would break the digest.

import { ValidationError, type FieldProblem } from '../../model/errors.ts';
import { encryptAssertion } from './encrypted-assertion.ts';
import { envelopedSignature, type SamlSigningKey } from './enveloped-signature.ts';
import { AC_PASSWORD_PROTECTED_TRANSPORT, ATTRNAME_FORMAT_URI, CM_BEARER, NS_SAML, NS_SAMLP, STATUS_SUCCESS } from './namespaces.ts';
import { newSamlId, samlInstant } from './saml-id.ts';
import { xmlAttr, xmlText } from './xml-escape.ts';

/** Longest lifetime of an assertion (docs/security.md: "What a Response looks like"). */
export const MAX_ASSERTION_VALIDITY_SECONDS = 300;
const DEFAULT_NOT_BEFORE_SKEW_SECONDS = 60;

export const ATTRNAME_FORMAT_UNSPECIFIED = 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified';
export const ATTRNAME_FORMAT_BASIC = 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic';

// SAML Core §3.2.2.2 top-level and second-level status codes we send.
export const STATUS_REQUESTER = 'urn:oasis:names:tc:SAML:2.0:status:Requester';
export const STATUS_RESPONDER = 'urn:oasis:names:tc:SAML:2.0:status:Responder';
export const STATUS_NO_PASSIVE = 'urn:oasis:names:tc:SAML:2.0:status:NoPassive';
export const STATUS_INVALID_NAMEID_POLICY = 'urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy';
export const STATUS_REQUEST_DENIED = 'urn:oasis:names:tc:SAML:2.0:status:RequestDenied';

export interface SamlAttribute {
  name: string;
  /** Default: uri when the name looks like a URI (has a scheme), else unspecified. */
  nameFormat?: string;
  /** One AttributeValue each, in order; an attribute without values is left out. */
  values: string[];
}

export interface AppAssertionInput {
  /** Our entity id. */
  issuer: string;
  /** The application's entity id: the only Audience. */
  audience: string;
  /** The ACS URL the Response is posted to: SubjectConfirmationData Recipient and Response Destination. */
  recipient: string;
  /** The AuthnRequest ID, for SP-initiated sign-ins. */
  inResponseTo?: string;
  nameId: string;
  nameIdFormat: string;
  attributes: SamlAttribute[];
  /** When the person authenticated to the portal. */
  authnInstant: Date;
  /** The portal session's SessionIndex (single logout names the session with it). */
  sessionIndex: string;
  /** When the SP's session must end (AuthnStatement SessionNotOnOrAfter); omitted when undefined. */
  sessionNotOnOrAfter?: Date;
  now: Date;
  /** NotOnOrAfter = now + this; 1..300, default 300. */
  validitySeconds?: number;
  /** NotBefore = now - this (receivers whose clock runs behind); 0..300, default 60. */
  notBeforeSkewSeconds?: number;
  authnContextClassRef?: string;
}

export interface AppResponseOptions {
  signResponse: boolean;
  signAssertion: boolean;
  /** PEM certificate of the SP's encryption key: the Assertion is sent as an EncryptedAssertion. */
  encryptFor?: string;
}

export interface AppAssertion {
  id: string;
  /** Canonical, unsigned. */
  xml: string;
  notOnOrAfter: Date;
}

export interface AppResponse {
  /** base64 of the Response: the `SAMLResponse` form field. */
  samlResponse: string;
  xml: string;
  responseId: string;
  assertionId: string;
  notOnOrAfter: Date;
  signed: { response: boolean; assertion: boolean };
  encrypted: boolean;
}

interface AssertionParts {
  id: string;
  /** Up to and including <saml:Issuer>: where the signature goes. */
  head: string;
  tail: string;
  notOnOrAfter: Date;
}

/** The Assertion as the SP would read it, unsigned and unencrypted (the admin API's preview). */
export function buildAppAssertion(input: AppAssertionInput): AppAssertion {
  const parts = assertionParts(input);
  return { id: parts.id, xml: parts.head + parts.tail, notOnOrAfter: parts.notOnOrAfter };
}

/** Builds, signs and (when asked) encrypts. Throws ValidationError on input XML cannot carry. */
export function buildAppResponse(input: AppAssertionInput, options: AppResponseOptions, key: SamlSigningKey): AppResponse {
  const assertion = assertionParts(input);
  const signAssertion = options.signAssertion;
  // Never an unsigned Response around an unsigned Assertion (docs/security.md: "What a Response looks like").
  const signResponse = options.signResponse || !options.signAssertion;
  let assertionXml = signAssertion
    ? assertion.head + envelopedSignature(assertion.id, assertion.head, assertion.tail, key) + assertion.tail
    : assertion.head + assertion.tail;
  const encrypted = options.encryptFor !== undefined;
  if (options.encryptFor !== undefined) assertionXml = encryptAssertion(assertionXml, options.encryptFor);

  const { xml, responseId } = responseXml(
    { issuer: input.issuer, destination: input.recipient, inResponseTo: input.inResponseTo, now: input.now },
    `<samlp:Status><samlp:StatusCode Value="${STATUS_SUCCESS}"></samlp:StatusCode></samlp:Status>` + assertionXml,
    signResponse ? key : null,
  );
  return {
    samlResponse: Buffer.from(xml, 'utf8').toString('base64'),
    xml,
    responseId,
    assertionId: assertion.id,
    notOnOrAfter: assertion.notOnOrAfter,
    signed: { response: signResponse, assertion: signAssertion },
    encrypted,
  };
}

export interface StatusResponseInput {
  issuer: string;
  destination: string;
  inResponseTo?: string;
  /** Top-level code: Requester or Responder. */
  status: string;
  /** Second-level code, e.g. NoPassive. */
  subStatus?: string;
  /** Human-readable StatusMessage for the SP's logs. */
  message?: string;
  now: Date;
}

/** A signed Response without an assertion, reporting why there is none (SAML Core §3.2.2). */
export function buildStatusResponse(input: StatusResponseInput, key: SamlSigningKey): { samlResponse: string; xml: string; responseId: string } {
  const sub = input.subStatus === undefined ? '' : `<samlp:StatusCode Value="${xmlAttr(input.subStatus, 'subStatus')}"></samlp:StatusCode>`;
  const message = input.message === undefined ? '' : `<samlp:StatusMessage>${xmlText(input.message, 'message')}</samlp:StatusMessage>`;
  const status = `<samlp:Status><samlp:StatusCode Value="${xmlAttr(input.status, 'status')}">${sub}</samlp:StatusCode>${message}</samlp:Status>`;
  const { xml, responseId } = responseXml(input, status, key);
  return { samlResponse: Buffer.from(xml, 'utf8').toString('base64'), xml, responseId };
}

function responseXml(
  r: { issuer: string; destination: string; inResponseTo?: string | undefined; now: Date },
  body: string,
  key: SamlSigningKey | null,
): { xml: string; responseId: string } {
  const responseId = newSamlId();
  const inResponseTo = r.inResponseTo === undefined ? '' : ` InResponseTo="${xmlAttr(r.inResponseTo, 'inResponseTo')}"`;
  // The Issuer declares `saml` itself: exc-c14n renders a namespace on the first element that uses it.
  const head =
    `<samlp:Response xmlns:samlp="${NS_SAMLP}" Destination="${xmlAttr(r.destination, 'destination')}" ID="${responseId}"${inResponseTo} IssueInstant="${samlInstant(r.now)}" Version="2.0">` +
    `<saml:Issuer xmlns:saml="${NS_SAML}">${xmlText(r.issuer, 'issuer')}</saml:Issuer>`;
  const tail = `${body}</samlp:Response>`;
  const xml = key ? head + envelopedSignature(responseId, head, tail, key) + tail : head + tail;
  return { xml, responseId };
}

function assertionParts(input: AppAssertionInput): AssertionParts {
  validate(input);
  const validity = input.validitySeconds ?? MAX_ASSERTION_VALIDITY_SECONDS;
  const skew = input.notBeforeSkewSeconds ?? DEFAULT_NOT_BEFORE_SKEW_SECONDS;
  const nowMs = input.now.getTime();
  const notOnOrAfter = new Date(nowMs + validity * 1000);
  const notOnOrAfterText = samlInstant(notOnOrAfter);
  const id = newSamlId();
  const inResponseTo = input.inResponseTo === undefined ? '' : ` InResponseTo="${xmlAttr(input.inResponseTo, 'inResponseTo')}"`;
  const sessionEnd = input.sessionNotOnOrAfter === undefined ? '' : ` SessionNotOnOrAfter="${samlInstant(input.sessionNotOnOrAfter)}"`;

  const head =
    `<saml:Assertion xmlns:saml="${NS_SAML}" ID="${id}" IssueInstant="${samlInstant(input.now)}" Version="2.0">` +
    `<saml:Issuer>${xmlText(input.issuer, 'issuer')}</saml:Issuer>`;
  const tail =
    `<saml:Subject>` +
    `<saml:NameID Format="${xmlAttr(input.nameIdFormat, 'nameIdFormat')}">${xmlText(input.nameId, 'nameId')}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="${CM_BEARER}">` +
    `<saml:SubjectConfirmationData${inResponseTo} NotOnOrAfter="${notOnOrAfterText}" Recipient="${xmlAttr(input.recipient, 'recipient')}"></saml:SubjectConfirmationData>` +
    `</saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${samlInstant(new Date(nowMs - skew * 1000))}" NotOnOrAfter="${notOnOrAfterText}">` +
    `<saml:AudienceRestriction><saml:Audience>${xmlText(input.audience, 'audience')}</saml:Audience></saml:AudienceRestriction>` +
    `</saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${samlInstant(input.authnInstant)}" SessionIndex="${xmlAttr(input.sessionIndex, 'sessionIndex')}"${sessionEnd}>` +
    `<saml:AuthnContext><saml:AuthnContextClassRef>${xmlText(input.authnContextClassRef ?? AC_PASSWORD_PROTECTED_TRANSPORT, 'authnContextClassRef')}</saml:AuthnContextClassRef></saml:AuthnContext>` +
    `</saml:AuthnStatement>` +
    attributeStatement(input.attributes) +
    `</saml:Assertion>`;
  return { id, head, tail, notOnOrAfter };
}

/** uri for names with a scheme (`urn:…`, `https://…`), else unspecified (SAML Core §2.7.3.1). */
export function defaultNameFormat(name: string): string {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(name) ? ATTRNAME_FORMAT_URI : ATTRNAME_FORMAT_UNSPECIFIED;
}

function attributeStatement(attributes: SamlAttribute[]): string {
  const present = attributes.filter((a) => a.values.length > 0);
  if (present.length === 0) return '';
  let out = '<saml:AttributeStatement>';
  present.forEach((a, i) => {
    const field = `attributes.${i}`;
    out += `<saml:Attribute Name="${xmlAttr(a.name, `${field}.name`)}" NameFormat="${xmlAttr(a.nameFormat ?? defaultNameFormat(a.name), `${field}.nameFormat`)}">`;
    for (const v of a.values) out += `<saml:AttributeValue>${xmlText(v, `${field}.values`)}</saml:AttributeValue>`;
    out += '</saml:Attribute>';
  });
  return `${out}</saml:AttributeStatement>`;
}

function validate(input: AppAssertionInput): void {
  const problems: FieldProblem[] = [];
  const bad = (field: string, message: string) => problems.push({ field, message });
  if (input.issuer === '') bad('issuer', 'required');
  if (input.audience === '') bad('audience', 'required');
  if (!/^https?:\/\/\S+$/.test(input.recipient)) bad('recipient', 'must be an http(s) URL');
  if (input.nameId === '') bad('nameId', 'required');
  if (input.nameIdFormat === '') bad('nameIdFormat', 'required');
  if (input.sessionIndex === '') bad('sessionIndex', 'required');
  input.attributes.forEach((a, i) => {
    if (a.name === '') bad(`attributes.${i}.name`, 'required');
  });
  const validity = input.validitySeconds;
  if (validity !== undefined && !(Number.isInteger(validity) && validity >= 1 && validity <= MAX_ASSERTION_VALIDITY_SECONDS)) {
    bad('validitySeconds', `must be an integer from 1 to ${MAX_ASSERTION_VALIDITY_SECONDS}`);
  }
  const skew = input.notBeforeSkewSeconds;
  if (skew !== undefined && !(Number.isInteger(skew) && skew >= 0 && skew <= 300)) bad('notBeforeSkewSeconds', 'must be an integer from 0 to 300');
  for (const [field, date] of [['now', input.now], ['authnInstant', input.authnInstant], ['sessionNotOnOrAfter', input.sessionNotOnOrAfter]] as const) {
    if (date !== undefined && Number.isNaN(date.getTime())) bad(field, 'invalid date');
  }
  if (problems.length > 0) throw new ValidationError('Cannot build the SAML response', problems);
}
