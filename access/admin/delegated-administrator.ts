// The delegated administrator account (Identity Center's RegisterDelegatedAdministrator /
// DeregisterDelegatedAdministrator): one member account at a time, never the management account.
// Who administers through it are the principals given the `delegated-administrator` role, named at
// registration or later through /admin-roles; their role counts only while an account is
// registered (access/admin/admin-roles.ts). Deregistering leaves every assignment as it is.
import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../model/errors.ts';
import type { DelegatedAdministratorAccount, PrincipalType } from '../../model/types.ts';
import { parseInput } from '../../model/validate.ts';
import type { TransactionalStores } from '../../store/stores.ts';
import type { AdminActor, AdminPolicy } from './admin-policy.ts';

const registerSchema = z.strictObject({
  accountId: z.string().regex(/^\d{12}$/, 'must be exactly 12 digits'),
  /** Who administers through it: each gets the delegated-administrator role. */
  administrators: z
    .array(z.strictObject({ principalType: z.enum(['USER', 'GROUP']), principalId: z.string().min(1).max(128) }))
    .max(100)
    .default([]),
});

export interface DelegatedAdministratorView {
  accountId: string;
  registeredAt: string;
  registeredBy: string;
}

const view = (r: DelegatedAdministratorAccount): DelegatedAdministratorView => ({ ...r, registeredAt: r.registeredAt.toISOString() });

export class DelegatedAdministratorService {
  constructor(
    private readonly stores: TransactionalStores<'delegatedAdministrator' | 'accounts' | 'instance' | 'adminRoles' | 'directory' | 'audit'>,
    private readonly policy: AdminPolicy,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** NotFoundError when none is registered. */
  async get(): Promise<DelegatedAdministratorView> {
    const registered = await this.stores.delegatedAdministrator.get();
    if (!registered) throw new NotFoundError('delegated administrator account', 'registered');
    return view(registered);
  }

  async register(actor: AdminActor, input: unknown): Promise<DelegatedAdministratorView> {
    const data = parseInput(registerSchema, input, 'delegated administrator');
    await this.policy.authorize(actor, { kind: 'delegated-administrator.change' });
    return this.stores.transaction(async (tx) => {
      // Held so that a management account created at the same time cannot slip in between.
      const instance = await tx.instance.getOrCreateForUpdate();
      const account = await tx.accounts.get(data.accountId);
      if (!account) throw new NotFoundError('account', data.accountId);
      if (account.accountId === instance.managementAccountId || account.kind !== 'member') {
        throw new ValidationError('The delegated administrator must be a member account, never the management account', [
          { field: 'accountId', message: `${data.accountId} is a ${account.kind} account; register a member account` },
        ]);
      }
      const existing = await tx.delegatedAdministrator.get();
      if (existing) throw new ConflictError(`Account ${existing.accountId} is already the delegated administrator: deregister it first`);
      const registered = await tx.delegatedAdministrator.register({ accountId: account.accountId, registeredAt: this.now(), registeredBy: actor.user.id });
      const named: { principalType: PrincipalType; principalId: string }[] = [];
      for (const [i, p] of data.administrators.entries()) {
        const principal = p.principalType === 'USER' ? await tx.directory.getUser(p.principalId) : await tx.directory.getGroup(p.principalId);
        if (principal && principal.source !== 'builtin') {
          // As for every admin role (access/admin/admin-role-service.ts): built-in users and groups only.
          throw new ValidationError('Admin roles are for users and groups of the built-in directory', [{ field: `administrators.${i}.principalId`, message: 'is from the external directory' }]);
        }
        await tx.adminRoles.grant({ ...p, role: 'delegated-administrator', grantedAt: this.now(), grantedBy: actor.user.id });
        named.push(p);
      }
      await tx.audit.append({
        actor: actor.user.id,
        action: 'delegated-administrator.register',
        target: `account/${account.accountId}`,
        detail: { before: null, after: { accountId: account.accountId }, administrators: named },
      });
      return view(registered);
    });
  }

  /** Assignments, permission sets and role grants stay as they are. */
  async deregister(actor: AdminActor): Promise<void> {
    await this.policy.authorize(actor, { kind: 'delegated-administrator.change' });
    await this.stores.transaction(async (tx) => {
      const existing = await tx.delegatedAdministrator.get();
      if (!existing) throw new NotFoundError('delegated administrator account', 'registered');
      await tx.delegatedAdministrator.deregister();
      await tx.audit.append({
        actor: actor.user.id,
        action: 'delegated-administrator.deregister',
        target: `account/${existing.accountId}`,
        detail: { before: { accountId: existing.accountId }, after: null },
      });
    });
  }
}

/** The input shape, for the OpenAPI document. */
export { registerSchema as delegatedAdministratorRegisterSchema };
