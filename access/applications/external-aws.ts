// An AWS account outside the organization, set up as a custom SAML application (reference:
// docs/aws-accounts.md, "accounts outside your organization"): the admin names the account, the
// IAM SAML provider there that trusts Gatehouse, and the roles to offer; Gatehouse sends the same
// Role / RoleSessionName / SessionDuration attributes as for member accounts.
//
// Every such app carries AWS's SP entity id `urn:amazon:webservices` (AWS uses one for all
// accounts), so they are unique per account id instead (store/sql/application-store.ts entityKey)
// and are never found by entity id: AWS sign-in is IdP-initiated only, no AuthnRequest names them.

import { samlProviderArn } from '../role-name.ts';
import type { ExternalAwsAccount } from '../../model/types.ts';

export const AWS_ENTITY_ID = 'urn:amazon:webservices';
export const AWS_SIGNIN_ACS = 'https://signin.aws.amazon.com/saml';

/**
 * An IAM role ARN in any partition: `arn:aws[-cn|-us-gov…]:iam::<12 digits>:role/<path/name>`. No
 * commas: the Role attribute value is "role ARN,provider ARN" (as access/app-sso/decisions.ts reads it).
 */
export const ROLE_ARN = /^arn:(aws[\w-]*):iam::(\d{12}):role\/[\w+=.@/-]{1,576}$/;
/** IAM SAML provider names: 1..128 of [A-Za-z0-9._-] (CreateSAMLProvider Name). */
export const SAML_PROVIDER_NAME = /^[\w._-]{1,128}$/;

/** Why `roleArn` cannot be offered by the external account `accountId`, or null when it can. */
export function roleArnProblem(roleArn: string, accountId: string): string | null {
  const m = ROLE_ARN.exec(roleArn);
  if (!m) return 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/Name (no commas)';
  if (m[2] !== accountId) return `must be a role of account ${accountId}, not ${m[2]}`;
  return null;
}

/** The IAM SAML provider the account trusts Gatehouse through, in the role's partition. */
export function providerArnFor(account: ExternalAwsAccount, roleArn?: string): string {
  const partition = (roleArn ? ROLE_ARN.exec(roleArn)?.[1] : undefined) ?? ROLE_ARN.exec(account.roles[0]?.roleArn ?? '')?.[1] ?? 'aws';
  return samlProviderArn(account.accountId, account.samlProviderName, partition);
}
