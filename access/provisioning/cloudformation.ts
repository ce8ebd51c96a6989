// The desired state as AWS CloudFormation templates (JSON), for administrators who deploy through
// their own pipeline (the `export` driver, docs/provisioning.md): one template per account, and
// one StackSets-ready template per group of accounts that share the same permission sets. Resource
// types and properties: AWS::IAM::SAMLProvider, AWS::IAM::Role (CloudFormation resource reference).
import { createHash } from 'node:crypto';
import type { DesiredAccount, DesiredRole } from './desired-state.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Template = { [k: string]: Json };

const PROVIDER_ID = 'GatehouseSamlProvider';

/** A logical id: alphanumeric, stable for the permission set. */
export const roleLogicalId = (r: Pick<DesiredRole, 'permissionSetName' | 'permissionSetId'>) =>
  `Role${r.permissionSetName.replace(/[^A-Za-z0-9]/g, '')}${createHash('sha256').update(r.permissionSetId).digest('hex').slice(0, 8)}`;

/** In a template, the trust policy names the provider by reference: it is created in the same stack. */
function trustPolicy(role: DesiredRole, providerArn: string): Json {
  const doc = JSON.parse(role.trustPolicy) as { Statement: { Principal: { Federated: unknown } }[] };
  for (const s of doc.Statement) if (s.Principal.Federated === providerArn) s.Principal.Federated = { Ref: PROVIDER_ID };
  return doc as unknown as Json;
}

function roleResource(role: DesiredRole, providerArn: string, accountId: string | null, roleName: Json): Json {
  // In a StackSets template the account is the stack's own: customer managed policy ARNs follow it.
  const arn = (a: string): Json => (accountId !== null && a.startsWith(`arn:aws:iam::${accountId}:`) ? { 'Fn::Sub': a.replace(`arn:aws:iam::${accountId}:`, 'arn:${AWS::Partition}:iam::${AWS::AccountId}:') } : a);
  const props: { [k: string]: Json } = {
    RoleName: roleName,
    Path: role.path,
    AssumeRolePolicyDocument: trustPolicy(role, providerArn),
    MaxSessionDuration: role.maxSessionDuration,
    Tags: role.tags.map((t) => ({ Key: t.key, Value: t.value })),
  };
  if (role.description !== null) props.Description = role.description;
  if (role.managedPolicyArns.length) props.ManagedPolicyArns = role.managedPolicyArns.map(arn);
  if (role.permissionsBoundaryArn !== null) props.PermissionsBoundary = arn(role.permissionsBoundaryArn);
  if (role.inlinePolicy !== null) props.Policies = [{ PolicyName: 'GatehouseInlinePolicy', PolicyDocument: JSON.parse(role.inlinePolicy) as Json }];
  return { Type: 'AWS::IAM::Role', DependsOn: PROVIDER_ID, Properties: props };
}

function providerResource(d: DesiredAccount): Json {
  return {
    Type: 'AWS::IAM::SAMLProvider',
    Properties: { Name: d.provider.name, SamlMetadataDocument: d.provider.metadataDocument, Tags: [{ Key: 'gatehouse:managed', Value: 'true' }] },
  };
}

/** One account's stack. */
export function accountTemplate(d: DesiredAccount): Template {
  const resources: { [k: string]: Json } = { [PROVIDER_ID]: providerResource(d) };
  const outputs: { [k: string]: Json } = {};
  for (const r of d.roles) {
    const id = roleLogicalId(r);
    resources[id] = roleResource(r, d.provider.arn, null, r.roleName);
    outputs[`${id}Arn`] = { Description: `Role of permission set ${r.permissionSetName}`, Value: { 'Fn::GetAtt': [id, 'Arn'] } };
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Gatehouse: SAML provider and permission set roles for account ${d.accountId}`,
    Resources: resources,
    Outputs: outputs,
  };
}

/**
 * StackSets-ready templates: accounts whose roles come from the same permission sets (same
 * versions), with the same provider name, metadata and sign-in endpoint, share one template. Role
 * names differ per account (role-name.ts), so they are looked up by AWS::AccountId in a mapping.
 */
export function stackSetTemplates(accounts: readonly DesiredAccount[]): { accountIds: string[]; template: Template }[] {
  const groups = new Map<string, DesiredAccount[]>();
  for (const d of accounts) {
    const sig = JSON.stringify([
      d.provider.name,
      d.provider.metadataDocument,
      d.roles.map((r) => [r.permissionSetId, r.permissionSetVersion, JSON.parse(r.trustPolicy).Statement[0].Condition]),
    ]);
    groups.set(sig, [...(groups.get(sig) ?? []), d]);
  }
  return [...groups.values()].map((members) => {
    const first = members[0]!;
    const mapping: { [account: string]: { [id: string]: Json } } = {};
    for (const m of members) mapping[m.accountId] = Object.fromEntries(m.roles.map((r) => [roleLogicalId(r), r.roleName]));
    const resources: { [k: string]: Json } = { [PROVIDER_ID]: providerResource(first) };
    for (const r of first.roles) {
      const id = roleLogicalId(r);
      resources[id] = roleResource(r, first.provider.arn, first.accountId, { 'Fn::FindInMap': ['RoleNames', { Ref: 'AWS::AccountId' }, id] });
    }
    return {
      accountIds: members.map((m) => m.accountId),
      template: {
        AWSTemplateFormatVersion: '2010-09-09',
        Description: `Gatehouse: SAML provider and permission set roles for ${members.length} account(s) sharing the same permission sets`,
        Mappings: { RoleNames: mapping },
        Resources: resources,
      },
    };
  });
}
