// Importing accounts from AWS Organizations through the real @aws-sdk/client-organizations against
// the AWS stand-in: accounts appear with their kind and OU path; on a later import, renamed ones
// follow, and closed or removed ones are flagged but kept with their assignments.
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { startAwsStandIn, type AwsStandIn } from '../support/aws-standin/server.ts';

describe('Importing accounts from AWS Organizations (real SDK client, AWS stand-in)', () => {
  let aws: AwsStandIn;
  let gh: TestGatehouse;
  let pauses: number[];

  beforeEach(async () => {
    aws = await startAwsStandIn({ managementAccountId: '999999999999' });
    aws.addUnit({ id: 'ou-stnd-workload', name: 'Workloads' });
    aws.addUnit({ id: 'ou-stnd-prodprod', name: 'Prod', parentId: 'ou-stnd-workload' });
    aws.addAccount({ id: '111122223333', name: 'Production', email: 'prod@example.com', parentId: 'ou-stnd-prodprod' });
    aws.addAccount({ id: '444455556666', name: 'Development', email: 'dev@example.com', parentId: 'ou-stnd-workload' });
    aws.addAccount({ id: '777788889999', name: 'Old', email: 'old@example.com', status: 'SUSPENDED' });
    pauses = [];
    gh = await startGatehouse({
      env: { PROVISIONING_DRIVER: 'aws', PROVISIONING_IAM_ENDPOINT: aws.url, PROVISIONING_STS_ENDPOINT: aws.url, PROVISIONING_ORGANIZATIONS_ENDPOINT: aws.url },
      provisioning: { credentials: aws.credentials, backoff: { attempts: 3, baseMs: 1, maxMs: 10, sleep: async (ms) => void pauses.push(ms) } },
    });
  });
  afterEach(async () => {
    await gh.close();
    await aws.close();
  });

  it('creates the accounts with kind and OU path, flags closed ones, and on re-import flags removed ones without deleting them', async () => {
    aws.fail({ service: 'organizations', action: 'ListAccountsForParent', code: 'Throttling' });
    const first = await gh.api('POST', '/organization/import');
    expect(first.status).to.equal(200);
    expect(pauses).to.have.length(1);
    expect([...first.body.created].sort()).to.deep.equal(['111122223333', '444455556666', '777788889999', '999999999999']);
    expect(first.body.flagged).to.deep.equal([{ accountId: '777788889999', status: 'SUSPENDED' }]);
    const accounts = (await gh.api('GET', '/accounts')).body.items;
    expect(accounts.map((a: any) => [a.accountId, a.name, a.kind]).sort()).to.deep.equal([
      ['111122223333', 'Production', 'member'],
      ['444455556666', 'Development', 'member'],
      ['777788889999', 'Old', 'member'],
      ['999999999999', 'Management', 'management'],
    ]);
    expect((await gh.api('GET', '/instance')).body.managementAccountId).to.equal('999999999999');
    const org = (await gh.api('GET', '/organization/accounts')).body.items;
    expect(org.map((a: any) => [a.accountId, a.ouPath, a.status, a.flagged])).to.deep.equal([
      ['111122223333', '/Root/Workloads/Prod', 'ACTIVE', false],
      ['444455556666', '/Root/Workloads', 'ACTIVE', false],
      ['777788889999', '/Root', 'SUSPENDED', true],
      ['999999999999', '/Root', 'ACTIVE', false],
    ]);

    // The organization changes: one account renamed, one removed.
    aws.organization.accounts.get('444455556666')!.name = 'Dev';
    aws.organization.accounts.delete('111122223333');
    const second = await gh.api('POST', '/organization/import');
    expect(second.body).to.deep.include({ created: [], updated: ['444455556666'] });
    expect(second.body.flagged).to.deep.include({ accountId: '111122223333', status: 'REMOVED' });
    expect((await gh.api('GET', '/accounts/111122223333')).status).to.equal(200);
    expect((await gh.api('GET', '/accounts/444455556666')).body.name).to.equal('Dev');
  });

  it('assigns a permission set in every current and future account of an OU, and removes only what it made', async () => {
    await gh.api('POST', '/organization/import');
    const ps = (await gh.api('POST', '/permission-sets', { name: 'Workload', managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] })).body;
    const group = (await gh.api('POST', '/groups', { displayName: 'Developers' })).body;
    const key = { permissionSetId: ps.id, principalType: 'GROUP', principalId: group.id };
    // Made directly before the OU assignment: it stays when the OU assignment goes.
    await gh.api('POST', '/account-assignments', { accountId: '444455556666', ...key });
    const created = await gh.api('POST', '/ou-assignments', { ouPath: '/Root/Workloads', ...key });
    expect(created.status).to.equal(201);
    expect(created.body.accountIds).to.deep.equal(['111122223333']);
    const assigned = async () => (await gh.api('GET', `/account-assignments?permissionSetId=${ps.id}`)).body.items.map((a: any) => a.accountId).sort();
    expect(await assigned()).to.deep.equal(['111122223333', '444455556666']);
    await gh.services.provisioning.idle();
    expect([...aws.iam('111122223333').roles.values()].some((r) => r.roleName.startsWith('Gatehouse_Workload_'))).to.equal(true);

    // A new account in an OU under it gets the assignment at the next import.
    aws.addUnit({ id: 'ou-stnd-stagings', name: 'Staging', parentId: 'ou-stnd-workload' });
    aws.addAccount({ id: '121212121212', name: 'Staging', email: 'staging@example.com', parentId: 'ou-stnd-stagings' });
    const imported = await gh.api('POST', '/organization/import');
    expect(imported.body.expanded).to.deep.equal([{ ouAssignmentId: created.body.id, accountIds: ['121212121212'] }]);
    expect(await assigned()).to.deep.equal(['111122223333', '121212121212', '444455556666']);

    expect((await gh.api('DELETE', `/ou-assignments/${created.body.id}`)).status).to.equal(204);
    expect(await assigned()).to.deep.equal(['444455556666']);
    expect((await gh.api('GET', '/ou-assignments')).body.items).to.deep.equal([]);
    await gh.services.provisioning.idle();
    expect([...aws.iam('111122223333').roles.values()].some((r) => r.roleName.startsWith('Gatehouse_Workload_'))).to.equal(false);
  });

  it('is refused without the aws driver', async () => {
    const other = await startGatehouse();
    try {
      expect((await other.api('POST', '/organization/import')).status).to.equal(409);
    } finally {
      await other.close();
    }
  });
});
