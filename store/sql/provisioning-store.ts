// Provisioning jobs and records. One IN_PROGRESS job per account is the partial unique index of
// migration 0006: a second start, from any node, is a unique violation, hence ConflictError.
import { ConflictError } from '../../model/errors.ts';
import type { OrganizationAccount, OuAssignment, ProvisionedProvider, ProvisionedRole, ProvisioningJob, ProvisioningJobStatus } from '../../model/provisioning.ts';
import type { ListQuery, NewProvisioningJob, Page, ProvisioningStore } from '../stores.ts';
import { readDate } from './codec.ts';
import type { SqlContext } from './context.ts';
import { translated } from './errors.ts';
import { decodeToken, pageLimit, toPage } from './pagination.ts';
import type { OuAssignmentRow, ProvisionedProviderRow, ProvisionedRoleRow, ProvisioningJobRow } from './schema.ts';
import { atomically } from './transaction.ts';

const jobOf = (r: ProvisioningJobRow): ProvisioningJob => ({
  id: r.id,
  accountId: r.account_id,
  permissionSetId: r.permission_set_id,
  trigger: r.trigger,
  status: r.status as ProvisioningJobStatus,
  failureReason: r.failure_reason,
  createdAt: readDate(r.created_at),
  updatedAt: readDate(r.updated_at),
  leaseExpiresAt: r.lease_expires_at === null ? null : readDate(r.lease_expires_at),
});
const roleOf = (r: ProvisionedRoleRow): ProvisionedRole => ({
  accountId: r.account_id,
  permissionSetId: r.permission_set_id,
  roleName: r.role_name,
  roleArn: r.role_arn,
  version: Number(r.version),
  provisionedAt: readDate(r.provisioned_at),
});
const providerOf = (r: ProvisionedProviderRow): ProvisionedProvider => ({
  accountId: r.account_id,
  name: r.name,
  arn: r.arn,
  metadataSha256: r.metadata_sha256,
  provisionedAt: readDate(r.provisioned_at),
});

export class SqlProvisioningStore implements ProvisioningStore {
  constructor(private readonly ctx: SqlContext) {}

  async startJob(job: NewProvisioningJob): Promise<ProvisioningJob> {
    const { date } = this.ctx.codec;
    const row: ProvisioningJobRow = {
      id: job.id,
      account_id: job.accountId,
      permission_set_id: job.permissionSetId,
      trigger: job.trigger,
      status: 'IN_PROGRESS',
      failure_reason: null,
      created_at: date(job.at),
      updated_at: date(job.at),
      lease_expires_at: date(job.leaseExpiresAt),
    };
    await translated(() => this.ctx.db.insertInto('provisioning_jobs').values(row).execute(), {
      unique: () => new ConflictError(`a provisioning job is already in progress for account ${job.accountId}`),
    });
    return jobOf(row);
  }

  async renewLease(id: string, leaseExpiresAt: Date, at: Date): Promise<boolean> {
    const { date } = this.ctx.codec;
    const r = await translated(() =>
      this.ctx.db.updateTable('provisioning_jobs').set({ lease_expires_at: date(leaseExpiresAt), updated_at: date(at) }).where('id', '=', id).where('status', '=', 'IN_PROGRESS').executeTakeFirst(),
    );
    return Number(r.numUpdatedRows) > 0;
  }

  async finishJob(id: string, status: 'SUCCEEDED' | 'FAILED', failureReason: string | null, at: Date): Promise<boolean> {
    const r = await translated(() =>
      this.ctx.db
        .updateTable('provisioning_jobs')
        .set({ status, failure_reason: failureReason, updated_at: this.ctx.codec.date(at), lease_expires_at: null })
        .where('id', '=', id)
        .where('status', '=', 'IN_PROGRESS')
        .executeTakeFirst(),
    );
    return Number(r.numUpdatedRows) > 0;
  }

  async getJob(id: string): Promise<ProvisioningJob | null> {
    const row = await translated(() => this.ctx.db.selectFrom('provisioning_jobs').selectAll().where('id', '=', id).executeTakeFirst());
    return row ? jobOf(row) : null;
  }

  async listJobs(filter: { accountId?: string; status?: ProvisioningJobStatus }, query: Omit<ListQuery, 'nameContains'> = {}): Promise<Page<ProvisioningJob>> {
    const limit = pageLimit(query.limit);
    let q = this.ctx.db.selectFrom('provisioning_jobs').selectAll();
    if (filter.accountId !== undefined) q = q.where('account_id', '=', filter.accountId);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    if (query.nextToken !== undefined) {
      const [at, id] = decodeToken(query.nextToken, ['number', 'string']) as [number, string];
      const d = this.ctx.codec.date(new Date(at));
      q = q.where((eb) => eb.or([eb('created_at', '<', d), eb.and([eb('created_at', '=', d), eb('id', '<', id)])]));
    }
    const rows = await translated(() => q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute());
    return toPage(rows, limit, (r) => [readDate(r.created_at).getTime(), r.id], jobOf);
  }

  async interruptedJobs(now: Date): Promise<ProvisioningJob[]> {
    const rows = await translated(() =>
      this.ctx.db.selectFrom('provisioning_jobs').selectAll().where('status', '=', 'IN_PROGRESS').where('lease_expires_at', '<', this.ctx.codec.date(now)).orderBy('created_at').execute(),
    );
    return rows.map(jobOf);
  }

