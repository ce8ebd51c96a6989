// Granting and revoking admin roles (PUT/DELETE /api/v1/admin-roles/{principalType}/{principalId},
// `gatehouse admin grant`). Only an administrator may (access/admin/admin-policy.ts). Taking a role
// away also removes the API tokens of everyone who held it through that grant, in the same
// transaction; a token of someone who still holds a role through another grant is refused by
// AdminTokenService.authenticate only if no role is left.
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../model/errors.ts';
import { ADMIN_ROLES, type AdminRole, type AdminRoleGrant, type PrincipalType } from '../../model/types.ts';
import { parseInput } from '../../model/validate.ts';
import type { TransactionalStores } from '../../store/stores.ts';
import type { AdminActor, AdminPolicy } from './admin-policy.ts';

const principalTypeSchema = z.enum(['USER', 'GROUP']);
const grantSchema = z.strictObject({ role: z.enum(ADMIN_ROLES as [AdminRole, ...AdminRole[]]) });

export interface AdminRoleGrantView {
  principalType: PrincipalType;
  principalId: string;
  role: AdminRole;
  grantedAt: string;
  grantedBy: string;
}

const view = (g: AdminRoleGrant): AdminRoleGrantView => ({ ...g, grantedAt: g.grantedAt.toISOString() });

export class AdminRoleService {
  constructor(
    private readonly stores: TransactionalStores<'adminRoles' | 'directory' | 'apiTokens' | 'audit'>,
    private readonly policy: AdminPolicy,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(): Promise<AdminRoleGrantView[]> {
    return (await this.stores.adminRoles.list()).map(view);
  }

  /** Gives `principal` the role (replacing the one it held). `actor` null: the host's command line. */
  async grant(actor: AdminActor | null, principalType: unknown, principalId: string, input: unknown, by = actor?.user.id ?? 'cli'): Promise<AdminRoleGrantView> {
    const type = parseInput(principalTypeSchema, principalType, 'principalType');
    const { role } = parseInput(grantSchema, input, 'admin role');
    if (actor) await this.policy.authorize(actor, { kind: 'admin-role.change' });
    const principal = type === 'USER' ? await this.stores.directory.getUser(principalId) : await this.stores.directory.getGroup(principalId);
    if (principal && principal.source !== 'builtin') {
      // People from LDAP / Active Directory never administer Gatehouse (docs/security.md "Administration").
      throw new ValidationError('Admin roles are for users and groups of the built-in directory', [{ field: 'principalId', message: 'is from the external directory' }]);
    }
    return this.stores.transaction(async (tx) => {
      const before = await tx.adminRoles.get(type, principalId);
      const granted = await tx.adminRoles.grant({ principalType: type, principalId, role, grantedAt: this.now(), grantedBy: by });
      // A downgrade to delegated-administrator: tokens issued as administrator would still act
      // lower, but a clean cut is what a person taking a role away expects.
      if (before?.role === 'administrator' && role !== 'administrator') await this.#dropTokens(tx, type, principalId);
      await tx.audit.append({
        actor: by,
        action: 'admin-role.grant',
        target: `${type === 'USER' ? 'user' : 'group'}/${principalId}`,
        detail: { before: before ? { role: before.role } : null, after: { role } },
      });
      return view(granted);
    });
  }

  async revoke(actor: AdminActor | null, principalType: unknown, principalId: string): Promise<void> {
    const type = parseInput(principalTypeSchema, principalType, 'principalType');
    if (actor) await this.policy.authorize(actor, { kind: 'admin-role.change' });
    await this.stores.transaction(async (tx) => {
      const before = await tx.adminRoles.get(type, principalId);
      if (!before) throw new NotFoundError('admin role grant', `${type}/${principalId}`);
      await tx.adminRoles.revoke(type, principalId);
      await this.#dropTokens(tx, type, principalId);
      await tx.audit.append({
        actor: actor?.user.id ?? 'cli',
        action: 'admin-role.revoke',
        target: `${type === 'USER' ? 'user' : 'group'}/${principalId}`,
        detail: { before: { role: before.role }, after: null },
      });
    });
  }

  async #dropTokens(tx: Pick<TransactionalStores<'directory' | 'apiTokens'>, 'directory' | 'apiTokens'>, type: PrincipalType, id: string): Promise<void> {
    if (type === 'USER') {
      await tx.apiTokens.deleteForUser(id);
      return;
    }
    let nextToken: string | undefined;
    do {
      const page = await tx.directory.listMembers(id, { limit: 1000, nextToken });
      for (const member of page.items) await tx.apiTokens.deleteForUser(member.id);
      nextToken = page.nextToken;
    } while (nextToken);
  }
}

/** The input shape, for the OpenAPI document. */
export { grantSchema as adminRoleGrantSchema };
