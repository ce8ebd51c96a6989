// The AWS stand-in itself, driven by the real SDK clients: it must refuse what AWS refuses
// (bad signatures, unknown keys, a role that is not the access role) and answer the IAM,
// STS and Organizations shapes the SDK parses, errors included.
import { CreateRoleCommand, CreateSAMLProviderCommand, DeleteRoleCommand, GetRoleCommand, IAMClient, ListRolesCommand, AttachRolePolicyCommand } from '@aws-sdk/client-iam';
import { ListAccountsCommand, ListOrganizationalUnitsForParentCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { expect } from 'chai';
import { startAwsStandIn, type AwsStandIn } from '../support/aws-standin/server.ts';
import { standInMetadata } from '../support/aws-standin/fixtures.ts';

describe('AWS stand-in (test double)', () => {
  let aws: AwsStandIn;
  beforeEach(async () => {
    aws = await startAwsStandIn();
    aws.addAccount({ id: '111122223333', name: 'Prod', email: 'prod@example.com' });
  });
  afterEach(() => aws.close());

  const client = <T>(C: new (c: object) => T, credentials: object = aws.credentials) => new C({ endpoint: aws.url, region: 'us-east-1', credentials, maxAttempts: 1 });

  async function assumed() {
    const out = await client(STSClient).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/OrganizationAccountAccessRole', RoleSessionName: 'gatehouse' }));
    const c = out.Credentials!;
    return client(IAMClient, { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! });
  }

  it('refuses a request signed with the wrong secret, and an unknown key', async () => {
    const wrong = client(IAMClient, { accessKeyId: aws.credentials.accessKeyId, secretAccessKey: 'not-the-secret' });
    const e1 = await wrong.send(new ListRolesCommand({})).catch((e) => e);
    expect(e1.name).to.equal('SignatureDoesNotMatch');
    const unknown = client(IAMClient, { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' });
    const e2 = await unknown.send(new ListRolesCommand({})).catch((e) => e);
    expect(e2.name).to.equal('InvalidClientTokenId');
  });

  it('assumes the access role only, and acts in that account', async () => {
    const e = await client(STSClient).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/Admin', RoleSessionName: 'gatehouse' })).catch((x) => x);
    expect(e.name).to.equal('AccessDenied');
    const iam = await assumed();
    await iam.send(new CreateSAMLProviderCommand({ Name: 'Gatehouse', SAMLMetadataDocument: standInMetadata() }));
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::111122223333:saml-provider/Gatehouse' }, Action: 'sts:AssumeRoleWithSAML' }] });
    await iam.send(new CreateRoleCommand({ RoleName: 'R1', Path: '/gatehouse/', AssumeRolePolicyDocument: trust, MaxSessionDuration: 7200, Tags: [{ Key: 'k', Value: 'v' }] }));
    const got = await iam.send(new GetRoleCommand({ RoleName: 'R1' }));
    expect(got.Role?.Arn).to.equal('arn:aws:iam::111122223333:role/gatehouse/R1');
    expect(JSON.parse(decodeURIComponent(got.Role!.AssumeRolePolicyDocument!))).to.deep.equal(JSON.parse(trust));
    expect(got.Role?.MaxSessionDuration).to.equal(7200);
    expect(got.Role?.Tags).to.deep.equal([{ Key: 'k', Value: 'v' }]);
    expect([...aws.iam('111122223333').roles.keys()]).to.deep.equal(['r1']);
    expect(aws.iam('999999999999').roles.size).to.equal(0);

    const dup = await iam.send(new CreateRoleCommand({ RoleName: 'R1', AssumeRolePolicyDocument: trust })).catch((x) => x);
    expect(dup.name).to.equal('EntityAlreadyExistsException');
    const missing = await iam.send(new GetRoleCommand({ RoleName: 'R2' })).catch((x) => x);
    expect(missing.name).to.equal('NoSuchEntityException');
    const badTrust = await iam.send(new CreateRoleCommand({ RoleName: 'R3', AssumeRolePolicyDocument: trust.replace('saml-provider/Gatehouse', 'saml-provider/Other') })).catch((x) => x);
    expect(badTrust.name).to.equal('MalformedPolicyDocumentException');
    aws.iam('111122223333').managedPoliciesPerRole = 1;
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'R1', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    const limit = await iam.send(new AttachRolePolicyCommand({ RoleName: 'R1', PolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' })).catch((x) => x);
    expect(limit.name).to.equal('LimitExceededException');
    const conflict = await iam.send(new DeleteRoleCommand({ RoleName: 'R1' })).catch((x) => x);
    expect(conflict.name).to.equal('DeleteConflictException');
  });

  it('answers injected throttling and AccessDenied on the assumed role', async () => {
    const iam = await assumed();
    aws.fail({ service: 'iam', action: 'ListRoles', code: 'Throttling' });
    const t = await iam.send(new ListRolesCommand({})).catch((x) => x);
    expect(t.name).to.equal('Throttling');
    expect((await iam.send(new ListRolesCommand({}))).Roles).to.deep.equal([]);
    aws.denyIam('111122223333');
    const d = await iam.send(new ListRolesCommand({})).catch((x) => x);
    expect(d.name).to.equal('AccessDenied');
  });

  it('lists the organization through the JSON protocol', async () => {
    aws.addUnit({ id: 'ou-stnd-aaaaaaaa', name: 'Workloads' });
    aws.addAccount({ id: '444455556666', name: 'Dev', email: 'dev@example.com', parentId: 'ou-stnd-aaaaaaaa', status: 'SUSPENDED' });
    const org = client(OrganizationsClient);
    const accounts = await org.send(new ListAccountsCommand({}));
    expect(accounts.Accounts?.map((a) => [a.Id, a.Status])).to.deep.equal([['111122223333', 'ACTIVE'], ['444455556666', 'SUSPENDED'], ['999999999999', 'ACTIVE']]);
    const units = await org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: aws.organization.rootId }));
    expect(units.OrganizationalUnits?.map((u) => u.Name)).to.deep.equal(['Workloads']);
    aws.fail({ service: 'organizations', action: 'ListAccounts', code: 'Throttling' });
    const t = await org.send(new ListAccountsCommand({})).catch((x) => x);
    expect(t.name).to.equal('TooManyRequestsException');
  });
});
