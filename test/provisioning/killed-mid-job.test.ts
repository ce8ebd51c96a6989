// A node killed (SIGKILL) in the middle of a provisioning job: a real Gatehouse process
// (server/main.ts) with the aws driver, taking Gatehouse's own credentials from the standard AWS
// environment variables, is killed while the stand-in holds its CreateRole call. Another node on
// the same database finds the job by its lapsed lease, records it FAILED with the reason, and
// resumes the account with a new job that finishes it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runGatehouse } from '../support/cli.ts';
import { ADMIN_PASSWORD, startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { freePort } from '../support/free-port.ts';
import { placeFixtureSigningKey } from '../support/signing-keys.ts';
import { startAwsStandIn, type AwsStandIn } from '../support/aws-standin/server.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const ACCOUNT = '111122223333';

async function waitFor(predicate: () => boolean | Promise<boolean>, ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
}

describe('Provisioning: a node killed mid-job', function () {
  this.timeout(60_000);
  let aws: AwsStandIn;
  let dir: string;
  let child: ChildProcess | undefined;
  let second: TestGatehouse | undefined;

  beforeEach(async () => {
    aws = await startAwsStandIn();
    aws.addAccount({ id: ACCOUNT, name: 'Prod', email: 'prod@example.com' });
    dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-killed-'));
  });
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await second?.close();
    await aws.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves no job IN_PROGRESS: the next node fails it with the reason and a resumed job finishes the account', async () => {
    const certsDir = path.join(dir, 'certs');
    await placeFixtureSigningKey(certsDir);
    const port = await freePort();
    const env = { PROVISIONING_DRIVER: 'aws', PROVISIONING_IAM_ENDPOINT: aws.url, PROVISIONING_STS_ENDPOINT: aws.url, PROVISIONING_LEASE_SECONDS: '5' };
    let out = '';
    child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'server/main.ts')], {
      cwd: REPO,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        DATA_DIR: dir,
        CERTS_DIR: certsDir,
        GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
        LOG_LEVEL: 'warn',
        AWS_ACCESS_KEY_ID: aws.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: aws.credentials.secretAccessKey,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    await waitFor(() => out.includes('Gatehouse is serving'), 30_000).catch(() => {
      throw new Error(`the node did not start:\n${out}`);
    });
    const base = `http://localhost:${port}/api/v1`;
    // A new instance asks for a second factor at sign-in: the script gets its token on the host
    // (`gatehouse admin token`, run in this process by test/support/cli.ts).
    const minted = await runGatehouse(['admin', 'token', 'admin'], { DATA_DIR: dir, CERTS_DIR: certsDir, LOG_LEVEL: 'warn' });
    expect(minted.code, minted.stderr).to.equal(0);
    const token = minted.stdout.trim();
    const call = async (method: string, p: string, body?: unknown) => {
      const res = await fetch(base + p, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return (await res.json()) as any;
    };
    await call('POST', '/accounts', { accountId: ACCOUNT, name: 'Prod', email: 'prod@example.com' });
    const set = await call('POST', '/permission-sets', { name: 'ReadOnly', managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] });
    const group = await call('POST', '/groups', { displayName: 'Engineers' });
    const hold = aws.hold('CreateRole', ACCOUNT);
    await call('POST', '/account-assignments', { accountId: ACCOUNT, permissionSetId: set.id, principalType: 'GROUP', principalId: group.id });
    await hold.reached;
    // The provider is in, the role is being created: the node dies here.
    expect(aws.iam(ACCOUNT).samlProviders.size).to.equal(1);
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    hold.release();

    // Another node on the same database, its clock past the dead node's lease.
    second = await startGatehouse({ dataDir: dir, signingKey: false, env, provisioning: { credentials: aws.credentials, now: () => new Date(Date.now() + 60_000) } });
    const [interrupted] = (await second.api('GET', `/provisioning/jobs?accountId=${ACCOUNT}`)).body.items;
    expect(interrupted.status).to.equal('IN_PROGRESS');
    const resumed = await second.services.provisioning.recoverInterrupted();
    expect(resumed.map((j) => j.trigger)).to.deep.equal(['resume']);
    await second.services.provisioning.idle();
    const jobs = (await second.api('GET', `/provisioning/jobs?accountId=${ACCOUNT}`)).body.items;
    expect(jobs.map((j: any) => j.status)).to.deep.equal(['SUCCEEDED', 'FAILED']);
    expect(jobs[1].failureReason).to.match(/interrupted/);
    expect([...aws.iam(ACCOUNT).roles.values()].map((r) => r.attachedPolicies)).to.deep.equal([['arn:aws:iam::aws:policy/ReadOnlyAccess']]);
    const status = (await second.api('GET', `/accounts/${ACCOUNT}/provisioned-permission-sets`)).body.items;
    expect(status.map((s: any) => s.provisioningStatus)).to.deep.equal(['LATEST_PERMISSION_SET_PROVISIONED']);
  });
});
