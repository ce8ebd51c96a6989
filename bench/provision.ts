// bench/provision (docs/provisioning.md): how long the plan of a large organization takes, and how
// fast the aws driver applies against the AWS stand-in (docs/aws-standin.md).
//
//   node --import tsx bench/provision.ts [--accounts 5000] [--sets 200] [--apply-accounts 20] [--apply-sets 10] [--concurrency 4]
//
// 1. Plan (goal: under 10 s for 5,000 accounts x 200 permission sets): every permission set is
//    assigned in every account, so the desired state has accounts x sets roles. Measured twice,
//    in memory (planAll, what GET /provisioning/plan runs once the stores are read): nothing
//    provisioned yet (everything to create), and everything provisioned at the current version
//    (nothing to do, the common case).
// 2. Apply: the aws driver through the real @aws-sdk/client-iam and client-sts against the local
//    stand-in, `--apply-accounts` accounts with `--apply-sets` roles each (3 managed policies and
//    an inline policy per set), `--concurrency` accounts at a time; printed as IAM calls per
//    second. Against AWS the ceiling is IAM's own request rate, not Gatehouse; the stand-in
//    figure says how much Gatehouse adds per call.
import { parseArgs } from 'node:util';
import { changesFromObserved } from '../access/provisioning/changes.ts';
import { desiredAccount } from '../access/provisioning/desired-state.ts';
import { AwsDriver } from '../access/provisioning/drivers/aws-driver.ts';
import { planAll } from '../access/provisioning/provisioning-service.ts';
import { federatedRoleFor } from '../access/role-name.ts';
import type { ProvisionedRole } from '../model/provisioning.ts';
import type { Account, PermissionSet } from '../model/types.ts';
import { startAwsStandIn } from '../test/support/aws-standin/server.ts';
import { standInMetadata } from '../test/support/aws-standin/fixtures.ts';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '5000' },
    sets: { type: 'string', default: '200' },
    'apply-accounts': { type: 'string', default: '20' },
    'apply-sets': { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '4' },
  },
});
const at = new Date();
const accountOf = (i: number): Account => ({
  accountId: String(100000000000 + i),
  name: `account-${i}`,
  email: `a${i}@example.com`,
  kind: 'member',
  samlProviderName: 'Gatehouse',
  signInEndpoint: 'https://signin.aws.amazon.com/saml',
  createdAt: at,
  updatedAt: at,
});
const setOf = (i: number): PermissionSet => ({
  id: `ps-${i.toString(16).padStart(16, '0')}`,
  arn: `arn:aws:sso:::permissionSet/ssoins-0000000000000000/ps-${i.toString(16).padStart(16, '0')}`,
  name: `Set${i}`,
  description: `permission set ${i}`,
  sessionDuration: 'PT4H',
  relayState: null,
  managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess', 'arn:aws:iam::aws:policy/AWSSupportAccess'],
  customerManagedPolicies: [],
  inlinePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::bucket-${i}/*` }] }),
  permissionsBoundary: null,
  tags: [{ key: 'team', value: `team-${i % 7}` }],
  version: 1,
  createdAt: at,
  updatedAt: at,
});

async function planBench(nAccounts: number, nSets: number) {
  const accounts = Array.from({ length: nAccounts }, (_, i) => accountOf(i));
  const sets = Array.from({ length: nSets }, (_, i) => setOf(i));
  const assignments = accounts.flatMap((a) => sets.map((s) => ({ accountId: a.accountId, permissionSetId: s.id })));
  const metadata = standInMetadata();
  let t = performance.now();
  const fresh = planAll({ accounts, sets, assignments, records: [], providers: [], metadata });
  const freshMs = performance.now() - t;
  const records: ProvisionedRole[] = accounts.flatMap((a) =>
    sets.map((s) => {
      const r = federatedRoleFor(a, s);
      return { accountId: a.accountId, permissionSetId: s.id, roleName: r.roleName, roleArn: r.roleArn, version: 1, provisionedAt: at };
    }),
  );
  const { createHash } = await import('node:crypto');
  const digest = createHash('sha256').update(metadata, 'utf8').digest('hex');
  const providers = accounts.map((a) => ({ accountId: a.accountId, name: 'Gatehouse', arn: `arn:aws:iam::${a.accountId}:saml-provider/Gatehouse`, metadataSha256: digest }));
  t = performance.now();
  const steady = planAll({ accounts, sets, assignments, records, providers, metadata });
  const steadyMs = performance.now() - t;
  const roles = nAccounts * nSets;
  console.log(`plan, ${nAccounts} accounts x ${nSets} permission sets (${roles.toLocaleString('en')} roles):`);
  console.log(`  nothing provisioned yet: ${(freshMs / 1000).toFixed(2)} s, ${fresh.length} accounts to change (goal < 10 s)`);
  console.log(`  all provisioned, nothing to do: ${(steadyMs / 1000).toFixed(2)} s, ${steady.length} accounts to change`);
}

async function applyBench(nAccounts: number, nSets: number, concurrency: number) {
  const aws = await startAwsStandIn();
  try {
    const accounts = Array.from({ length: nAccounts }, (_, i) => accountOf(i));
    for (const a of accounts) aws.addAccount({ id: a.accountId, name: a.name, email: a.email });
    const sets = Array.from({ length: nSets }, (_, i) => setOf(i));
    const driver = new AwsDriver({ region: 'us-east-1', iamEndpoint: aws.url, stsEndpoint: aws.url, accessRoleName: 'OrganizationAccountAccessRole', credentials: aws.credentials });
    const metadata = standInMetadata();
    const run = async (label: string) => {
      const before = aws.calls.filter((c) => c.service === 'iam').length;
      const queue = [...accounts];
      const t = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let a = queue.shift(); a; a = queue.shift()) {
            const desired = desiredAccount(a, sets, metadata);
            const observed = await driver.observe(a);
            const changes = changesFromObserved(a.accountId, desired, observed, a.samlProviderName, `arn:aws:iam::${a.accountId}:saml-provider/Gatehouse`);
            await driver.execute(a, changes, desired);
          }
        }),
      );
      const seconds = (performance.now() - t) / 1000;
      const calls = aws.calls.filter((c) => c.service === 'iam').length - before;
      console.log(`  ${label}: ${calls} IAM calls in ${seconds.toFixed(2)} s = ${(calls / seconds).toFixed(0)} calls/s`);
    };
    console.log(`apply with the aws driver against the stand-in, ${nAccounts} accounts x ${nSets} roles, ${concurrency} accounts at a time:`);
    await run('first apply (create)');
    await run('re-apply (read back, nothing to write)');
  } finally {
    await aws.close();
  }
}

await planBench(Number(values.accounts), Number(values.sets));
await applyBench(Number(values['apply-accounts']), Number(values['apply-sets']), Number(values.concurrency));
