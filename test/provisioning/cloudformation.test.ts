// The export driver's CloudFormation (access/provisioning/cloudformation.ts), checked structurally
// for a permission set that uses every field: what CloudFormation would create is what the aws
// driver creates (same names, path, trust, policies, boundary, duration, description, tags).
import { expect } from 'chai';
import { accountTemplate, stackSetTemplates } from '../../access/provisioning/cloudformation.ts';
import { desiredAccount } from '../../access/provisioning/desired-state.ts';
import { federatedRoleFor } from '../../access/role-name.ts';
import type { Account, PermissionSet } from '../../model/types.ts';

const at = new Date('2026-01-01T00:00:00Z');
const account = (accountId: string, signInEndpoint = 'https://signin.aws.amazon.com/saml'): Account => ({
  accountId, name: accountId, email: 'a@example.com', kind: 'member', samlProviderName: 'Gatehouse', signInEndpoint, createdAt: at, updatedAt: at,
});
const inline = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };
const everything: PermissionSet = {
  id: 'ps-0123456789abcdef',
  arn: 'arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef',
  name: 'Everything',
  description: 'Every field',
  sessionDuration: 'PT4H30M',
  relayState: 'https://console.aws.amazon.com/s3',
  managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
  customerManagedPolicies: [{ name: 'Deploy', path: '/team/' }],
  inlinePolicy: JSON.stringify(inline),
  permissionsBoundary: { customerManagedPolicyReference: { name: 'Boundary', path: '/' } },
  tags: [{ key: 'team', value: 'platform' }],
  version: 7,
  createdAt: at,
  updatedAt: at,
};
const METADATA = '<EntityDescriptor>…</EntityDescriptor>';

describe('CloudFormation export', () => {
  it('describes the provider and a role with every field of the permission set', () => {
    const desired = desiredAccount(account('111122223333'), [everything], METADATA)!;
    const t = accountTemplate(desired);
    expect(t.AWSTemplateFormatVersion).to.equal('2010-09-09');
    const resources = t.Resources as Record<string, any>;
    expect(resources.GatehouseSamlProvider).to.deep.equal({
      Type: 'AWS::IAM::SAMLProvider',
      Properties: { Name: 'Gatehouse', SamlMetadataDocument: METADATA, Tags: [{ Key: 'gatehouse:managed', Value: 'true' }] },
    });
    const roles = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::IAM::Role');
    expect(roles).to.have.length(1);
    const [logicalId, role] = roles[0]!;
    const name = federatedRoleFor(account('111122223333'), everything).roleName;
    expect(role.DependsOn).to.equal('GatehouseSamlProvider');
    expect(role.Properties).to.deep.equal({
      RoleName: name,
      Path: '/gatehouse/',
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: { Ref: 'GatehouseSamlProvider' } },
            Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
            Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
          },
        ],
      },
      MaxSessionDuration: 16200,
      Description: 'Every field',
      ManagedPolicyArns: ['arn:aws:iam::111122223333:policy/team/Deploy', 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
      PermissionsBoundary: 'arn:aws:iam::111122223333:policy/Boundary',
      Policies: [{ PolicyName: 'GatehouseInlinePolicy', PolicyDocument: inline }],
      Tags: [
        { Key: 'team', Value: 'platform' },
        { Key: 'gatehouse:managed', Value: 'true' },
        { Key: 'gatehouse:permission-set', Value: 'ps-0123456789abcdef' },
        { Key: 'gatehouse:permission-set-version', Value: '7' },
      ],
    });
    expect((t.Outputs as any)[`${logicalId}Arn`].Value).to.deep.equal({ 'Fn::GetAtt': [logicalId, 'Arn'] });
  });

  it('groups accounts with the same sets into one StackSets template, role names looked up per account', () => {
    const a = desiredAccount(account('111122223333'), [everything], METADATA)!;
    const b = desiredAccount(account('444455556666'), [everything], METADATA)!;
    const gov = desiredAccount(account('777788889999', 'https://signin.amazonaws-us-gov.com/saml'), [everything], METADATA)!;
    const groups = stackSetTemplates([a, b, gov]);
    expect(groups.map((g) => g.accountIds)).to.deep.equal([['111122223333', '444455556666'], ['777788889999']]);
    const t = groups[0]!.template as any;
    const [logicalId, role] = Object.entries(t.Resources).find(([, r]: any) => r.Type === 'AWS::IAM::Role') as [string, any];
    expect(role.Properties.RoleName).to.deep.equal({ 'Fn::FindInMap': ['RoleNames', { Ref: 'AWS::AccountId' }, logicalId] });
    expect(t.Mappings.RoleNames['444455556666'][logicalId]).to.equal(federatedRoleFor(account('444455556666'), everything).roleName);
    expect(role.Properties.ManagedPolicyArns[0]).to.deep.equal({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/team/Deploy' });
    expect(role.Properties.PermissionsBoundary).to.deep.equal({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/Boundary' });
  });
});
