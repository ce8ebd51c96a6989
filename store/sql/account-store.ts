// Accounts over SQL. The account id (12 digits) is the primary key. Deleting an account that still
// has assignments is refused by the assignments' foreign key unless the caller asks to cascade.

import type { Updateable } from 'kysely';
import { ConflictError, NotFoundError } from '../../model/errors.ts';
import type { Account, AccountAssignment } from '../../model/types.ts';
import type { AccountPatch, AccountStore, ListQuery, NewAccount, Page } from '../stores.ts';
import { readAssignment } from './assignment-store.ts';
import { compareKeys, nameKey, readDate } from './codec.ts';
import type { SqlContext } from './context.ts';
import { translated } from './errors.ts';
import { keyBeyond, keyContains } from './fragments.ts';
import { decodeToken, pageLimit, toPage } from './pagination.ts';
import type { AccountRow } from './schema.ts';
import { atomically } from './transaction.ts';

function readAccount(row: AccountRow): Account {
  return {
    accountId: row.account_id,
    name: row.name,
    email: row.email,
    kind: row.kind as Account['kind'],
    samlProviderName: row.saml_provider_name,
    signInEndpoint: row.sign_in_endpoint,
    createdAt: readDate(row.created_at),
    updatedAt: readDate(row.updated_at),
  };
}

/** Above this many ids, getMany asks in slices (SQLite and pg both cap bound parameters). */
const ID_SLICE = 500;

export class SqlAccountStore implements AccountStore {
  constructor(private readonly ctx: SqlContext) {}

  async create(account: NewAccount): Promise<Account> {
    const now = this.ctx.codec.date(new Date());
    const row: AccountRow = {
      account_id: account.accountId,
      name: account.name,
      name_key: nameKey(account.name),
      email: account.email,
      kind: account.kind,
      saml_provider_name: account.samlProviderName,
      sign_in_endpoint: account.signInEndpoint,
      created_at: now,
      updated_at: now,
    };
    await translated(() => this.ctx.db.insertInto('accounts').values(row).execute(), {
      unique: () => new ConflictError(`Account ${account.accountId} already exists`),
    });
    return readAccount(row);
  }

  async get(accountId: string): Promise<Account | null> {
    const row = await translated(() => this.ctx.db.selectFrom('accounts').selectAll().where('account_id', '=', accountId).executeTakeFirst());
    return row ? readAccount(row) : null;
  }

  async list(query: ListQuery = {}): Promise<Page<Account>> {
    const limit = pageLimit(query.limit);
    let q = this.ctx.db.selectFrom('accounts').selectAll();
    if (query.nameContains) q = q.where(keyContains('name_key', query.nameContains));
    if (query.nextToken) q = q.where(keyBeyond(['name_key', 'account_id'], decodeToken(query.nextToken, ['string', 'string']), '>'));
    const rows = await translated(() => q.orderBy('name_key').orderBy('account_id').limit(limit + 1).execute());
    return toPage(rows, limit, (r) => [r.name_key, r.account_id], readAccount);
  }

  /** In list order (name, then id). */
  async getMany(accountIds: string[]): Promise<Account[]> {
    const ids = [...new Set(accountIds)];
    const rows: AccountRow[] = [];
    for (let i = 0; i < ids.length; i += ID_SLICE) {
      const slice = ids.slice(i, i + ID_SLICE);
      rows.push(...(await translated(() => this.ctx.db.selectFrom('accounts').selectAll().where('account_id', 'in', slice).execute())));
    }
    rows.sort((a, b) => compareKeys(a.name_key, b.name_key) || compareKeys(a.account_id, b.account_id));
    return rows.map(readAccount);
  }

  async update(accountId: string, patch: AccountPatch): Promise<Account> {
    const set: Updateable<AccountRow> = { updated_at: this.ctx.codec.date(new Date()) };
    if (patch.name !== undefined) {
      set.name = patch.name;
      set.name_key = nameKey(patch.name);
    }
    if (patch.email !== undefined) set.email = patch.email;
    if (patch.kind !== undefined) set.kind = patch.kind;
    if (patch.samlProviderName !== undefined) set.saml_provider_name = patch.samlProviderName;
    if (patch.signInEndpoint !== undefined) set.sign_in_endpoint = patch.signInEndpoint;
    const row = await translated(() =>
      this.ctx.db.updateTable('accounts').set(set).where('account_id', '=', accountId).returningAll().executeTakeFirst(),
    );
    if (!row) throw new NotFoundError('account', accountId);
    return readAccount(row);
  }

  async delete(accountId: string, options: { cascade?: boolean } = {}): Promise<AccountAssignment[]> {
    const { deleted, removed } = await translated(
      () =>
        atomically(this.ctx, async (trx) => {
          // RETURNING (SQLite 3.35+, PostgreSQL): what went, read by the statement that removed it.
          const removed = options.cascade ? await trx.deleteFrom('account_assignments').where('account_id', '=', accountId).returningAll().execute() : [];
          const deleted = Number((await trx.deleteFrom('accounts').where('account_id', '=', accountId).executeTakeFirst()).numDeletedRows);
          return { deleted, removed };
        }),
      { foreignKey: () => new ConflictError(`Account ${accountId} still has account assignments; delete them first or cascade`) },
    );
    if (deleted === 0) throw new NotFoundError('account', accountId);
    return removed.map(readAssignment);
  }
}
