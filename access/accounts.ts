// Accounts of the organization (docs/aws-accounts.md): 12-digit ids, a name, an email, and where the
// SAML Response for that account goes.
import { z } from 'zod';
import type { AccessEventPublisher } from '../model/access-events.ts';
import { ConflictError, NotFoundError } from '../model/errors.ts';
import { ACCOUNT_ID } from '../model/ids.ts';
import type { Account } from '../model/types.ts';
import { NO_CONTROL_CHARACTERS, hasControlCharacters } from '../model/text.ts';
import { parseInput } from '../model/validate.ts';
import type { ListQuery, Page, StoreSet, TransactionalStores } from '../store/stores.ts';
import { beforeAfter } from '../model/audit-diff.ts';
import { removedEvents } from './assignments.ts';

// AWS Organizations: account name 1..50, email 6..64; IAM SAML provider names 1..128 [\w._-].
const accountFields = {
  name: z.string().min(1).max(50).refine((s) => !hasControlCharacters(s), NO_CONTROL_CHARACTERS),
  email: z.string().min(6).max(64).email(),
  kind: z.enum(['management', 'member', 'external']),
  samlProviderName: z.string().regex(/^[\w._-]{1,128}$/, 'must match [A-Za-z0-9._-]{1,128}'),
  signInEndpoint: z
    .string()
    .url()
    .refine((u) => u.startsWith('https://') || /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?\//.test(u), 'must be https (http only for localhost)'),
};

const createSchema = z.strictObject({
  accountId: z.string().regex(ACCOUNT_ID, 'must be exactly 12 digits'),
  name: accountFields.name,
  email: accountFields.email,
  kind: accountFields.kind.default('member'),
  samlProviderName: accountFields.samlProviderName.default('Gatehouse'),
  signInEndpoint: accountFields.signInEndpoint.optional(),
});
const updateSchema = z.strictObject({
  name: accountFields.name.optional(),
  email: accountFields.email.optional(),
  samlProviderName: accountFields.samlProviderName.optional(),
  signInEndpoint: accountFields.signInEndpoint.optional(),
});

export class AccountService {
  constructor(
    private readonly stores: TransactionalStores<'accounts' | 'provisioning'>,
    private readonly defaultSignInEndpoint: string,
    private readonly events: AccessEventPublisher,
    /** Where lists are read: the lag-tolerant replica (SqlStores.lagTolerant) or, by default, `stores`. */
    private readonly lists: Pick<StoreSet, 'accounts'> = stores,
  ) {}

  async create(input: unknown, actor: string): Promise<Account> {
    const data = parseInput(createSchema, input, 'account');
    // One transaction with the instance row held: two concurrent creations of a management
    // account cannot both find the organization without one.
    return this.stores.transaction(async (tx) => {
      if (data.kind === 'management') {
        const inst = await tx.instance.getOrCreateForUpdate();
        if (inst.managementAccountId) {
          throw new ConflictError(`the organization already has a management account (${inst.managementAccountId})`);
        }
      }
      const account = await tx.accounts.create({
        ...data,
        signInEndpoint: data.signInEndpoint ?? this.defaultSignInEndpoint,
      });
      if (account.kind === 'management') await tx.instance.update({ managementAccountId: account.accountId });
      await tx.audit.append({ actor, action: 'account.create', target: `account/${account.accountId}`, detail: { name: account.name } });
      return account;
    });
  }

  async get(accountId: string): Promise<Account> {
    const account = await this.stores.accounts.get(accountId);
    if (!account) throw new NotFoundError('account', accountId);
    return account;
  }

  list(query: ListQuery): Promise<Page<Account>> {
    return this.lists.accounts.list(query);
  }

  async update(accountId: string, input: unknown, actor: string): Promise<Account> {
    const data = parseInput(updateSchema, input, 'account');
    return this.stores.transaction(async (tx) => {
      const before = await tx.accounts.get(accountId);
      const account = await tx.accounts.update(accountId, data);
      await tx.audit.append({ actor, action: 'account.update', target: `account/${accountId}`, detail: { fields: Object.keys(data), ...(before ? beforeAfter(before, account, Object.keys(data)) : {}) } });
      this.events.afterCommit(tx, { type: 'account.updated', accountId });
      return account;
    });
  }

  /** With cascade, the account's assignments go in the same transaction, and each is published as removed. */
  /**
   * Deletes the account (its assignments too with `cascade`). Refused with ConflictError while
   * Gatehouse still has a role or the SAML provider provisioned there (docs/provisioning.md): they
   * would stay in AWS with nothing left to manage them. `force` deletes anyway and forgets them,
   * saying in the audit event what was left in AWS.
   */
  async delete(accountId: string, cascade: boolean, actor: string, options: { force?: boolean } = {}): Promise<void> {
    await this.stores.transaction(async (tx) => {
      const account = await tx.accounts.get(accountId);
      if (!account) throw new NotFoundError('account', accountId);
      const roles = await tx.provisioning.listRoles({ accountId });
      const [provider] = await tx.provisioning.listProviders({ accountId });
      const leftInAws = roles.length || provider ? { provider: provider?.arn ?? null, roles: roles.map((r) => r.roleArn) } : null;
      if (leftInAws && !options.force) throw new ConflictError(stillProvisioned(accountId, leftInAws));
      const removed = await tx.accounts.delete(accountId, { cascade });
      if (leftInAws) {
        for (const role of roles) await tx.provisioning.deleteRole(accountId, role.permissionSetId);
        if (provider) await tx.provisioning.deleteProvider(accountId);
      }
      if (account.kind === 'management') await tx.instance.update({ managementAccountId: null });
      await tx.audit.append({ actor, action: 'account.delete', target: `account/${accountId}`, detail: { cascade, ...(leftInAws ? { forced: true, leftInAws } : {}) } });
      this.events.afterCommit(tx, ...removedEvents(removed, 'account-deleted'), { type: 'account.deleted', accountId });
    });
  }
}

/** What a refused deletion says is still in AWS, and the two ways on. */
function stillProvisioned(accountId: string, left: { provider: string | null; roles: string[] }): string {
  const what = [left.provider ? 'its SAML provider' : '', left.roles.length ? `${left.roles.length} role${left.roles.length === 1 ? '' : 's'} (${left.roles.slice(0, 5).join(', ')}${left.roles.length > 5 ? ', ...' : ''})` : '']
    .filter(Boolean)
    .join(' and ');
  return (
    `Gatehouse still has ${what} provisioned in account ${accountId}. Remove the account's assignments and let provisioning delete them, ` +
    'then delete the account; or delete with force=true, which leaves them in AWS for you to remove.'
  );
}

/** The input shapes, for the OpenAPI document. */
export { createSchema as accountCreateSchema, updateSchema as accountUpdateSchema };
