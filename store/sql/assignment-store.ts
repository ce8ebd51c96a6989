// Account assignments over SQL, and the hot query built on them: a user's entitlements. The primary
// key (account, permission set, principal type, principal id) makes assignments unique; foreign keys
// make them refer to an existing account and permission set. Principals are not checked here: they
// may live in an external directory.

import type { Kysely } from 'kysely';
import { ConflictError, NotFoundError } from '../../model/errors.ts';
import type { AccountAssignment, AccountEntitlement, PrincipalType } from '../../model/types.ts';
import type { AssignmentFilter, AssignmentKey, AssignmentStore, ListQuery, Page } from '../stores.ts';
import { compareKeys, readDate } from './codec.ts';
import type { SqlContext } from './context.ts';
import { translated } from './errors.ts';
import { recoverable } from './transaction.ts';
import { keyBeyond } from './fragments.ts';
import { decodeToken, pageLimit, toPage } from './pagination.ts';
import type { AssignmentRow, Schema } from './schema.ts';

const KEY_COLUMNS = ['account_id', 'permission_set_id', 'principal_type', 'principal_id'] as const;

export function readAssignment(row: AssignmentRow): AccountAssignment {
  return {
    accountId: row.account_id,
    permissionSetId: row.permission_set_id,
    principalType: row.principal_type as PrincipalType,
    principalId: row.principal_id,
    createdAt: readDate(row.created_at),
  };
}

const describe = (a: AssignmentKey) => `${a.accountId}/${a.permissionSetId}/${a.principalType}/${a.principalId}`;

/** A user in more groups than this is asked about in several queries (bound-parameter limits). */
const GROUP_SLICE = 1000;

/**
 * The entitlements query for one user and some of their groups. It reads only the index on
 * (principal_type, principal_id, account_id, permission_set_id): one range for the user, one per
 * group (test/store/sql-*.test.ts checks the plan with EXPLAIN on both backends).
 */
export function entitlementsQuery(db: Kysely<Schema>, userId: string | null, groupIds: string[]) {
  return db
    .selectFrom('account_assignments')
    .select(['account_id', 'permission_set_id'])
    .distinct()
    .where((eb) => {
      const clauses = [];
      if (userId !== null) clauses.push(eb.and([eb('principal_type', '=', 'USER'), eb('principal_id', '=', userId)]));
      if (groupIds.length > 0) clauses.push(eb.and([eb('principal_type', '=', 'GROUP'), eb('principal_id', 'in', groupIds)]));
      return eb.or(clauses);
    })
    .orderBy('account_id')
    .orderBy('permission_set_id');
}

export class SqlAssignmentStore implements AssignmentStore {
  constructor(private readonly ctx: SqlContext) {}

  async create(assignment: AssignmentKey): Promise<AccountAssignment> {
    const row: AssignmentRow = {
      account_id: assignment.accountId,
      permission_set_id: assignment.permissionSetId,
      principal_type: assignment.principalType,
      principal_id: assignment.principalId,
      created_at: this.ctx.codec.date(new Date()),
    };
    await translated(() => recoverable(this.ctx, () => this.ctx.db.insertInto('account_assignments').values(row).execute()), {
      unique: () => new ConflictError(`Account assignment ${describe(assignment)} already exists`),
      foreignKey: () => this.missingReference(assignment),
    });
    return readAssignment(row);
  }

  /** Which of the assignment's references does not exist (after a foreign-key violation). */
  private async missingReference(assignment: AssignmentKey): Promise<Error> {
    const account = await this.ctx.db
      .selectFrom('accounts')
      .select('account_id')
      .where('account_id', '=', assignment.accountId)
      .executeTakeFirst();
    return account
      ? new NotFoundError('permission set', assignment.permissionSetId)
      : new NotFoundError('account', assignment.accountId);
  }

  async delete(assignment: AssignmentKey): Promise<void> {
    const result = await translated(() =>
      this.ctx.db
        .deleteFrom('account_assignments')
        .where('account_id', '=', assignment.accountId)
        .where('permission_set_id', '=', assignment.permissionSetId)
        .where('principal_type', '=', assignment.principalType)
        .where('principal_id', '=', assignment.principalId)
        .executeTakeFirst(),
    );
    if (Number(result.numDeletedRows) === 0) throw new NotFoundError('account assignment', describe(assignment));
  }

  async list(filter: AssignmentFilter = {}, query: Omit<ListQuery, 'nameContains'> = {}): Promise<Page<AccountAssignment>> {
    const limit = pageLimit(query.limit);
    let q = this.ctx.db.selectFrom('account_assignments').selectAll();
    if (filter.accountId !== undefined) q = q.where('account_id', '=', filter.accountId);
    if (filter.permissionSetId !== undefined) q = q.where('permission_set_id', '=', filter.permissionSetId);
    if (filter.principalType !== undefined) q = q.where('principal_type', '=', filter.principalType);
    // Naming both types lets a principal id alone still be looked up in the principal index.
    else if (filter.principalId !== undefined) q = q.where('principal_type', 'in', ['USER', 'GROUP']);
    if (filter.principalId !== undefined) q = q.where('principal_id', '=', filter.principalId);
    if (query.nextToken) q = q.where(keyBeyond([...KEY_COLUMNS], decodeToken(query.nextToken, ['string', 'string', 'string', 'string']), '>'));
    for (const column of KEY_COLUMNS) q = q.orderBy(column);
    const rows = await translated(() => q.limit(limit + 1).execute());
    return toPage(rows, limit, (r) => KEY_COLUMNS.map((c) => r[c]), readAssignment);
  }

  async deleteForPrincipal(principalType: PrincipalType, principalId: string): Promise<AccountAssignment[]> {
    const rows = await translated(() =>
      this.ctx.db
        .deleteFrom('account_assignments')
        .where('principal_type', '=', principalType)
        .where('principal_id', '=', principalId)
        .returningAll()
        .execute(),
    );
    return rows.map(readAssignment);
  }

  async entitlements(userId: string, groupIds: string[]): Promise<AccountEntitlement[]> {
    const groups = [...new Set(groupIds)];
    const reached = new Map<string, Set<string>>();
    // The first query carries the user and the first slice of groups; most users need only that one.
    for (let i = 0; i === 0 || i < groups.length; i += GROUP_SLICE) {
      const rows = await translated(() => entitlementsQuery(this.ctx.db, i === 0 ? userId : null, groups.slice(i, i + GROUP_SLICE)).execute());
      for (const row of rows) {
        let sets = reached.get(row.account_id);
        if (!sets) reached.set(row.account_id, (sets = new Set()));
        sets.add(row.permission_set_id);
      }
    }
    return [...reached.keys()].sort(compareKeys).map((accountId) => ({
      accountId,
      permissionSetIds: [...reached.get(accountId)!].sort(compareKeys),
    }));
  }
}
