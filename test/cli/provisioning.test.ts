// `gatehouse plan` and `gatehouse apply` as an administrator runs them on the host (the command
// line of bin/gatehouse.js, run in the test process by test/support/cli.ts), next to a node that
// has no driver configured: plan prints the readable diff, apply runs the jobs with the aws driver
// (Gatehouse's credentials from the standard AWS environment variables) against the AWS stand-in,
// or writes CloudFormation templates with the export driver.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runGatehouse as gatehouse } from '../support/cli.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { startAwsStandIn, type AwsStandIn } from '../support/aws-standin/server.ts';

describe('gatehouse plan / apply (command line)', function () {
  this.timeout(120_000);
  let gh: TestGatehouse;
  let aws: AwsStandIn;
  let env: Record<string, string>;
  let exportDir: string;

  before(async () => {
    aws = await startAwsStandIn();
    aws.addAccount({ id: '111122223333', name: 'Production', email: 'prod@example.com' });
    gh = await startGatehouse();
    exportDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-export-'));
    env = {
      DATA_DIR: gh.config.dataDir,
      CERTS_DIR: gh.config.certsDir,
      BASE_URL: gh.baseUrl,
      PROVISIONING_DRIVER: 'aws',
      PROVISIONING_IAM_ENDPOINT: aws.url,
      PROVISIONING_STS_ENDPOINT: aws.url,
      AWS_ACCESS_KEY_ID: aws.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: aws.credentials.secretAccessKey,
    };
    await gh.api('POST', '/accounts', { accountId: '111122223333', name: 'Production', email: 'prod@example.com' });
    const ps = (await gh.api('POST', '/permission-sets', { name: 'ReadOnly', managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] })).body;
    const group = (await gh.api('POST', '/groups', { displayName: 'Engineers' })).body;
    await gh.api('POST', '/account-assignments', { accountId: '111122223333', permissionSetId: ps.id, principalType: 'GROUP', principalId: group.id });
  });
  after(async () => {
    await gh?.close();
    await aws?.close();
    rmSync(exportDir, { recursive: true, force: true });
  });

  it('plans, applies, and then has nothing left to do', async () => {
    const plan = await gatehouse(['plan'], env);
    expect(plan.code, plan.stderr).to.equal(0);
    expect(plan.stdout).to.match(/^Account 111122223333 \(Production\)\n {2}\+ saml-provider Gatehouse\n {2}\+ role Gatehouse_ReadOnly_[0-9a-f]{16} {2}\(ReadOnly, version 1\)\n\nPlan: 2 to create, 0 to update, 0 to delete, in 1 account\(s\)\.\n$/);
    const apply = await gatehouse(['apply'], env);
    expect(apply.code, apply.stderr).to.equal(0);
    expect(apply.stdout).to.contain('111122223333: SUCCEEDED');
    expect([...aws.iam('111122223333').roles.values()].map((r) => r.roleName)).to.have.length(1);
    const again = await gatehouse(['plan'], env);
    expect(again.stdout).to.contain('No changes');
  });

  it('exits 1 with the reason when a job fails', async () => {
    aws.denyIam('111122223333');
    try {
      const apply = await gatehouse(['apply', '--account', '111122223333'], env);
      expect(apply.code).to.equal(1);
      expect(apply.stdout).to.contain('111122223333: FAILED').and.contain('AccessDenied');
      expect(apply.stderr).to.contain('1 of 1 job(s) failed');
    } finally {
      aws.denyIam('111122223333', false);
    }
  });

  it('writes a CloudFormation template per account with the export driver', async () => {
    const apply = await gatehouse(['apply', '--account', '111122223333'], { ...env, PROVISIONING_DRIVER: 'export', PROVISIONING_EXPORT_DIR: exportDir });
    expect(apply.code, apply.stderr).to.equal(0);
    const file = path.join(exportDir, '111122223333.template.json');
    expect(existsSync(file)).to.equal(true);
    const template = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.values(template.Resources).map((r: any) => r.Type).sort()).to.deep.equal(['AWS::IAM::Role', 'AWS::IAM::SAMLProvider']);
  });
});
