// Names that only AWS sign-in may carry in what we sign. AWS's sign-in endpoints accept an
// assertion whose Audience is AWS's own SP entity id (`urn:amazon:webservices`, or a partition's
// variant such as `urn:amazon:webservices:govcloud` and `urn:amazon:webservices:cn-north-1`) and
// take the role to assume from the `https://aws.amazon.com/SAML/Attributes/Role` attribute. An
// application that could carry that audience, or a mapping that could emit an AWS attribute,
// could hand someone a role no assignment gives them: these names are reserved for the assertions
// access/aws-federation.ts and the external AWS account template build (docs/saml-applications.md,
// "Reserved names and metadata trust").
//
// Compared loosely (case, surrounding spaces, a trailing slash) on purpose: refusing a near-copy
// costs nothing, and the receiver's own comparison is not ours to guess.

/** AWS's SP entity id for sign-in (the commercial partition's). */
export const AWS_SIGNIN_AUDIENCE = 'urn:amazon:webservices';
/** Every SAML attribute AWS sign-in reads starts with this (Role, RoleSessionName, SessionDuration, PrincipalTag:*). */
export const AWS_SAML_ATTRIBUTE_PREFIX = 'https://aws.amazon.com/SAML/Attributes/';

const loose = (value: string) => value.trim().toLowerCase().replace(/\/+$/, '');

/** True for AWS's sign-in audience and every variant of it (`urn:amazon:webservices…`). */
export function isAwsSignInAudience(entityId: string): boolean {
  return loose(entityId).startsWith(AWS_SIGNIN_AUDIENCE);
}

/** True for a SAML attribute name AWS sign-in reads (`https://aws.amazon.com/SAML/Attributes/…`). */
export function isAwsSamlAttributeName(name: string): boolean {
  return name.trim().toLowerCase().startsWith(AWS_SAML_ATTRIBUTE_PREFIX.toLowerCase());
}
