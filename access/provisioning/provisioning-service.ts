// Provisioning use cases (docs/provisioning.md): the desired state of each account from the
// records, plans, jobs that bring accounts to it through the configured driver, the provisioning
// status of every (account, permission set), and drift. Like sso-admin ProvisionPermissionSet,
// a job runs in the background and is polled; one job per account runs at a time across all
// nodes (the store refuses a second); a job whose node stopped is found by its lease and resumed.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../model/errors.ts';
import type { ProvisionedRole, ProvisioningJob } from '../../model/provisioning.ts';
import type { Account, PermissionSet } from '../../model/types.ts';
import { parseInput } from '../../model/validate.ts';
import type { SqlStores } from '../../store/stores.ts';
import { federatedRoleFor, roleNameFor } from '../role-name.ts';
import { changesFromObserved, changesFromRecords, hasChanges, metadataDigest, type AccountChanges } from './changes.ts';
import { stackSetTemplates } from './cloudformation.ts';
import { desiredAccount, type DesiredAccount } from './desired-state.ts';
import type { ProvisioningDriver } from './driver.ts';
import type { ProvisioningTrigger } from './trigger.ts';
import { importOrganization, type ImportResult, type OrganizationReader } from './organization-import.ts';
import type { OrganizationAccount } from '../../model/provisioning.ts';

export type ProvisioningStatus = 'LATEST_PERMISSION_SET_PROVISIONED' | 'LATEST_PERMISSION_SET_NOT_PROVISIONED';

/** One (account, permission set): its role, and whether the role reflects the set's current version. */
export interface PairStatus {
  accountId: string;
  permissionSetId: string;
  permissionSetName: string;
  roleName: string;
  roleArn: string;
  currentVersion: number;
  provisionedVersion: number | null;
  provisioningStatus: ProvisioningStatus;
}

export interface ProvisioningSettings {
  /** Provision a permission set's accounts as soon as it is edited (else only on request). */
  autoProvisionEdits: boolean;
}

const SETTINGS_NAME = 'provisioning';
const settingsSchema = z.strictObject({ autoProvisionEdits: z.boolean() });

export interface ProvisioningDeps {
  stores: Pick<SqlStores, 'accounts' | 'assignments' | 'permissionSets' | 'provisioning' | 'settings' | 'audit' | 'transaction'>;
  /** null: no driver configured; plans and status work, jobs are refused. */
  driver: ProvisioningDriver | null;
  /** Gatehouse's IdP metadata, as each account's SAML provider must carry it. */
  metadata: () => Promise<string>;
  /** AWS Organizations (with the aws driver); null: importing accounts is refused. */
  organization?: OrganizationReader | null;
  /** Where a newly imported account's SAML Response goes. */
  defaultSignInEndpoint?: string;
  now: () => Date;
  /** How long a job's lease lasts; the running node renews it at a third of that. */
  leaseMs?: number;
  /** Jobs this node runs at once (default 4); the others wait, IN_PROGRESS. */
  concurrency?: number;
  onError?: (err: unknown, context: { accountId: string; jobId?: string }) => void;
}

/** The input shape, for the OpenAPI document. */
export { settingsSchema as provisioningSettingsSchema };

export class ProvisioningService {
  readonly #running = new Set<Promise<void>>();
  readonly #leaseMs: number;
  readonly #concurrency: number;

  constructor(private readonly d: ProvisioningDeps) {
    this.#leaseMs = d.leaseMs ?? 60_000;
    this.#concurrency = d.concurrency ?? 4;
  }

  get driverName(): string | null {
    return this.d.driver?.name ?? null;
  }

