// The records every layer shares. Field names mirror the AWS shapes in camelCase
// (reference/docs/aws-accounts.md) so the admin API can hand them out as they are.

import type { MfaPolicy } from './mfa.ts';
import type { OidcClientSettings } from './oidc.ts';
export interface Email {
  value: string;
  type?: string;
  primary?: boolean;
}

export interface PersonName {
  givenName?: string;
  familyName?: string;
}

/** Where a user or group lives: the built-in directory, or an external one (LDAP / AD). */
export type IdentitySourceKind = 'builtin' | 'ldap';

export interface User {
  id: string;
  userName: string;
  displayName: string;
  name: PersonName;
  emails: Email[];
  /** Free-form attributes (department, costCenter, ...), used for ABAC PrincipalTag and app mappings. */
  attributes: Record<string, string>;
  enabled: boolean;
  /** Holds the `administrator` role directly (the first administrator, and anyone made one through isAdmin). */
  isAdmin: boolean;
  source: IdentitySourceKind;
  /** The external directory's immutable id (entryUUID / objectGUID) for source 'ldap'. */
  externalId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Group {
  id: string;
  displayName: string;
  description: string;
  source: IdentitySourceKind;
  externalId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type AccountKind = 'management' | 'member' | 'external';

export interface Account {
  /** 12 digits. */
  accountId: string;
  name: string;
  email: string;
  kind: AccountKind;
  /** Name of the IAM SAML provider in that account that trusts Gatehouse. */
  samlProviderName: string;
  /** Where the browser POSTs the SAMLResponse (AWS sign-in endpoint for the partition/region). */
  signInEndpoint: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface CustomerManagedPolicyReference {
  name: string;
  path: string;
}

export interface PermissionsBoundary {
  managedPolicyArn?: string;
  customerManagedPolicyReference?: CustomerManagedPolicyReference;
}

export interface Tag {
  key: string;
  value: string;
}

export interface PermissionSet {
  /** `ps-` + 16 hex. */
  id: string;
  /** `arn:aws:sso:::permissionSet/<instance id>/<id>` */
  arn: string;
  /** Immutable, `[\w+=,.@-]{1,32}`. */
  name: string;
  description: string | null;
  /** ISO-8601, PT1H..PT12H. */
  sessionDuration: string;
  relayState: string | null;
  managedPolicies: string[];
  customerManagedPolicies: CustomerManagedPolicyReference[];
  inlinePolicy: string | null;
  permissionsBoundary: PermissionsBoundary | null;
  tags: Tag[];
  /** Changes on every edit (provisioning compares it). */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export type PrincipalType = 'USER' | 'GROUP';

export interface AccountAssignment {
  accountId: string;
  permissionSetId: string;
  principalType: PrincipalType;
  principalId: string;
  createdAt: Date;
}

/** One account a user reaches, with the permission sets reachable on it (directly or through groups). */
export interface AccountEntitlement {
  accountId: string;
  permissionSetIds: string[];
}

export interface Instance {
  /** `ssoins-` + 16 hex. */
  id: string;
  arn: string;
  managementAccountId: string | null;
  /** Portal session lifetime in minutes: 15 .. 129600 (90 days); default 480 (8 h). */
  sessionDurationMinutes: number;
  /** User attribute name → PrincipalTag key, for attribute-based access control. */
  accessControlAttributes: Record<string, string>;
  /** What every application's SP metadata must satisfy unless the application says otherwise. */
  metadataTrust: MetadataTrust;
  /** When sign-in asks for a second factor (docs/mfa.md). */
  mfa: MfaPolicy;
  createdAt: Date;
  updatedAt: Date;
}

/** How an audited attempt ended: done, refused by a rule (nothing changed), or failed (wrong password, ...). */
export type AuditOutcome = 'success' | 'refused' | 'failure';

export interface AuditEvent {
  id: string;
  at: Date;
  /** User id of who acted, or 'system'. */
  actor: string;
  /** The actor's userName when a person acted (null for 'system' and events before it was recorded). */
  actorName: string | null;
  /** The client address the request came from, when there was a request. */
  address: string | null;
  outcome: AuditOutcome;
  /** Dotted verb, e.g. `user.create`, `assignment.delete`, `signin.failure`. */
  action: string;
  /** The resource acted on, e.g. `user/<id>`. */
  target: string;
  /** Extra facts; never secrets. */
  detail: Record<string, unknown>;
}

export interface ApiToken {
  /** SHA-256 hex of the bearer secret; the secret itself is never stored. */
  hash: string;
  /** `tok-` + 16 hex: how the token is listed and revoked (its secret is never shown again). */
  id: string;
  userId: string;
  /** The role its creator held when it was issued; the token never acts above the owner's role of the moment. */
  role: AdminRole;
  createdAt: Date;
  expiresAt: Date;
}

/** A SAML endpoint from an SP's metadata (SAML metadata §2.2.2 / §2.2.3). */
export interface SamlEndpoint {
  url: string;
  /** Binding URI, e.g. urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST. */
  binding: string;
  index: number;
  isDefault: boolean;
}

/** What the NameID of an app's assertions carries. */
export type NameIdSource = 'email' | 'userName' | 'persistent' | 'transient';

/** One attribute an app receives: a literal, or a template such as `${user:email}`, `${user:groups}`, `${user:attribute.department}`. */
export interface AttributeMapping {
  name: string;
  /** SAML NameFormat URI; default urn:oasis:names:tc:SAML:2.0:attrname-format:uri when the name is a URI, else unspecified. */
  nameFormat?: string;
  value: string;
}

export interface ApplicationMetadataSource {
  source: 'upload' | 'url' | 'manual';
  /** For source 'url': where it is fetched from. */
  url: string | null;
  /** The last good document (upload or fetch), kept when a later fetch fails. */
  xml: string | null;
  fetchedAt: Date | null;
  validUntil: Date | null;
  cacheDurationSeconds: number | null;
  /** Why the last fetch failed, while the last good copy stays in force. */
  lastError: string | null;
  /** When the next scheduled fetch is due (source 'url'). */
  nextFetchAt: Date | null;
}

/** What an SP metadata document must satisfy to be taken (SAML Metadata §3 signatures, §2.3.2 validUntil). */
export interface MetadataTrust {
  /** The document carries an enveloped signature by one of `signingCertificates`. */
  requireSignature: boolean;
  /** The document says when it expires (validUntil). */
  requireValidUntil: boolean;
  /** PEM certificates trusted to sign SP metadata (a document's own KeyInfo never counts). */
  signingCertificates: string[];
}

/** An application's own metadata trust: a null requirement, or no certificates, follows the instance. */
export interface ApplicationMetadataTrust {
  requireSignature: boolean | null;
  requireValidUntil: boolean | null;
  signingCertificates: string[];
}

/** An AWS account outside the organization, set up as an app (docs/aws-accounts.md). */
export interface ExternalAwsAccount {
  accountId: string;
  samlProviderName: string;
  /** The roles offered; assignments pick from these by roleArn. */
  roles: { roleArn: string; label?: string }[];
}

export interface Application {
  /** `app-` + 16 hex. */
  id: string;
  name: string;
  description: string;
  kind: 'custom' | 'external-aws-account' | 'oidc';
  /** SAML apps: the SP's entity id; OIDC apps: their client id (the application id). */
  entityId: string;
  acs: SamlEndpoint[];
  slo: { url: string; binding: string } | null;
  /** PEM certificates the SP signs requests with (several during rollover). */
  signingCertificates: string[];
  /** PEM certificates to encrypt assertions to. */
  encryptionCertificates: string[];
  /** The SP's metadata says AuthnRequestsSigned: unsigned requests are refused. */
  authnRequestsSigned: boolean;
  metadata: ApplicationMetadataSource;
  /** What its SP metadata documents must satisfy (custom apps; external AWS accounts have none). */
  metadataTrust: ApplicationMetadataTrust;
  nameIdFormat: string;
  nameIdSource: NameIdSource;
  attributeMappings: AttributeMapping[];
  signResponse: boolean;
  signAssertion: boolean;
  /** Encrypt when the SP has an encryption certificate (AES-256-GCM, RSA-OAEP). */
  encryptAssertion: boolean;
  /** SessionNotOnOrAfter of the app session, seconds after sign-in; null: the portal session's end. */
  sessionDurationSeconds: number | null;
  /** RelayState sent with IdP-initiated sign-ins unless the request gives one. */
  defaultRelayState: string | null;
  externalAwsAccount: ExternalAwsAccount | null;
  /** OpenID Connect client settings (kind 'oidc'; docs/oidc-applications.md); absent or null for SAML apps. */
  oidc?: OidcClientSettings | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ApplicationAssignment {
  applicationId: string;
  principalType: PrincipalType;
  principalId: string;
  /** For external AWS accounts: the role ARNs (from the app's roles) this principal gets; empty otherwise. */
  roleArns: string[];
  createdAt: Date;
}

/**
 * Where a SAML signing key stands in its rollover (docs/operations.md "Signing key rollover"):
 * `next` is published but signs nothing yet, `current` signs, `previous` is still published after
 * a promotion, `retired` is gone from metadata and its private key erased.
 */
export type SigningKeyStatus = 'next' | 'current' | 'previous' | 'retired';

/** How a signing key came to be: generated by Gatehouse, given by an administrator, or imported at first start. */
export type SigningKeyOrigin = 'generated' | 'uploaded' | 'environment' | 'file';

/** A signing key as stored: the certificate in the clear, the private key sealed under the server key. */
export interface SigningKeyRecord {
  /** `sk-` + 16 hex. */
  id: string;
  status: SigningKeyStatus;
  origin: SigningKeyOrigin;
  certificatePem: string;
  /** SHA-256 of the certificate's DER as colon-separated hex; unique across every key ever stored. */
  fingerprintSha256: string;
  /** The PKCS#8 PEM sealed under the server key (crypto/secret-box.ts); null once retired. */
  privateKeySealed: string | null;
  createdAt: Date;
  /** When it became current; null while it never was. */
  promotedAt: Date | null;
  retiredAt: Date | null;
}

/**
 * An admin role (docs/admin-api.md "Admin roles"): `administrator` may do everything,
 * `delegated-administrator` everything but what the delegated administrator rules keep for
 * administrators (access/admin/admin-policy.ts).
 */
export type AdminRole = 'administrator' | 'delegated-administrator';
export const ADMIN_ROLES: readonly AdminRole[] = ['administrator', 'delegated-administrator'];

/** A role given to a user or a group (every member holds it). */
export interface AdminRoleGrant {
  principalType: PrincipalType;
  principalId: string;
  role: AdminRole;
  grantedAt: Date;
  /** User id of who granted it, `system`, or `cli:<os user>`. */
  grantedBy: string;
}

/** The one member account registered as the delegated administrator account (Identity Center's RegisterDelegatedAdministrator). */
export interface DelegatedAdministratorAccount {
  accountId: string;
  registeredAt: Date;
  registeredBy: string;
}
