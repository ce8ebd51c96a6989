// Permission sets over SQL. The name is immutable (docs/aws-accounts.md: UpdatePermissionSet has no Name)
// and unique case-insensitively, as the IAM role names made from it are; every update bumps
// `version`, which provisioning compares with what each account has.

import type { Updateable } from 'kysely';
import { ConflictError, NotFoundError } from '../../model/errors.ts';
import type { AccountAssignment, CustomerManagedPolicyReference, PermissionSet, PermissionsBoundary, Tag } from '../../model/types.ts';
import type { ListQuery, NewPermissionSet, Page, PermissionSetPatch, PermissionSetStore } from '../stores.ts';
import { readAssignment } from './assignment-store.ts';
import { compareKeys, nameKey, readDate, readJson, writeJson } from './codec.ts';
import type { SqlContext } from './context.ts';
import { translated } from './errors.ts';
import { keyBeyond, keyContains } from './fragments.ts';
import { decodeToken, pageLimit, toPage } from './pagination.ts';
import type { PermissionSetRow } from './schema.ts';
import { atomically, lockedForUpdate } from './transaction.ts';

function readPermissionSet(row: PermissionSetRow): PermissionSet {
  return {
    id: row.id,
    arn: row.arn,
    name: row.name,
    description: row.description,
    sessionDuration: row.session_duration,
    relayState: row.relay_state,
    managedPolicies: readJson<string[]>(row.managed_policies_json),
    customerManagedPolicies: readJson<CustomerManagedPolicyReference[]>(row.customer_managed_policies_json),
    inlinePolicy: row.inline_policy,
    permissionsBoundary: row.permissions_boundary_json === null ? null : readJson<PermissionsBoundary>(row.permissions_boundary_json),
    tags: readJson<Tag[]>(row.tags_json),
    version: Number(row.version),
    createdAt: readDate(row.created_at),
    updatedAt: readDate(row.updated_at),
  };
}

const ID_SLICE = 500;

export class SqlPermissionSetStore implements PermissionSetStore {
  constructor(private readonly ctx: SqlContext) {}

  async create(set: NewPermissionSet): Promise<PermissionSet> {
    const now = this.ctx.codec.date(new Date());
    const row: PermissionSetRow = {
      id: set.id,
      arn: set.arn,
      name: set.name,
      name_key: nameKey(set.name),
      description: set.description,
      session_duration: set.sessionDuration,
      relay_state: set.relayState,
      managed_policies_json: writeJson(set.managedPolicies),
      customer_managed_policies_json: writeJson(set.customerManagedPolicies),
      inline_policy: set.inlinePolicy,
      permissions_boundary_json: set.permissionsBoundary === null ? null : writeJson(set.permissionsBoundary),
      tags_json: writeJson(set.tags),
      version: 1,
      created_at: now,
      updated_at: now,
    };
    await translated(() => this.ctx.db.insertInto('permission_sets').values(row).execute(), {
      unique: (columns) =>
        columns.includes('name_key')
          ? new ConflictError(`A permission set named ${JSON.stringify(set.name)} already exists`)
          : new ConflictError(`Permission set ${JSON.stringify(set.id)} already exists`),
    });
    return readPermissionSet(row);
  }

  async get(id: string): Promise<PermissionSet | null> {
    const row = await translated(() => this.ctx.db.selectFrom('permission_sets').selectAll().where('id', '=', id).executeTakeFirst());
    return row ? readPermissionSet(row) : null;
  }

  async getForUpdate(id: string): Promise<PermissionSet | null> {
    const query = lockedForUpdate(this.ctx, this.ctx.db.selectFrom('permission_sets').selectAll().where('id', '=', id));
    const row = await translated(() => query.executeTakeFirst());
    return row ? readPermissionSet(row) : null;
  }

  /** Case-insensitive, like the uniqueness of names. */
  async getByName(name: string): Promise<PermissionSet | null> {
    const row = await translated(() =>
      this.ctx.db.selectFrom('permission_sets').selectAll().where('name_key', '=', nameKey(name)).executeTakeFirst(),
    );
    return row ? readPermissionSet(row) : null;
  }

  /** In list order (name, then id); unknown ids are left out. */
  async getMany(ids: string[]): Promise<PermissionSet[]> {
    const unique = [...new Set(ids)];
    const rows: PermissionSetRow[] = [];
    for (let i = 0; i < unique.length; i += ID_SLICE) {
      const slice = unique.slice(i, i + ID_SLICE);
      rows.push(...(await translated(() => this.ctx.db.selectFrom('permission_sets').selectAll().where('id', 'in', slice).execute())));
    }
    rows.sort((a, b) => compareKeys(a.name_key, b.name_key) || compareKeys(a.id, b.id));
    return rows.map(readPermissionSet);
  }

  async list(query: ListQuery = {}): Promise<Page<PermissionSet>> {
    const limit = pageLimit(query.limit);
    let q = this.ctx.db.selectFrom('permission_sets').selectAll();
    if (query.nameContains) q = q.where(keyContains('name_key', query.nameContains));
    if (query.nextToken) q = q.where(keyBeyond(['name_key', 'id'], decodeToken(query.nextToken, ['string', 'string']), '>'));
    const rows = await translated(() => q.orderBy('name_key').orderBy('id').limit(limit + 1).execute());
    return toPage(rows, limit, (r) => [r.name_key, r.id], readPermissionSet);
  }

  async update(id: string, patch: PermissionSetPatch): Promise<PermissionSet> {
    const set: Updateable<PermissionSetRow> = { updated_at: this.ctx.codec.date(new Date()) };
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.sessionDuration !== undefined) set.session_duration = patch.sessionDuration;
    if (patch.relayState !== undefined) set.relay_state = patch.relayState;
    if (patch.managedPolicies !== undefined) set.managed_policies_json = writeJson(patch.managedPolicies);
    if (patch.customerManagedPolicies !== undefined) set.customer_managed_policies_json = writeJson(patch.customerManagedPolicies);
    if (patch.inlinePolicy !== undefined) set.inline_policy = patch.inlinePolicy;
    if (patch.permissionsBoundary !== undefined) {
      set.permissions_boundary_json = patch.permissionsBoundary === null ? null : writeJson(patch.permissionsBoundary);
    }
    if (patch.tags !== undefined) set.tags_json = writeJson(patch.tags);
    // One statement, so two concurrent edits both bump the version.
    const row = await translated(() =>
      this.ctx.db
        .updateTable('permission_sets')
        .set(set)
        .set((eb) => ({ version: eb('version', '+', 1) }))
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst(),
    );
    if (!row) throw new NotFoundError('permission set', id);
    return readPermissionSet(row);
  }

  async delete(id: string, options: { cascade?: boolean } = {}): Promise<AccountAssignment[]> {
    const { deleted, removed } = await translated(
      () =>
        atomically(this.ctx, async (trx) => {
          // RETURNING (SQLite 3.35+, PostgreSQL): what went, read by the statement that removed it.
          const removed = options.cascade ? await trx.deleteFrom('account_assignments').where('permission_set_id', '=', id).returningAll().execute() : [];
          const deleted = Number((await trx.deleteFrom('permission_sets').where('id', '=', id).executeTakeFirst()).numDeletedRows);
          return { deleted, removed };
        }),
      { foreignKey: () => new ConflictError(`Permission set ${id} still has account assignments; delete them first or cascade`) },
    );
    if (deleted === 0) throw new NotFoundError('permission set', id);
    return removed.map(readAssignment);
  }
}
