// The delegated administrator account over SQL: a singleton row (primary key always 1), so two
// registrations at once cannot both succeed; deleting the account deregisters it (ON DELETE CASCADE).

import { ConflictError, NotFoundError } from '../../model/errors.ts';
import type { DelegatedAdministratorAccount } from '../../model/types.ts';
import type { DelegatedAdministratorStore } from '../stores.ts';
import { readDate } from './codec.ts';
import type { SqlContext } from './context.ts';
import { translated } from './errors.ts';
import { lockedForShare } from './transaction.ts';

export class SqlDelegatedAdministratorStore implements DelegatedAdministratorStore {
  constructor(private readonly ctx: SqlContext) {}

  async get(): Promise<DelegatedAdministratorAccount | null> {
    const row = await translated(() => this.ctx.db.selectFrom('delegated_admin_account').selectAll().executeTakeFirst());
    return row ? { accountId: row.account_id, registeredAt: readDate(row.registered_at), registeredBy: row.registered_by } : null;
  }

  async getHeld(): Promise<DelegatedAdministratorAccount | null> {
    const row = await translated(() => lockedForShare(this.ctx, this.ctx.db.selectFrom('delegated_admin_account').selectAll()).executeTakeFirst());
    return row ? { accountId: row.account_id, registeredAt: readDate(row.registered_at), registeredBy: row.registered_by } : null;
  }

  async register(registration: DelegatedAdministratorAccount): Promise<DelegatedAdministratorAccount> {
    await translated(
      () =>
        this.ctx.db
          .insertInto('delegated_admin_account')
          .values({
            singleton: 1,
            account_id: registration.accountId,
            registered_at: this.ctx.codec.date(registration.registeredAt),
            registered_by: registration.registeredBy,
          })
          .execute(),
      {
        unique: () => new ConflictError('A delegated administrator account is already registered: deregister it first'),
        foreignKey: () => new NotFoundError('account', registration.accountId),
      },
    );
    return { ...registration };
  }

  async deregister(): Promise<void> {
    const result = await translated(() => this.ctx.db.deleteFrom('delegated_admin_account').executeTakeFirst());
    if (Number(result.numDeletedRows) === 0) throw new NotFoundError('delegated administrator account', 'registered');
  }
}
