// The AWS profile of the SAML Response (response.ts writes it): what federates a person into an
// AWS account's console (IdP-initiated POST to the account's sign-in endpoint): docs/aws-accounts.md,
// SAML2Int IDP09/IDP10, docs/security.md: "What a Response looks like". AWS differs from any other
// relying party only in its audience (`urn:amazon:webservices`), a persistent NameID by default,
// the attributes AWS sign-in reads (Role, RoleSessionName, SessionDuration, PrincipalTag:*) and
// the input AWS STS would refuse, which is refused here first. Both the Response and the
// Assertion are signed.

import type { FieldProblem } from '../../model/errors.ts';
import type { SamlSigningKey } from './enveloped-signature.ts';
import { ATTRNAME_FORMAT_URI, NAMEID_PERSISTENT } from './namespaces.ts';
import {
  assertionProblems,
  FIELD_NAMES,
  refuseProblems,
  writeResponse,
  type AssertionInput,
  type FieldNames,
  type SamlAttribute,
  type SamlResponse,
} from './response.ts';
import { ROLE_SESSION_NAME } from './role-session-name.ts';

export const AWS_AUDIENCE = 'urn:amazon:webservices';
export const AWS_ATTR_ROLE = 'https://aws.amazon.com/SAML/Attributes/Role';
export const AWS_ATTR_ROLE_SESSION_NAME = 'https://aws.amazon.com/SAML/Attributes/RoleSessionName';
export const AWS_ATTR_SESSION_DURATION = 'https://aws.amazon.com/SAML/Attributes/SessionDuration';
export const AWS_ATTR_PRINCIPAL_TAG_PREFIX = 'https://aws.amazon.com/SAML/Attributes/PrincipalTag:';

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

/** The signed Response: the SAMLResponse form field, its XML (UTF-8, canonical form) and its ids. */
export type AwsSamlResponse = Pick<SamlResponse, 'samlResponse' | 'xml' | 'responseId' | 'assertionId' | 'notOnOrAfter'>;

/**
 * The attributes AWS sign-in reads (docs/aws-accounts.md); also sent by external AWS account apps.
 * AWS requires the uri NameFormat.
 */
export function awsSignInAttributes(input: Pick<AwsSamlResponseInput, 'roles' | 'roleSessionName' | 'sessionDurationSeconds' | 'principalTags'>): SamlAttribute[] {
  const attributes: SamlAttribute[] = [
    { name: AWS_ATTR_ROLE, nameFormat: ATTRNAME_FORMAT_URI, values: input.roles.map((r) => `${r.roleArn},${r.providerArn}`), field: 'roles' },
    { name: AWS_ATTR_ROLE_SESSION_NAME, nameFormat: ATTRNAME_FORMAT_URI, values: [input.roleSessionName], field: 'roleSessionName' },
  ];
  if (input.sessionDurationSeconds !== undefined) {
    attributes.push({
      name: AWS_ATTR_SESSION_DURATION,
      nameFormat: ATTRNAME_FORMAT_URI,
      values: [String(input.sessionDurationSeconds)],
      field: 'sessionDurationSeconds',
    });
  }
  for (const [k, v] of Object.entries(input.principalTags ?? {})) {
    attributes.push({ name: AWS_ATTR_PRINCIPAL_TAG_PREFIX + k, nameFormat: ATTRNAME_FORMAT_URI, values: [v], field: `principalTags.${k}` });
  }
  return attributes;
}

/** This profile's names for the writer's fields, so that errors name what the caller passed. */
const AWS_FIELD_NAMES: FieldNames = { ...FIELD_NAMES, recipient: 'destination', notBeforeSkewSeconds: 'clockSkewSeconds' };

/** Builds and signs (Response and Assertion). Throws ValidationError on input AWS would refuse or XML cannot carry. */
export function buildAwsSamlResponse(input: AwsSamlResponseInput, key: SamlSigningKey): AwsSamlResponse {
  const assertion: AssertionInput = {
    issuer: input.issuer,
    audience: input.audience ?? AWS_AUDIENCE,
    recipient: input.destination,
    inResponseTo: input.inResponseTo,
    nameId: input.nameId,
    nameIdFormat: input.nameIdFormat ?? NAMEID_PERSISTENT,
    attributes: awsSignInAttributes(input),
    authnInstant: input.authnInstant,
    sessionIndex: input.sessionIndex,
    now: input.now,
    validitySeconds: input.validitySeconds,
    notBeforeSkewSeconds: input.clockSkewSeconds,
    authnContextClassRef: input.authnContextClassRef,
  };
  refuseProblems([...assertionProblems(assertion, AWS_FIELD_NAMES), ...awsProblems(input)]);
  const { samlResponse, xml, responseId, assertionId, notOnOrAfter } = writeResponse(assertion, BOTH_SIGNED, key, AWS_FIELD_NAMES);
  return { samlResponse, xml, responseId, assertionId, notOnOrAfter };
}

const BOTH_SIGNED = { signResponse: true, signAssertion: true } as const;

/** What AWS sign-in refuses on top of what every relying party does (assertionProblems). */
function awsProblems(input: AwsSamlResponseInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const bad = (field: string, message: string) => problems.push({ field, message });
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
  return problems;
}
