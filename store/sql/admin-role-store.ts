// Admin roles over SQL. A user's `administrator` role is directory_users.is_admin (where the first
// administrator has always had it); every other grant, and every grant to a group, is a row of
// admin_role_grants. One role per principal: granting replaces, for a user across both places.

import { NotFoundError } from '../../model/errors.ts';
import type { AdminRole, AdminRoleGrant, PrincipalType } from '../../model/types.ts';
import type { AdminRoleStore } from '../stores.ts';
import { readBool, readDate } from './codec.ts';
import type { SqlContext } from './context.ts';
import { translated } from './errors.ts';
import type { ExpressionBuilder } from 'kysely';
import type { AdminRoleGrantRow, Schema } from './schema.ts';
import { lockedForShare } from './transaction.ts';

/** The grants to the user directly or to any of `groupIds` (a WHERE clause over admin_role_grants). */
const grantedToUserOrGroups = (userId: string, groupIds: string[]) => (eb: ExpressionBuilder<Schema, 'admin_role_grants'>) =>
  eb.or([
    eb.and([eb('principal_type', '=', 'USER'), eb('principal_id', '=', userId)]),
    ...(groupIds.length ? [eb.and([eb('principal_type', '=', 'GROUP'), eb('principal_id', 'in', groupIds)])] : []),
  ]);

function readGrant(row: AdminRoleGrantRow): AdminRoleGrant {
  return {
    principalType: row.principal_type as PrincipalType,
    principalId: row.principal_id,
    role: row.role as AdminRole,
    grantedAt: readDate(row.granted_at),
    grantedBy: row.granted_by,
  };
}

export class SqlAdminRoleStore implements AdminRoleStore {
  constructor(private readonly ctx: SqlContext) {}

  async grant(grant: AdminRoleGrant): Promise<AdminRoleGrant> {
    const { db, codec } = this.ctx;
    const table = grant.principalType === 'USER' ? 'directory_users' : 'directory_groups';
    const exists = await translated(() => db.selectFrom(table).select('id').where('id', '=', grant.principalId).executeTakeFirst());
    if (!exists) throw new NotFoundError(grant.principalType === 'USER' ? 'user' : 'group', grant.principalId);
    await translated(() => db.deleteFrom('admin_role_grants').where('principal_type', '=', grant.principalType).where('principal_id', '=', grant.principalId).execute());
    if (grant.principalType === 'USER') {
      const isAdmin = grant.role === 'administrator';
      await translated(() => db.updateTable('directory_users').set({ is_admin: codec.bool(isAdmin) }).where('id', '=', grant.principalId).execute());
      if (isAdmin) return { ...grant };
    }
    await translated(() =>
      db
        .insertInto('admin_role_grants')
        .values({
          principal_type: grant.principalType,
          principal_id: grant.principalId,
          role: grant.role,
          granted_at: codec.date(grant.grantedAt),
          granted_by: grant.grantedBy,
        })
        .execute(),
    );
    return { ...grant };
  }

  async revoke(principalType: PrincipalType, principalId: string): Promise<void> {
    const { db, codec } = this.ctx;
    const rows = await translated(() => db.deleteFrom('admin_role_grants').where('principal_type', '=', principalType).where('principal_id', '=', principalId).executeTakeFirst());
    let removed = Number(rows.numDeletedRows);
    if (principalType === 'USER') {
      const flag = await translated(() =>
        db.updateTable('directory_users').set({ is_admin: codec.bool(false) }).where('id', '=', principalId).where('is_admin', '=', codec.bool(true)).executeTakeFirst(),
      );
      removed += Number(flag.numUpdatedRows);
    }
    if (removed === 0) throw new NotFoundError('admin role grant', `${principalType}/${principalId}`);
  }

  async get(principalType: PrincipalType, principalId: string): Promise<AdminRoleGrant | null> {
    const { db, codec } = this.ctx;
    const row = await translated(() =>
      db.selectFrom('admin_role_grants').selectAll().where('principal_type', '=', principalType).where('principal_id', '=', principalId).executeTakeFirst(),
    );
    if (row) return readGrant(row);
    if (principalType !== 'USER') return null;
    const user = await translated(() =>
      db.selectFrom('directory_users').select(['id', 'created_at']).where('id', '=', principalId).where('is_admin', '=', codec.bool(true)).executeTakeFirst(),
    );
    return user ? this.#flagGrant(user) : null;
  }

  async list(): Promise<AdminRoleGrant[]> {
    const { db, codec } = this.ctx;
    const [rows, flagged] = await Promise.all([
      translated(() => db.selectFrom('admin_role_grants').selectAll().orderBy('principal_type').orderBy('principal_id').execute()),
      translated(() => db.selectFrom('directory_users').select(['id', 'created_at']).where('is_admin', '=', codec.bool(true)).execute()),
    ]);
    const all = [...rows.map(readGrant), ...flagged.map((u) => this.#flagGrant(u))];
    return all.sort((a, b) => (a.principalType + a.principalId < b.principalType + b.principalId ? -1 : 1));
  }

  async rolesOf(userId: string, groupIds: string[]): Promise<AdminRole[]> {
    const { db, codec } = this.ctx;
    const roles = new Set<AdminRole>();
    const flagged = await translated(() => db.selectFrom('directory_users').select('id').where('id', '=', userId).where('is_admin', '=', codec.bool(true)).executeTakeFirst());
    if (flagged) roles.add('administrator');
    const rows = await translated(() =>
      db
        .selectFrom('admin_role_grants')
        .select('role')
        .where(grantedToUserOrGroups(userId, groupIds))
        .execute(),
    );
    for (const r of rows) roles.add(r.role as AdminRole);
    return [...roles];
  }

  async heldRolesOf(userId: string): Promise<AdminRole[]> {
    const db = this.ctx.db;
    // The rows a revocation would change or delete: the user (is_admin, enabled, deletion), their
    // memberships, and the grants to them and their groups. Held, none of them can change before commit.
    const user = await translated(() => lockedForShare(this.ctx, db.selectFrom('directory_users').select(['is_admin', 'enabled', 'source']).where('id', '=', userId)).executeTakeFirst());
    if (!user || !readBool(user.enabled) || user.source !== 'builtin') return [];
    const memberships = await translated(() => lockedForShare(this.ctx, db.selectFrom('group_members').select('group_id').where('user_id', '=', userId)).execute());
    const groupIds = memberships.map((m) => m.group_id);
    const grants = await translated(() =>
      lockedForShare(
        this.ctx,
        db
          .selectFrom('admin_role_grants')
          .select('role')
          .where(grantedToUserOrGroups(userId, groupIds)),
      ).execute(),
    );
    const roles = new Set<AdminRole>(grants.map((g) => g.role as AdminRole));
    if (readBool(user.is_admin)) roles.add('administrator');
    return [...roles];
  }

  async deleteForPrincipal(principalType: PrincipalType, principalId: string): Promise<void> {
    await translated(() =>
      this.ctx.db.deleteFrom('admin_role_grants').where('principal_type', '=', principalType).where('principal_id', '=', principalId).execute(),
    );
  }

  /** The isAdmin flag as a grant: held since the user was created, by whoever created them. */
  #flagGrant(user: { id: string; created_at: AdminRoleGrantRow['granted_at'] }): AdminRoleGrant {
    return { principalType: 'USER', principalId: user.id, role: 'administrator', grantedAt: readDate(user.created_at), grantedBy: 'isAdmin' };
  }
}
