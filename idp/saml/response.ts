// The one writer of SAML Responses that carry an Assertion (SAML Profiles §4.1.4.2; SAML2Int
// IDP08–IDP11; docs/security.md: "What a Response looks like"): exactly one Assertion with one
// AuthnStatement, a bearer SubjectConfirmation whose Recipient is the ACS the Response is posted
// to, one Audience, InResponseTo when answering an AuthnRequest, and a validity of at most five
// minutes. AWS accounts, external AWS account apps and custom applications differ only in the
// subject (NameID), the audience and recipient, and the attributes: aws-response.ts is the AWS
// profile over this writer, and custom applications call it directly. Signed per the caller's
// options (Response, Assertion or both, never neither: when both are off the Response is
// signed), and the Assertion optionally encrypted to the SP (encrypted-assertion.ts), after its
// own signature, so the SP can verify it once decrypted.
//
// Canonical by construction: everything is written directly in Exclusive C14N form, so the bytes
// we emit are the bytes a verifier digests and nothing is parsed or re-serialized before signing
// (enveloped-signature.ts says why). That means attributes in canonical order inside every start
// tag (namespace declarations first, then unqualified attributes by name: Canonical XML §2.2,
// "Document Order"), no self-closing tags, no whitespace between elements, namespace
// declarations exactly where exc-c14n renders them (on the first element that uses the prefix),
// and every value escaped by xml-escape.ts, so no directory value can add or change an element.
// No xsi:type on AttributeValue: its `xs:` prefix would be used only in content, which exc-c14n
// does not count as use, and the declaration would break the digest.

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
  /** What an error about this attribute calls it; default `attributes.<index>`. */
  field?: string;
}

export interface AssertionInput {
  /** Our entity id. */
  issuer: string;
  /** The relying party's entity id: the only Audience. */
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

export interface ResponseOptions {
  signResponse: boolean;
  signAssertion: boolean;
  /** PEM certificate of the SP's encryption key: the Assertion is sent as an EncryptedAssertion. */
  encryptFor?: string;
}

export interface Assertion {
  id: string;
  /** Canonical, unsigned. */
  xml: string;
  notOnOrAfter: Date;
}

export interface SamlResponse {
  /** base64 of the Response: the `SAMLResponse` form field. */
  samlResponse: string;
  /** The Response XML (UTF-8, canonical form). */
  xml: string;
  responseId: string;
  assertionId: string;
  notOnOrAfter: Date;
  signed: { response: boolean; assertion: boolean };
  encrypted: boolean;
}

/** What errors call each field of the input: a profile over this writer names them as its own input does. */
export type FieldNames = Readonly<Record<keyof AssertionInput, string>>;

/** The writer's own names. */
export const FIELD_NAMES: FieldNames = {
  issuer: 'issuer',
  audience: 'audience',
  recipient: 'recipient',
  inResponseTo: 'inResponseTo',
  nameId: 'nameId',
  nameIdFormat: 'nameIdFormat',
  attributes: 'attributes',
  authnInstant: 'authnInstant',
  sessionIndex: 'sessionIndex',
  sessionNotOnOrAfter: 'sessionNotOnOrAfter',
  now: 'now',
  validitySeconds: 'validitySeconds',
  notBeforeSkewSeconds: 'notBeforeSkewSeconds',
  authnContextClassRef: 'authnContextClassRef',
};

interface AssertionParts {
  id: string;
  /** Up to and including <saml:Issuer>: where the signature goes. */
  head: string;
  tail: string;
  notOnOrAfter: Date;
}

/** The Assertion as the SP would read it, unsigned and unencrypted (the admin API's preview). */
export function buildAssertion(input: AssertionInput): Assertion {
  refuseProblems(assertionProblems(input));
  const parts = assertionParts(input);
  return { id: parts.id, xml: parts.head + parts.tail, notOnOrAfter: parts.notOnOrAfter };
}

/** Builds, signs and (when asked) encrypts. Throws ValidationError on input XML cannot carry. */
export function buildResponse(input: AssertionInput, options: ResponseOptions, key: SamlSigningKey): SamlResponse {
  refuseProblems(assertionProblems(input));
  return writeResponse(input, options, key);
}

/**
 * What is wrong with `input` for any relying party, each problem named as the caller's own input
 * names the field (`names`). Profiles that refuse more (aws-response.ts) add their problems to
 * these and call writeResponse once none is left.
 */
export function assertionProblems(input: AssertionInput, names: FieldNames = FIELD_NAMES): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const bad = (field: string, message: string) => problems.push({ field, message });
  if (input.issuer === '') bad(names.issuer, 'required');
  if (input.audience === '') bad(names.audience, 'required');
  if (!/^https?:\/\/\S+$/.test(input.recipient)) bad(names.recipient, 'must be an http(s) URL');
  if (input.nameId === '') bad(names.nameId, 'required');
  if (input.nameIdFormat === '') bad(names.nameIdFormat, 'required');
  if (input.sessionIndex === '') bad(names.sessionIndex, 'required');
  for (let i = 0; i < input.attributes.length; i++) {
    if (input.attributes[i]!.name === '') bad(`${names.attributes}.${i}.name`, 'required');
  }
  const validity = input.validitySeconds;
  if (validity !== undefined && !(Number.isInteger(validity) && validity >= 1 && validity <= MAX_ASSERTION_VALIDITY_SECONDS)) {
    bad(names.validitySeconds, `must be an integer from 1 to ${MAX_ASSERTION_VALIDITY_SECONDS}`);
  }
  const skew = input.notBeforeSkewSeconds;
  if (skew !== undefined && !(Number.isInteger(skew) && skew >= 0 && skew <= 300)) bad(names.notBeforeSkewSeconds, 'must be an integer from 0 to 300');
  if (Number.isNaN(input.now.getTime())) bad(names.now, 'invalid date');
  if (Number.isNaN(input.authnInstant.getTime())) bad(names.authnInstant, 'invalid date');
  if (input.sessionNotOnOrAfter !== undefined && Number.isNaN(input.sessionNotOnOrAfter.getTime())) bad(names.sessionNotOnOrAfter, 'invalid date');
  return problems;
}