  async putRole(role: ProvisionedRole): Promise<void> {
    const values = {
      account_id: role.accountId,
      permission_set_id: role.permissionSetId,
      role_name: role.roleName,
      role_arn: role.roleArn,
      version: role.version,
      provisioned_at: this.ctx.codec.date(role.provisionedAt),
    };
    await translated(() =>
      this.ctx.db
        .insertInto('provisioned_roles')
        .values(values)
        .onConflict((oc) => oc.columns(['account_id', 'permission_set_id']).doUpdateSet({ role_name: values.role_name, role_arn: values.role_arn, version: values.version, provisioned_at: values.provisioned_at }))
        .execute(),
    );
  }

  async deleteRole(accountId: string, permissionSetId: string): Promise<void> {
    await translated(() => this.ctx.db.deleteFrom('provisioned_roles').where('account_id', '=', accountId).where('permission_set_id', '=', permissionSetId).execute());
  }

  async listRoles(filter: { accountId?: string; permissionSetId?: string } = {}): Promise<ProvisionedRole[]> {
    let q = this.ctx.db.selectFrom('provisioned_roles').selectAll();
    if (filter.accountId !== undefined) q = q.where('account_id', '=', filter.accountId);
    if (filter.permissionSetId !== undefined) q = q.where('permission_set_id', '=', filter.permissionSetId);
    const rows = await translated(() => q.orderBy('account_id').orderBy('permission_set_id').execute());
    return rows.map(roleOf);
  }

  async putProvider(p: ProvisionedProvider): Promise<void> {
    const values = { account_id: p.accountId, name: p.name, arn: p.arn, metadata_sha256: p.metadataSha256, provisioned_at: this.ctx.codec.date(p.provisionedAt) };
    await translated(() =>
      this.ctx.db
        .insertInto('provisioned_providers')
        .values(values)
        .onConflict((oc) => oc.column('account_id').doUpdateSet({ name: values.name, arn: values.arn, metadata_sha256: values.metadata_sha256, provisioned_at: values.provisioned_at }))
        .execute(),
    );
  }

  async deleteProvider(accountId: string): Promise<void> {
    await translated(() => this.ctx.db.deleteFrom('provisioned_providers').where('account_id', '=', accountId).execute());
  }

  async listProviders(filter: { accountId?: string } = {}): Promise<ProvisionedProvider[]> {
    let q = this.ctx.db.selectFrom('provisioned_providers').selectAll();
    if (filter.accountId !== undefined) q = q.where('account_id', '=', filter.accountId);
    const rows = await translated(() => q.orderBy('account_id').execute());
    return rows.map(providerOf);
  }

  async putOrganizationAccount(a: OrganizationAccount): Promise<void> {
    const values = { account_id: a.accountId, ou_path: a.ouPath, status: a.status, imported_at: this.ctx.codec.date(a.importedAt) };
    await translated(() =>
      this.ctx.db
        .insertInto('organization_accounts')
        .values(values)
        .onConflict((oc) => oc.column('account_id').doUpdateSet({ ou_path: values.ou_path, status: values.status, imported_at: values.imported_at }))
        .execute(),
    );
  }

  async listOrganizationAccounts(): Promise<OrganizationAccount[]> {
    const rows = await translated(() => this.ctx.db.selectFrom('organization_accounts').selectAll().orderBy('account_id').execute());
    return rows.map((r) => ({ accountId: r.account_id, ouPath: r.ou_path, status: r.status as OrganizationAccount['status'], importedAt: readDate(r.imported_at) }));
  }

  async createOuAssignment(a: OuAssignment): Promise<void> {
    await translated(
      () =>
        this.ctx.db
          .insertInto('ou_assignments')
          .values({ id: a.id, ou_path: a.ouPath, permission_set_id: a.permissionSetId, principal_type: a.principalType, principal_id: a.principalId, created_at: this.ctx.codec.date(a.createdAt) })
          .execute(),
      { unique: () => new ConflictError('that OU assignment already exists') },
    );
  }

  async getOuAssignment(id: string): Promise<OuAssignment | null> {
    const row = await translated(() => this.ctx.db.selectFrom('ou_assignments').selectAll().where('id', '=', id).executeTakeFirst());
    return row ? ouAssignmentOf(row) : null;
  }

  async listOuAssignments(): Promise<OuAssignment[]> {
    const rows = await translated(() => this.ctx.db.selectFrom('ou_assignments').selectAll().orderBy('ou_path').orderBy('id').execute());
    return rows.map(ouAssignmentOf);
  }

  async deleteOuAssignment(id: string): Promise<void> {
    await atomically(this.ctx, async (db) => {
      await db.deleteFrom('ou_assignment_members').where('ou_assignment_id', '=', id).execute();
      await db.deleteFrom('ou_assignments').where('id', '=', id).execute();
    });
  }

  async addOuMember(ouAssignmentId: string, accountId: string): Promise<void> {
    await translated(() =>
      this.ctx.db.insertInto('ou_assignment_members').values({ ou_assignment_id: ouAssignmentId, account_id: accountId }).onConflict((oc) => oc.columns(['ou_assignment_id', 'account_id']).doNothing()).execute(),
    );
  }

  async listOuMembers(ouAssignmentId: string): Promise<string[]> {
    const rows = await translated(() => this.ctx.db.selectFrom('ou_assignment_members').select('account_id').where('ou_assignment_id', '=', ouAssignmentId).orderBy('account_id').execute());
    return rows.map((r) => r.account_id);
  }
}

const ouAssignmentOf = (r: OuAssignmentRow): OuAssignment => ({
  id: r.id,
  ouPath: r.ou_path,
  permissionSetId: r.permission_set_id,
  principalType: r.principal_type as OuAssignment['principalType'],
  principalId: r.principal_id,
  createdAt: readDate(r.created_at),
});
