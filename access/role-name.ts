// The IAM role that stands for one (permission set, account) pair, and the ARNs the SAML Role
// attribute names (docs/aws-accounts.md). One deterministic function, used both by
// provisioning (which creates the role) and by federation (which names it in the assertion), so
// they always agree. AWS keeps `AWSReservedSSO_` names and `/aws-reserved/` paths for its own
// service and STS refuses them to others (STS AssumeRoleWithSAML docs), hence our own prefix/path.

import { createHash } from 'node:crypto';

export const ROLE_NAME_PREFIX = 'Gatehouse_';
export const ROLE_PATH = '/gatehouse/';
/** IAM CreateRole: RoleName is 1..64 of [\w+=,.@-]. */
const MAX_ROLE_NAME = 64;
const SUFFIX_HEX = 16;

/**
 * `Gatehouse_<PermissionSetName>_<16 hex>`. The hex is SHA-256 of (permission set id, account
 * id), so the name is stable across re-assignment and distinct per pair even when names collide.
 * The name part is cut to fit 64 characters (the suffix is kept), and commas become '.':
 * the SAML Role attribute is `role-arn,provider-arn`, so a comma in a role name would split it.
 */
export function roleNameFor(permissionSetName: string, permissionSetId: string, accountId: string): string {
  const suffix = createHash('sha256').update(`${permissionSetId}\n${accountId}`, 'utf8').digest('hex').slice(0, SUFFIX_HEX);
  const room = MAX_ROLE_NAME - ROLE_NAME_PREFIX.length - 1 - SUFFIX_HEX;
  const name = permissionSetName.replace(/,/g, '.').replace(/[^\w+=.@-]/g, '-').slice(0, room);
  return `${ROLE_NAME_PREFIX}${name}_${suffix}`;
}

/** `arn:<partition>:iam::<account>:role/gatehouse/<roleName>` */
export function roleArnFor(accountId: string, roleName: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${accountId}:role${ROLE_PATH}${roleName}`;
}

/** `arn:<partition>:iam::<account>:saml-provider/<providerName>` */
export function samlProviderArn(accountId: string, providerName: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${accountId}:saml-provider/${providerName}`;
}

/** What names the role of one (account, permission set): its name, path, ARN and the SAML provider it trusts. */
export interface FederatedRole {
  roleName: string;
  path: string;
  roleArn: string;
  providerArn: string;
}

/**
 * The one place the role of an (account, permission set) pair is named: the assertion the portal
 * signs, the role GetRoleCredentials asks STS for, the role provisioning creates and the names the
 * admin API shows all come from here.
 */
export function federatedRoleFor(
  account: { accountId: string; samlProviderName: string },
  permissionSet: { id: string; name: string },
): FederatedRole {
  const roleName = roleNameFor(permissionSet.name, permissionSet.id, account.accountId);
  return { roleName, path: ROLE_PATH, roleArn: roleArnFor(account.accountId, roleName), providerArn: samlProviderArn(account.accountId, account.samlProviderName) };
}