/** Throws the ValidationError every profile throws for input it refuses. */
export function refuseProblems(problems: FieldProblem[]): void {
  if (problems.length > 0) throw new ValidationError('Cannot build the SAML response', problems);
}

/**
 * Writes, signs and (when asked) encrypts input already checked with assertionProblems. Values
 * XML cannot carry still throw (xml-escape.ts), naming the field as `names` says.
 */
export function writeResponse(input: AssertionInput, options: ResponseOptions, key: SamlSigningKey, names: FieldNames = FIELD_NAMES): SamlResponse {
  const assertion = assertionParts(input, names);
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
    names,
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
  const { xml, responseId } = responseXml(input, status, key, STATUS_FIELD_NAMES);
  return { samlResponse: Buffer.from(xml, 'utf8').toString('base64'), xml, responseId };
}

const STATUS_FIELD_NAMES: FieldNames = { ...FIELD_NAMES, recipient: 'destination' };

function responseXml(
  r: { issuer: string; destination: string; inResponseTo?: string | undefined; now: Date },
  body: string,
  key: SamlSigningKey | null,
  names: FieldNames,
): { xml: string; responseId: string } {
  const responseId = newSamlId();
  const inResponseTo = r.inResponseTo === undefined ? '' : ` InResponseTo="${xmlAttr(r.inResponseTo, 'inResponseTo')}"`;
  // The Issuer declares `saml` itself: exc-c14n renders a namespace on the first element that
  // uses it, and the Response element does not.
  const head =
    `<samlp:Response xmlns:samlp="${NS_SAMLP}" Destination="${xmlAttr(r.destination, names.recipient)}" ID="${responseId}"${inResponseTo} IssueInstant="${samlInstant(r.now)}" Version="2.0">` +
    `<saml:Issuer xmlns:saml="${NS_SAML}">${xmlText(r.issuer, 'issuer')}</saml:Issuer>`;
  const tail = `${body}</samlp:Response>`;
  const xml = key ? head + envelopedSignature(responseId, head, tail, key) + tail : head + tail;
  return { xml, responseId };
}

function assertionParts(input: AssertionInput, names: FieldNames = FIELD_NAMES): AssertionParts {
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
    `<saml:Issuer>${xmlText(input.issuer, names.issuer)}</saml:Issuer>`;
  const tail =
    `<saml:Subject>` +
    `<saml:NameID Format="${xmlAttr(input.nameIdFormat, names.nameIdFormat)}">${xmlText(input.nameId, names.nameId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="${CM_BEARER}">` +
    `<saml:SubjectConfirmationData${inResponseTo} NotOnOrAfter="${notOnOrAfterText}" Recipient="${xmlAttr(input.recipient, names.recipient)}"></saml:SubjectConfirmationData>` +
    `</saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${samlInstant(new Date(nowMs - skew * 1000))}" NotOnOrAfter="${notOnOrAfterText}">` +
    `<saml:AudienceRestriction><saml:Audience>${xmlText(input.audience, names.audience)}</saml:Audience></saml:AudienceRestriction>` +
    `</saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${samlInstant(input.authnInstant)}" SessionIndex="${xmlAttr(input.sessionIndex, names.sessionIndex)}"${sessionEnd}>` +
    `<saml:AuthnContext><saml:AuthnContextClassRef>${xmlText(input.authnContextClassRef ?? AC_PASSWORD_PROTECTED_TRANSPORT, names.authnContextClassRef)}</saml:AuthnContextClassRef></saml:AuthnContext>` +
    `</saml:AuthnStatement>` +
    attributeStatement(input.attributes, names) +
    `</saml:Assertion>`;
  return { id, head, tail, notOnOrAfter };
}

/** uri for names with a scheme (`urn:…`, `https://…`), else unspecified (SAML Core §2.7.3.1). */
export function defaultNameFormat(name: string): string {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(name) ? ATTRNAME_FORMAT_URI : ATTRNAME_FORMAT_UNSPECIFIED;
}

function attributeStatement(attributes: SamlAttribute[], names: FieldNames): string {
  let out = '';
  for (let i = 0; i < attributes.length; i++) {
    const a = attributes[i]!;
    if (a.values.length === 0) continue;
    // An attribute a profile names (aws-response.ts) is reported by that name, whatever part is wrong.
    const field = a.field;
    out +=
      `<saml:Attribute Name="${xmlAttr(a.name, field ?? `${names.attributes}.${i}.name`)}" ` +
      `NameFormat="${xmlAttr(a.nameFormat ?? defaultNameFormat(a.name), field ?? `${names.attributes}.${i}.nameFormat`)}">`;
    for (const v of a.values) out += `<saml:AttributeValue>${xmlText(v, field ?? `${names.attributes}.${i}.values`)}</saml:AttributeValue>`;
    out += '</saml:Attribute>';
  }
  return out === '' ? '' : `<saml:AttributeStatement>${out}</saml:AttributeStatement>`;
}
