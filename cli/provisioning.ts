// `gatehouse plan [--account <id>]` and `gatehouse apply [--account <id>]` (docs/provisioning.md):
// what provisioning would change in each account, and carrying it out with the configured driver
// from this host. They read the same environment as the nodes (database, certs, PROVISIONING_*,
// and Gatehouse's AWS credentials from the standard AWS chain). apply runs its jobs here, one per
// account, refused like any other while a node runs one for the same account, and waits for them.
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { ProvisioningService } from '../access/provisioning/provisioning-service.ts';
import { planText } from '../access/provisioning/plan-text.ts';
import { loadExistingServerSecret } from '../access/server-secret.ts';
import { SigningKeyring } from '../access/signing-keys/keyring.ts';
import type { Config } from '../server/config.ts';
import { buildProvisioning } from '../server/provisioning-services.ts';
import { openSqlStores } from '../store/sql/open.ts';
import { silentLogger, type CliIo } from './io.ts';

export function addProvisioningCommands(program: Command, config: () => Config, io: CliIo): void {
  program
    .command('plan')
    .description('what apply would create, update and delete in each account (from what Gatehouse last provisioned; no AWS call)')
    .option('--account <id>', 'only this account')
    .option('--json', 'print JSON instead of text')
    .action((o: { account?: string; json?: boolean }) =>
      withProvisioning(config(), async (p, names) => {
        const plan = o.account !== undefined ? [await p.planAccount(o.account)].filter((c) => c.provider || c.roles.length) : await p.plan();
        io.out(`${o.json ? JSON.stringify({ accounts: plan }, null, 2) : planText(plan, names)}\n`);
      }),
    );

  program
    .command('apply')
    .description('carry the plan out with the configured driver (PROVISIONING_DRIVER), one job per account, and wait for them')
    .option('--account <id>', 'only this account (applied even when the plan shows nothing: it also repairs drift)')
    .option('--json', 'print JSON instead of text')
    .action((o: { account?: string; json?: boolean }) =>
      withProvisioning(config(), async (p, names) => {
        const plan = o.account !== undefined ? [await p.planAccount(o.account)] : await p.plan();
        if (!o.json) io.out(`${planText(plan.filter((c) => c.provider || c.roles.length), names)}\n`);
        const started = [];
        for (const c of plan) started.push(await p.start(c.accountId, 'apply', actor()));
        await p.idle();
        const jobs = await Promise.all(started.map((j) => p.job(j.id)));
        if (o.json) io.out(`${JSON.stringify({ jobs }, null, 2)}\n`);
        else for (const j of jobs) io.out(`${j.accountId}: ${j.status}${j.failureReason ? ` (${j.failureReason})` : ''}\n`);
        if (jobs.some((j) => j.status !== 'SUCCEEDED')) throw new Error(`${jobs.filter((j) => j.status !== 'SUCCEEDED').length} of ${jobs.length} job(s) failed`);
      }),
    );
}

function actor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

async function withProvisioning(config: Config, work: (p: ProvisioningService, accountNames: Map<string, string>) => Promise<void>): Promise<void> {
  if (config.database.kind === 'sqlite' && !existsSync(config.database.file)) {
    throw new Error(`No database at ${config.database.file}: set DATA_DIR or DATABASE_URL as the Gatehouse nodes have them`);
  }
  const serverSecret = await loadExistingServerSecret({ certsDir: config.certsDir, secret: config.secret });
  const sql = await openSqlStores(config.database, { connectTimeoutMs: config.dependencyTimeoutMs, queryTimeoutMs: Math.max(config.dependencyTimeoutMs, 5000) });
  try {
    const keyring = new SigningKeyring({ store: sql.signingKeys, sealKey: serverSecret.deriveKey('signing-keys'), refreshMs: config.signingKeysRefreshSeconds * 1000 });
    const provisioning = buildProvisioning(config, sql, keyring, silentLogger());
    try {
      const names = new Map<string, string>();
      let nextToken: string | undefined;
      do {
        const page = await sql.accounts.list({ limit: 1000, nextToken });
        for (const a of page.items) names.set(a.accountId, a.name);
        nextToken = page.nextToken;
      } while (nextToken);
      await work(provisioning, names);
    } finally {
      // Jobs already started when apply fails finish and record their outcome before the database closes.
      await provisioning.close();
    }
  } finally {
    await sql.close();
  }
}
