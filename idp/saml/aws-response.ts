// The signed SAML Response that federates a person into an AWS account's console (IdP-initiated
// POST to the account's sign-in endpoint): docs/aws-accounts.md, SAML2Int IDP09/IDP10,
// docs/security.md: "What a Response looks like". Exactly one Assertion; both the Response and the Assertion carry an
// enveloped RSA-SHA256 / exc-c14n signature, placed right after their Issuer as the SAML schema
// orders it (SAML Core §3.2.2 and §2.3.3).
//
// Everything is written directly in canonical form (see enveloped-signature.ts for why), with
// every value escaped by xml-escape.ts: no directory value can add or change an element.

import { ValidationError, type FieldProblem } from '../../model/errors.ts';
import { envelopedSignature, type SamlSigningKey } from './enveloped-signature.ts';
import {
  AC_PASSWORD_PROTECTED_TRANSPORT,
  ATTRNAME_FORMAT_URI,
  CM_BEARER,
  NAMEID_PERSISTENT,
  NS_SAML,
  NS_SAMLP,
  STATUS_SUCCESS,
} from './namespaces.ts';
import { ROLE_SESSION_NAME } from './role-session-name.ts';
import { newSamlId, samlInstant } from './saml-id.ts';
import { xmlAttr, xmlText } from './xml-escape.ts';

export const AWS_AUDIENCE = 'urn:amazon:webservices';
export const AWS_ATTR_ROLE = 'https://aws.amazon.com/SAML/Attributes/Role';
export const AWS_ATTR_ROLE_SESSION_NAME = 'https://aws.amazon.com/SAML/Attributes/RoleSessionName';
export const AWS_ATTR_SESSION_DURATION = 'https://aws.amazon.com/SAML/Attributes/SessionDuration';
export const AWS_ATTR_PRINCIPAL_TAG_PREFIX = 'https://aws.amazon.com/SAML/Attributes/PrincipalTag:';

/** Longest lifetime we give an assertion (docs/security.md: "What a Response looks like": five minutes or less). */
export const MAX_VALIDITY_SECONDS = 300;
const DEFAULT_CLOCK_SKEW_SECONDS = 60;

// IAM ARNs. Role names may contain ',' in IAM, but the Role attribute value is `role,provider`,
// so a comma in either ARN would change its meaning: refused (access/role-name.ts never makes one).
const ROLE_ARN = /^arn:(aws[\w-]*):iam::(\d{12}):role\/[\w+=.@/-]{1,576}$/;
const PROVIDER_ARN = /^arn:(aws[\w-]*):iam::(\d{12}):saml-provider\/[\w.-]{1,128}$/;
// STS session tags (docs/aws-accounts.md): at most 50, key ≤ 128 and value ≤ 256 characters;
// keys use the AWS tag-key alphabet. Values are free text here (escaped); AWS judges them.
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const MAX_TAGS = 50;
const MAX_TAG_VALUE = 256;

export interface AwsRolePair {
  /** `arn:aws:iam::<account>:role/gatehouse/<name>` (access/role-name.ts). */
  roleArn: string;
  /** `arn:aws:iam::<account>:saml-provider/<name>`, same account as the role. */
  providerArn: string;
}

export interface AwsSamlResponseInput {
  /** Our entity id (idp/saml/metadata.ts idpEntityId). */
  issuer: string;
  /** The account's sign-in endpoint (ACS): Response Destination and SubjectConfirmationData Recipient. */
  destination: string;
  /** Defaults to `urn:amazon:webservices`. */
  audience?: string;
  nameId: string;
  /** Defaults to persistent. */
  nameIdFormat?: string;
  /** One pair per permission set; several make the AWS sign-in page show its role chooser. */
  roles: AwsRolePair[];
  /** Must match [\w+=,.@-]{2,64}: see roleSessionNameFor. */
  roleSessionName: string;
  /** Console session length, 900..43200 seconds; omitted when undefined. */
  sessionDurationSeconds?: number;
  /** PrincipalTag:<key> = value, for attribute-based access control. */
  principalTags?: Record<string, string>;
  authnInstant: Date;
  /** The portal session this sign-in belongs to (AuthnStatement SessionIndex). */
  sessionIndex: string;
  now: Date;
  /** NotOnOrAfter = now + this; 1..300, default 300. */
  validitySeconds?: number;
  /** NotBefore = now - this, to tolerate a receiver's clock running behind; 0..300, default 60. */
  clockSkewSeconds?: number;
  /** For SP-initiated flows: the AuthnRequest ID. */
  inResponseTo?: string;
  /** Defaults to PasswordProtectedTransport. */
  authnContextClassRef?: string;
}