  async #allPages<T>(list: (nextToken?: string) => Promise<{ items: T[]; nextToken?: string }>): Promise<T[]> {
    const out: T[] = [];
    let token: string | undefined;
    do {
      const page = await list(token);
      out.push(...page.items);
      token = page.nextToken;
    } while (token);
    return out;
  }

  async #account(accountId: string): Promise<Account> {
    const account = await this.d.stores.accounts.get(accountId);
    if (!account) throw new NotFoundError('account', accountId);
    return account;
  }

  /** The permission sets assigned in an account (to anyone). */
  async #assignedSets(accountId: string): Promise<PermissionSet[]> {
    const assignments = await this.#allPages((nextToken) => this.d.stores.assignments.list({ accountId }, { limit: 1000, nextToken }));
    return this.d.stores.permissionSets.getMany([...new Set(assignments.map((a) => a.permissionSetId))]);
  }

  async desired(accountId: string): Promise<{ account: Account; desired: DesiredAccount | null }> {
    const account = await this.#account(accountId);
    return { account, desired: desiredAccount(account, await this.#assignedSets(accountId), await this.d.metadata()) };
  }

  /** What a job would change in the account, from Gatehouse's records (no AWS call). */
  async planAccount(accountId: string): Promise<AccountChanges> {
    const { desired } = await this.desired(accountId);
    return this.#changesFromRecords(accountId, desired);
  }

  async #changesFromRecords(accountId: string, desired: DesiredAccount | null): Promise<AccountChanges> {
    const records = await this.d.stores.provisioning.listRoles({ accountId });
    const [provider] = await this.d.stores.provisioning.listProviders({ accountId });
    return changesFromRecords(accountId, desired, records, provider ?? null);
  }

  /** Every account with assignments or with something provisioned: what apply would change. Only accounts with changes are listed. */
  async plan(): Promise<AccountChanges[]> {
    const [accounts, sets, assignments, records, providers, metadata] = await Promise.all([
      this.#allPages((nextToken) => this.d.stores.accounts.list({ limit: 1000, nextToken })),
      this.#allPages((nextToken) => this.d.stores.permissionSets.list({ limit: 1000, nextToken })),
      this.#allPages((nextToken) => this.d.stores.assignments.list({}, { limit: 1000, nextToken })),
      this.d.stores.provisioning.listRoles(),
      this.d.stores.provisioning.listProviders(),
      this.d.metadata(),
    ]);
    return planAll({ accounts, sets, assignments, records, providers, metadata });
  }

  /** The desired state of every account as StackSets-ready CloudFormation templates (cloudformation.ts). */
  async stackSets(): Promise<ReturnType<typeof stackSetTemplates>> {
    const [accounts, sets, assignments, metadata] = await Promise.all([
      this.#allPages((nextToken) => this.d.stores.accounts.list({ limit: 1000, nextToken })),
      this.#allPages((nextToken) => this.d.stores.permissionSets.list({ limit: 1000, nextToken })),
      this.#allPages((nextToken) => this.d.stores.assignments.list({}, { limit: 1000, nextToken })),
      this.d.metadata(),
    ]);
    const byId = new Map(sets.map((s) => [s.id, s]));
    const desired: DesiredAccount[] = [];
    for (const account of accounts) {
      const ids = new Set(assignments.filter((a) => a.accountId === account.accountId).map((a) => a.permissionSetId));
      const d = desiredAccount(account, [...ids].map((id) => byId.get(id)).filter((s): s is PermissionSet => s !== undefined), metadata);
      if (d) desired.push(d);
    }
    return stackSetTemplates(desired);
  }

  /** Reads the account back through the driver: what differs from the desired state (hand edits, deletions, a stale provider). */
  async drift(accountId: string): Promise<AccountChanges> {
    const driver = this.#driver();
    if (driver.name !== 'aws') throw new ConflictError('drift is read from AWS: it needs the aws provisioning driver');
    const { account, desired } = await this.desired(accountId);
    const observed = await driver.observe(account);
    return changesFromObserved(accountId, desired, observed, account.samlProviderName, federatedRoleFor(account, { id: '', name: '' }).providerArn);
  }

  #driver(): ProvisioningDriver {
    if (!this.d.driver) throw new ConflictError('no provisioning driver is configured (PROVISIONING_DRIVER=aws or export)');
    return this.d.driver;
  }

  /**
   * Starts a job that brings the account to its desired state, and returns it IN_PROGRESS.
   * ConflictError while another job of the account runs (on any node).
   */
  async start(accountId: string, trigger: string, actor: string, permissionSetId: string | null = null): Promise<ProvisioningJob> {
    const driver = this.#driver();
    const account = await this.d.stores.accounts.get(accountId);
    if (!account) throw new NotFoundError('account', accountId);
    const now = this.d.now();
    const job = await this.d.stores.provisioning.startJob({ id: randomUUID(), accountId, permissionSetId, trigger, at: now, leaseExpiresAt: new Date(now.getTime() + this.#leaseMs) });
    await this.d.stores.audit.append({ actor, action: 'provisioning.start', target: `account/${accountId}`, detail: { jobId: job.id, trigger, driver: driver.name, ...(permissionSetId ? { permissionSetId } : {}) } });
    const run = this.#run(driver, job).finally(() => this.#running.delete(run));
    this.#running.add(run);
    return job;
  }

  /** ProvisionPermissionSet: the set's accounts (one, or every account it is assigned in). */
  async provisionPermissionSet(permissionSetId: string, accountId: string | undefined, actor: string): Promise<ProvisioningJob[]> {
    const set = await this.d.stores.permissionSets.get(permissionSetId);
    if (!set) throw new NotFoundError('permission set', permissionSetId);
    const accounts = accountId !== undefined ? [accountId] : await this.#accountsOfSet(permissionSetId);
    const jobs: ProvisioningJob[] = [];
    for (const a of accounts) jobs.push(await this.start(a, 'request', actor, permissionSetId));
    return jobs;
  }

  async #accountsOfSet(permissionSetId: string): Promise<string[]> {
    const assignments = await this.#allPages((nextToken) => this.d.stores.assignments.list({ permissionSetId }, { limit: 1000, nextToken }));
    const recorded = await this.d.stores.provisioning.listRoles({ permissionSetId });
    return [...new Set([...assignments.map((a) => a.accountId), ...recorded.map((r) => r.accountId)])].sort();
  }

  async #run(driver: ProvisioningDriver, job: ProvisioningJob): Promise<void> {
    const renew = setInterval(() => {
      const now = this.d.now();
      void this.d.stores.provisioning.renewLease(job.id, new Date(now.getTime() + this.#leaseMs), now).catch((err) => this.d.onError?.(err, { accountId: job.accountId, jobId: job.id }));
    }, Math.max(10, Math.floor(this.#leaseMs / 3)));
    renew.unref();
    let failure: string | null = null;
    let release: (() => void) | undefined;
    try {
      // A few accounts at a time per node: IAM's rate is per AWS account of the caller and per
      // target, and thousands of jobs at once would only be throttled (the lease is renewed while waiting).
      release = await this.#slot();
      const { account, desired } = await this.desired(job.accountId);
      const observed = await driver.observe(account);
      const changes = changesFromObserved(account.accountId, desired, observed, account.samlProviderName, federatedRoleFor(account, { id: '', name: '' }).providerArn);
      if (hasChanges(changes)) await driver.execute(account, changes, desired);
      await this.#record(account, desired);
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
      this.d.onError?.(err, { accountId: job.accountId, jobId: job.id });
    } finally {
      release?.();
      clearInterval(renew);
    }
    try {
      await this.d.stores.provisioning.finishJob(job.id, failure === null ? 'SUCCEEDED' : 'FAILED', failure, this.d.now());
      if (failure === null) await this.#followUp(job.accountId);
    } catch (err) {
      this.d.onError?.(err, { accountId: job.accountId, jobId: job.id });
    }
  }

  #active = 0;
  readonly #waiting: (() => void)[] = [];

  async #slot(): Promise<() => void> {
    if (this.#active >= this.#concurrency) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#active += 1;
    return () => {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active -= 1;
    };
  }

  /** What the job left in the account, for plans and status without reading AWS. */
  async #record(account: Account, desired: DesiredAccount | null): Promise<void> {
    const at = this.d.now();
    await this.d.stores.transaction(async (tx) => {
      const kept = new Set<string>();
      for (const r of desired?.roles ?? []) {
        kept.add(r.permissionSetId);
        await tx.provisioning.putRole({ accountId: account.accountId, permissionSetId: r.permissionSetId, roleName: r.roleName, roleArn: r.arn, version: r.permissionSetVersion, provisionedAt: at });
      }
      for (const old of await tx.provisioning.listRoles({ accountId: account.accountId })) if (!kept.has(old.permissionSetId)) await tx.provisioning.deleteRole(account.accountId, old.permissionSetId);
      if (desired) await tx.provisioning.putProvider({ accountId: account.accountId, name: desired.provider.name, arn: desired.provider.arn, metadataSha256: metadataDigest(desired.provider.metadataDocument), provisionedAt: at });
      else await tx.provisioning.deleteProvider(account.accountId);
    });
  }

  /**
   * A change that arrived while the job ran (its own start was refused) is picked up here: an
   * assignment made or removed always, an edit when edits provision automatically.
   */
  async #followUp(accountId: string): Promise<void> {
    const changes = await this.planAccount(accountId);
    const structural = changes.roles.some((r) => r.action !== 'update') || changes.provider?.action === 'create';
    if (structural || (hasChanges(changes) && (await this.settings()).autoProvisionEdits)) await this.#startQuietly(accountId, 'follow-up');
  }

  async #startQuietly(accountId: string, trigger: string): Promise<void> {
    try {
      await this.start(accountId, trigger, 'system');
    } catch (err) {
      // Another job runs for the account: it picks the change up when it ends (#followUp).
      if (!(err instanceof ConflictError)) this.d.onError?.(err, { accountId });
    }
  }

  /** Waits for the jobs this node runs (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running.size) await Promise.allSettled([...this.#running]);
  }

  #sweeper: NodeJS.Timeout | undefined;

  /** Looks for interrupted jobs now and then every lease (server/main.ts; the timer never keeps the process alive). */
  startRecovery(): void {
    if (this.#sweeper) return;
    const sweep = () => {
      void this.recoverInterrupted().catch((err) => this.d.onError?.(err, { accountId: '' }));
      void this.refreshProviders().catch((err) => this.d.onError?.(err, { accountId: '' }));
    };
    sweep();
    this.#sweeper = setInterval(sweep, this.#leaseMs);
    this.#sweeper.unref();
  }

  stopRecovery(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  /** Stops the recovery sweep, waits for the jobs this node runs, then lets go of the driver's and the organization reader's connections. */
  async close(): Promise<void> {
    this.stopRecovery();
    await this.idle();
    this.d.driver?.close?.();
    this.d.organization?.close?.();
  }

  /** A job IN_PROGRESS past its lease was running on a node that stopped: FAILED, then resumed by a new job (apply is idempotent). */
  async recoverInterrupted(): Promise<ProvisioningJob[]> {
    const resumed: ProvisioningJob[] = [];
    for (const job of await this.d.stores.provisioning.interruptedJobs(this.d.now())) {
      const ended = await this.d.stores.provisioning.finishJob(job.id, 'FAILED', 'interrupted: the node running the job stopped before it ended; resumed by a new job', this.d.now());
      if (!ended || !this.d.driver) continue;
      try {
        resumed.push(await this.start(job.accountId, 'resume', 'system', job.permissionSetId));
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    return resumed;
  }

  /**
   * Signing key rollover: a key staged on any node (or by `gatehouse keys stage`) changes the
   * published metadata; every account whose provider carries older metadata gets a job, so the
   * new certificate is trusted there before the key is promoted (docs/operations.md).
   */
  async refreshProviders(): Promise<string[]> {
    if (!this.d.driver) return [];
    const stale = await this.providersBehind();
    for (const accountId of stale) await this.#startQuietly(accountId, 'key-rollover');
    return stale;
  }

  /** Accounts whose provisioned SAML provider carries other metadata than the published one (a signing key is not promoted while any is). */
  async providersBehind(): Promise<string[]> {
    const digest = metadataDigest(await this.d.metadata());
    return (await this.d.stores.provisioning.listProviders()).filter((p) => p.metadataSha256 !== digest).map((p) => p.accountId);
  }

  async job(id: string): Promise<ProvisioningJob> {
    const job = await this.d.stores.provisioning.getJob(id);
    if (!job) throw new NotFoundError('provisioning job', id);
    return job;
  }

  jobs(filter: { accountId?: string }, query: { limit?: number; nextToken?: string }) {
    return this.d.stores.provisioning.listJobs(filter, query);
  }

  /** Status of every (account, permission set) assigned or provisioned, filtered. */
  async status(filter: { accountId?: string; permissionSetId?: string; provisioningStatus?: string }): Promise<PairStatus[]> {
    if (filter.provisioningStatus !== undefined && filter.provisioningStatus !== 'LATEST_PERMISSION_SET_PROVISIONED' && filter.provisioningStatus !== 'LATEST_PERMISSION_SET_NOT_PROVISIONED') {
      throw new ValidationError('provisioningStatus must be LATEST_PERMISSION_SET_PROVISIONED or LATEST_PERMISSION_SET_NOT_PROVISIONED', [{ field: 'provisioningStatus', message: 'unknown value' }]);
    }
    const assignments = await this.#allPages((nextToken) => this.d.stores.assignments.list({ accountId: filter.accountId, permissionSetId: filter.permissionSetId }, { limit: 1000, nextToken }));
    const records = await this.d.stores.provisioning.listRoles({ accountId: filter.accountId, permissionSetId: filter.permissionSetId });
    const pairs = new Map<string, { accountId: string; permissionSetId: string }>();
    for (const p of [...assignments, ...records]) pairs.set(`${p.accountId}/${p.permissionSetId}`, { accountId: p.accountId, permissionSetId: p.permissionSetId });
    const sets = new Map((await this.d.stores.permissionSets.getMany([...new Set([...pairs.values()].map((p) => p.permissionSetId))])).map((s) => [s.id, s]));
    const accounts = new Map((await this.d.stores.accounts.getMany([...new Set([...pairs.values()].map((p) => p.accountId))])).map((a) => [a.accountId, a]));
    const recorded = new Map(records.map((r) => [`${r.accountId}/${r.permissionSetId}`, r]));
    const out: PairStatus[] = [];
    for (const [key, p] of [...pairs].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const set = sets.get(p.permissionSetId);
      const account = accounts.get(p.accountId);
      const rec: ProvisionedRole | undefined = recorded.get(key);
      if (!set || !account) continue;
      const role = federatedRoleFor(account, set);
      const latest = rec !== undefined && rec.version === set.version;
      const s: PairStatus = {
        accountId: p.accountId,
        permissionSetId: p.permissionSetId,
        permissionSetName: set.name,
        roleName: role.roleName,
        roleArn: role.roleArn,
        currentVersion: set.version,
        provisionedVersion: rec?.version ?? null,
        provisioningStatus: latest ? 'LATEST_PERMISSION_SET_PROVISIONED' : 'LATEST_PERMISSION_SET_NOT_PROVISIONED',
      };
      if (filter.provisioningStatus === undefined || filter.provisioningStatus === s.provisioningStatus) out.push(s);
    }
    return out;
  }

  /** Creates or updates Gatehouse accounts from AWS Organizations; closed or removed ones are flagged. */
  async importOrganization(actor: string): Promise<ImportResult> {
    if (!this.d.organization) throw new ConflictError('importing accounts needs the aws provisioning driver (PROVISIONING_DRIVER=aws)');
    return importOrganization(this.d.organization, { stores: this.d.stores, defaultSignInEndpoint: this.d.defaultSignInEndpoint ?? 'https://signin.aws.amazon.com/saml', now: this.d.now }, actor);
  }

  /** What the last import said of each account, `flagged` when closed or gone from the organization. */
  async organizationAccounts(): Promise<(OrganizationAccount & { flagged: boolean })[]> {
    return (await this.d.stores.provisioning.listOrganizationAccounts()).map((a) => ({ ...a, flagged: a.status !== 'ACTIVE' }));
  }

  /** Assignments with the role name and ARN of their (account, permission set). */
  async withRoles<T extends { accountId: string; permissionSetId: string }>(page: { items: T[]; nextToken?: string }): Promise<{ items: (T & { roleName: string | null; roleArn: string | null })[]; nextToken?: string }> {
    const accounts = new Map((await this.d.stores.accounts.getMany([...new Set(page.items.map((a) => a.accountId))])).map((a) => [a.accountId, a]));
    const sets = new Map((await this.d.stores.permissionSets.getMany([...new Set(page.items.map((a) => a.permissionSetId))])).map((s) => [s.id, s]));
    const items = page.items.map((a) => {
      const account = accounts.get(a.accountId);
      const set = sets.get(a.permissionSetId);
      const role = account && set ? federatedRoleFor(account, set) : null;
      return { ...a, roleName: role?.roleName ?? null, roleArn: role?.roleArn ?? null };
    });
    return page.nextToken === undefined ? { items } : { items, nextToken: page.nextToken };
  }

  async settings(): Promise<ProvisioningSettings> {
    return (await this.d.stores.settings.get<ProvisioningSettings>(SETTINGS_NAME))?.value ?? { autoProvisionEdits: false };
  }

  async updateSettings(input: unknown, actor: string): Promise<ProvisioningSettings> {
    const value = parseInput(settingsSchema, input, 'provisioning settings');
    await this.d.stores.transaction(async (tx) => {
      await tx.settings.put(SETTINGS_NAME, value);
      await tx.audit.append({ actor, action: 'provisioning.settings', target: 'provisioning', detail: { ...value } });
    });
    return value;
  }

  // ---- what starts provisioning by itself (trigger.ts) ----

  /** The trigger the assignment and permission set services call; never throws, runs in the background. */
  trigger(): ProvisioningTrigger {
    const track = (p: Promise<void>, accountId: string) => {
      const t: Promise<void> = p.catch((err) => this.d.onError?.(err, { accountId })).finally(() => this.#running.delete(t));
      this.#running.add(t);
    };
    return {
      assignmentsChanged: (accountId) => track(this.#assignmentsChanged(accountId), accountId),
      permissionSetChanged: (id, deleted) => track(this.#permissionSetChanged(id, deleted), ''),
    };
  }

  /** An assignment was made or removed in the account: provision it, as Identity Center does. */
  async #assignmentsChanged(accountId: string): Promise<void> {
    if (!this.d.driver) return;
    await this.#startQuietly(accountId, 'assignment');
  }

  /** A permission set was edited or deleted: its accounts need provisioning; done now when edits provision automatically (a deletion always). */
  async #permissionSetChanged(permissionSetId: string, deleted: boolean): Promise<void> {
    if (!this.d.driver) return;
    if (!deleted && !(await this.settings()).autoProvisionEdits) return;
    for (const accountId of await this.#accountsOfSet(permissionSetId)) await this.#startQuietly(accountId, deleted ? 'permission-set-deleted' : 'edit');
  }
}

/** The plan of every account at once, in memory (bench/provision.ts measures it). */
export function planAll(input: {
  accounts: Account[];
  sets: PermissionSet[];
  assignments: { accountId: string; permissionSetId: string }[];
  records: ProvisionedRole[];
  providers: { accountId: string; name: string; arn: string; metadataSha256: string }[];
  metadata: string;
}): AccountChanges[] {
  const sets = new Map(input.sets.map((s) => [s.id, s]));
  const assigned = new Map<string, Set<string>>();
  for (const a of input.assignments) {
    let s = assigned.get(a.accountId);
    if (!s) assigned.set(a.accountId, (s = new Set()));
    s.add(a.permissionSetId);
  }
  const recordsOf = new Map<string, ProvisionedRole[]>();
  for (const r of input.records) {
    const list = recordsOf.get(r.accountId);
    if (list) list.push(r);
    else recordsOf.set(r.accountId, [r]);
  }
  const providerOf = new Map(input.providers.map((p) => [p.accountId, p]));
  const digest = metadataDigest(input.metadata);
  const out: AccountChanges[] = [];
  for (const account of input.accounts) {
    const ids = assigned.get(account.accountId);
    const chosen = ids ? [...ids].map((id) => sets.get(id)).filter((s): s is PermissionSet => s !== undefined) : [];
    const records = recordsOf.get(account.accountId) ?? [];
    // A role provisioned at the set's current version under its current name needs nothing, and
    // its full desired state is not built: most roles of a large organization are such.
    const recorded = new Map(records.map((r) => [r.permissionSetId, r]));
    const current = new Set<string>();
    for (const s of chosen) {
      const r = recorded.get(s.id);
      if (r && r.version === s.version && r.roleName === roleNameFor(s.name, s.id, account.accountId)) current.add(s.id);
    }
    const desired = desiredAccount(account, current.size ? chosen.filter((s) => !current.has(s.id)) : chosen, input.metadata);
    const changes = changesFromRecords(account.accountId, desired, current.size ? records.filter((r) => !current.has(r.permissionSetId)) : records, null);
    const provider = providerOf.get(account.accountId);
    if (chosen.length === 0) changes.provider = provider ? { action: 'delete', name: provider.name, arn: provider.arn } : null;
    else {
      const name = account.samlProviderName;
      const arn = federatedRoleFor(account, chosen[0]!).providerArn;
      changes.provider = !provider ? { action: 'create', name, arn } : provider.metadataSha256 !== digest ? { action: 'update', name, arn } : null;
    }
    if (hasChanges(changes)) out.push(changes);
  }
  return out;
}
