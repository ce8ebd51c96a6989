// The records every layer shares. Field names mirror the AWS shapes in camelCase
// (reference/aws-identity-center.md §5, §9) so the admin API can hand them out as they are.

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
  /** May call the admin API. */
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
  createdAt: Date;
  updatedAt: Date;
}

export interface AuditEvent {
  id: string;
  at: Date;
  /** User id of who acted, or 'system'. */
  actor: string;
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
  userId: string;
  createdAt: Date;
  expiresAt: Date;
}