export interface AwsSamlResponse {
  /** base64 of the Response: the `SAMLResponse` form field. */
  samlResponse: string;
  /** The Response XML (UTF-8, canonical form). */
  xml: string;
  responseId: string;
  assertionId: string;
  notOnOrAfter: Date;
}

/** Builds and signs the Response. Throws ValidationError on input AWS would refuse or XML cannot carry. */
export function buildAwsSamlResponse(input: AwsSamlResponseInput, key: SamlSigningKey): AwsSamlResponse {
  validate(input);
  const validity = input.validitySeconds ?? MAX_VALIDITY_SECONDS;
  const skew = input.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  const nowMs = input.now.getTime();
  const notOnOrAfter = new Date(nowMs + validity * 1000);
  const issueInstant = samlInstant(input.now);
  const notOnOrAfterText = samlInstant(notOnOrAfter);
  const notBeforeText = samlInstant(new Date(nowMs - skew * 1000));
  const responseId = newSamlId();
  const assertionId = newSamlId();

  const issuer = xmlText(input.issuer, 'issuer');
  const destination = xmlAttr(input.destination, 'destination');
  const inResponseTo =
    input.inResponseTo === undefined ? '' : ` InResponseTo="${xmlAttr(input.inResponseTo, 'inResponseTo')}"`;

  // Attribute order inside every start tag is the canonical one: namespace declarations first,
  // then unqualified attributes by name (Canonical XML §2.2, "Document Order").
  const assertionHead =
    `<saml:Assertion xmlns:saml="${NS_SAML}" ID="${assertionId}" IssueInstant="${issueInstant}" Version="2.0">` +
    `<saml:Issuer>${issuer}</saml:Issuer>`;
  const assertionTail =
    `<saml:Subject>` +
    `<saml:NameID Format="${xmlAttr(input.nameIdFormat ?? NAMEID_PERSISTENT, 'nameIdFormat')}">${xmlText(input.nameId, 'nameId')}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="${CM_BEARER}">` +
    `<saml:SubjectConfirmationData${inResponseTo} NotOnOrAfter="${notOnOrAfterText}" Recipient="${destination}"></saml:SubjectConfirmationData>` +
    `</saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${notBeforeText}" NotOnOrAfter="${notOnOrAfterText}">` +
    `<saml:AudienceRestriction><saml:Audience>${xmlText(input.audience ?? AWS_AUDIENCE, 'audience')}</saml:Audience></saml:AudienceRestriction>` +
    `</saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${samlInstant(input.authnInstant)}" SessionIndex="${xmlAttr(input.sessionIndex, 'sessionIndex')}">` +
    `<saml:AuthnContext><saml:AuthnContextClassRef>${xmlText(input.authnContextClassRef ?? AC_PASSWORD_PROTECTED_TRANSPORT, 'authnContextClassRef')}</saml:AuthnContextClassRef></saml:AuthnContext>` +
    `</saml:AuthnStatement>` +
    attributeStatement(input) +
    `</saml:Assertion>`;
  const assertion =
    assertionHead + envelopedSignature(assertionId, assertionHead, assertionTail, key) + assertionTail;

  // The Response's Issuer declares `saml` itself: exc-c14n renders a namespace on the first
  // element that uses it, and the Response element does not.
  const responseHead =
    `<samlp:Response xmlns:samlp="${NS_SAMLP}" Destination="${destination}" ID="${responseId}"${inResponseTo} IssueInstant="${issueInstant}" Version="2.0">` +
    `<saml:Issuer xmlns:saml="${NS_SAML}">${issuer}</saml:Issuer>`;
  const responseTail =
    `<samlp:Status><samlp:StatusCode Value="${STATUS_SUCCESS}"></samlp:StatusCode></samlp:Status>` +
    assertion +
    `</samlp:Response>`;
  const xml = responseHead + envelopedSignature(responseId, responseHead, responseTail, key) + responseTail;

  return { samlResponse: Buffer.from(xml, 'utf8').toString('base64'), xml, responseId, assertionId, notOnOrAfter };
}

