// What Gatehouse owns in one AWS account, computed from its records alone (no I/O): the IAM SAML
// provider carrying Gatehouse's metadata and, per permission set assigned in the account, one
// role named by access/role-name.ts (docs/provisioning.md). Identity Center provisions the same
// objects (sso-admin ProvisionPermissionSet); names and paths are our own (role-name.ts says why).
import type { Account, PermissionSet, Tag } from '../../model/types.ts';
import { parseIsoDurationSeconds } from '../iso-duration.ts';
import { federatedRoleFor } from '../role-name.ts';

/** Marks what Gatehouse created, so it never touches a role or provider it does not own. */
export const MANAGED_TAG = 'gatehouse:managed';
export const PERMISSION_SET_TAG = 'gatehouse:permission-set';
export const VERSION_TAG = 'gatehouse:permission-set-version';
/** The one inline policy Gatehouse puts on a role (Identity Center's is AwsSSOInlinePolicy). */
export const INLINE_POLICY_NAME = 'GatehouseInlinePolicy';

export interface DesiredRole {
  permissionSetId: string;
  permissionSetName: string;
  permissionSetVersion: number;
  roleName: string;
  path: string;
  arn: string;
  /** The trust policy, as JSON text. */
  trustPolicy: string;
  /** AWS managed policy ARNs, then customer managed ones resolved in this account, sorted. */
  managedPolicyArns: string[];
  inlinePolicy: string | null;
  permissionsBoundaryArn: string | null;
  maxSessionDuration: number;
  description: string | null;
  /** The permission set's tags, then Gatehouse's own. */
  tags: Tag[];
}

export interface DesiredProvider {
  name: string;
  arn: string;
  metadataDocument: string;
}

export interface DesiredAccount {
  accountId: string;
  provider: DesiredProvider;
  roles: DesiredRole[];
}

/** `arn:aws:iam::<account>:policy<path><name>`: a customer managed policy is found by name and path in each account. */
export const customerPolicyArn = (accountId: string, ref: { name: string; path: string }) => `arn:aws:iam::${accountId}:policy${ref.path}${ref.name}`;

/**
 * The trust policy: the account's Gatehouse provider may assume the role with SAML and pass
 * session tags, for assertions addressed to the account's sign-in endpoint (SAML:aud is the
 * assertion's Recipient, IAM "Configuring SAML assertions for the authentication response").
 */
export function trustPolicyFor(providerArn: string, signInEndpoint: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
        Condition: { StringEquals: { 'SAML:aud': signInEndpoint } },
      },
    ],
  });
}

/** What a permission set gives every account alike, computed once per set version (a plan reads it for every account). */
interface SetParts {
  version: number;
  awsManaged: string[];
  maxSessionDuration: number;
  tags: Tag[];
}
const partsCache = new WeakMap<PermissionSet, SetParts>();

function partsOf(set: PermissionSet): SetParts {
  const cached = partsCache.get(set);
  if (cached && cached.version === set.version) return cached;
  const parts: SetParts = {
    version: set.version,
    awsManaged: [...new Set(set.managedPolicies)].sort(),
    // The role lets STS issue sessions as long as the permission set allows, no longer: the
    // console session and GetRoleCredentials ask for exactly that (IAM MaxSessionDuration).
    maxSessionDuration: parseIsoDurationSeconds(set.sessionDuration) ?? 3600,
    tags: [
      ...set.tags.filter((t) => !t.key.startsWith('gatehouse:')).map((t) => ({ key: t.key, value: t.value })),
      { key: MANAGED_TAG, value: 'true' },
      { key: PERMISSION_SET_TAG, value: set.id },
      { key: VERSION_TAG, value: String(set.version) },
    ],
  };
  partsCache.set(set, parts);
  return parts;
}

/** The desired role of one (account, permission set). The arrays may be shared between roles: never mutate them. */
export function desiredRole(account: Account, set: PermissionSet, trustPolicy?: string): DesiredRole {
  const role = federatedRoleFor(account, set);
  const parts = partsOf(set);
  const boundary = set.permissionsBoundary;
  const managedPolicyArns = set.customerManagedPolicies.length
    ? [...new Set([...parts.awsManaged, ...set.customerManagedPolicies.map((r) => customerPolicyArn(account.accountId, r))])].sort()
    : parts.awsManaged;
  return {
    permissionSetId: set.id,
    permissionSetName: set.name,
    permissionSetVersion: set.version,
    roleName: role.roleName,
    path: role.path,
    arn: role.roleArn,
    trustPolicy: trustPolicy ?? trustPolicyFor(role.providerArn, account.signInEndpoint),
    managedPolicyArns,
    inlinePolicy: set.inlinePolicy,
    permissionsBoundaryArn: boundary?.managedPolicyArn ?? (boundary?.customerManagedPolicyReference ? customerPolicyArn(account.accountId, boundary.customerManagedPolicyReference) : null),
    maxSessionDuration: parts.maxSessionDuration,
    description: set.description,
    tags: parts.tags,
  };
}

/** The account's desired state; null when no permission set is assigned there (Gatehouse then owns nothing in it). */
export function desiredAccount(account: Account, assignedSets: readonly PermissionSet[], metadataDocument: string): DesiredAccount | null {
  if (assignedSets.length === 0) return null;
  const unique = [...new Map(assignedSets.map((s) => [s.id, s])).values()];
  const providerArn = federatedRoleFor(account, unique[0]!).providerArn;
  // Every role of the account trusts the same provider for the same audience: one document.
  const trust = trustPolicyFor(providerArn, account.signInEndpoint);
  return {
    accountId: account.accountId,
    provider: { name: account.samlProviderName, arn: providerArn, metadataDocument },
    roles: unique.map((s) => desiredRole(account, s, trust)).sort((a, b) => (a.roleName < b.roleName ? -1 : a.roleName > b.roleName ? 1 : 0)),
  };
}