function attribute(name: string, field: string, values: string[]): string {
  let out = `<saml:Attribute Name="${xmlAttr(name, field)}" NameFormat="${ATTRNAME_FORMAT_URI}">`;
  for (const v of values) out += `<saml:AttributeValue>${xmlText(v, field)}</saml:AttributeValue>`;
  return `${out}</saml:Attribute>`;
}

function attributeStatement(input: AwsSamlResponseInput): string {
  let out =
    '<saml:AttributeStatement>' +
    attribute(AWS_ATTR_ROLE, 'roles', input.roles.map((r) => `${r.roleArn},${r.providerArn}`)) +
    attribute(AWS_ATTR_ROLE_SESSION_NAME, 'roleSessionName', [input.roleSessionName]);
  if (input.sessionDurationSeconds !== undefined) {
    out += attribute(AWS_ATTR_SESSION_DURATION, 'sessionDurationSeconds', [String(input.sessionDurationSeconds)]);
  }
  for (const [k, v] of Object.entries(input.principalTags ?? {})) {
    out += attribute(AWS_ATTR_PRINCIPAL_TAG_PREFIX + k, `principalTags.${k}`, [v]);
  }
  return `${out}</saml:AttributeStatement>`;
}

function validate(input: AwsSamlResponseInput): void {
  const problems: FieldProblem[] = [];
  const bad = (field: string, message: string) => problems.push({ field, message });

  if (input.issuer.length === 0) bad('issuer', 'required');
  if (!/^https?:\/\/[^\s]+$/.test(input.destination)) bad('destination', 'must be an http(s) URL');
  if (input.nameId.length === 0) bad('nameId', 'required');
  if (input.sessionIndex.length === 0) bad('sessionIndex', 'required');
  if (input.roles.length === 0) bad('roles', 'at least one role is required');
  input.roles.forEach((r, i) => {
    const role = ROLE_ARN.exec(r.roleArn);
    const provider = PROVIDER_ARN.exec(r.providerArn);
    if (!role) bad(`roles.${i}.roleArn`, 'must be an IAM role ARN without commas');
    if (!provider) bad(`roles.${i}.providerArn`, 'must be an IAM SAML provider ARN');
    if (role && provider && (role[1] !== provider[1] || role[2] !== provider[2])) {
      bad(`roles.${i}`, 'role and SAML provider must be in the same account and partition');
    }
  });
  if (!ROLE_SESSION_NAME.test(input.roleSessionName)) bad('roleSessionName', 'must match [\\w+=,.@-]{2,64}');
  const d = input.sessionDurationSeconds;
  if (d !== undefined && !(Number.isInteger(d) && d >= 900 && d <= 43200)) {
    bad('sessionDurationSeconds', 'must be an integer from 900 to 43200');
  }
  const tags = Object.entries(input.principalTags ?? {});
  if (tags.length > MAX_TAGS) bad('principalTags', `at most ${MAX_TAGS} tags`);
  for (const [k, v] of tags) {
    if (!TAG_KEY.test(k)) bad(`principalTags.${k}`, 'key must be 1..128 letters, digits, spaces or _.:/=+-@');
    if (v.length > MAX_TAG_VALUE) bad(`principalTags.${k}`, `value must be at most ${MAX_TAG_VALUE} characters`);
  }
  const validity = input.validitySeconds;
  if (validity !== undefined && !(Number.isInteger(validity) && validity >= 1 && validity <= MAX_VALIDITY_SECONDS)) {
    bad('validitySeconds', `must be an integer from 1 to ${MAX_VALIDITY_SECONDS}`);
  }
  const skew = input.clockSkewSeconds;
  if (skew !== undefined && !(Number.isInteger(skew) && skew >= 0 && skew <= 300)) {
    bad('clockSkewSeconds', 'must be an integer from 0 to 300');
  }
  if (Number.isNaN(input.now.getTime())) bad('now', 'invalid date');
  if (Number.isNaN(input.authnInstant.getTime())) bad('authnInstant', 'invalid date');
  if (problems.length > 0) throw new ValidationError('Cannot build the SAML response', problems);
}
