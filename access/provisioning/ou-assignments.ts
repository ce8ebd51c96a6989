// Assignments to an OU (docs/provisioning.md): a permission set given to a user or group in every
// current and future account of an OU and the OUs under it, which Identity Center cannot do. They
// are expanded into ordinary account assignments (so the portal, the CLI credentials and
// provisioning need nothing new): at once for the accounts the last organization import placed
// in the OU, and again after every import, which is how a new account gets them. Only the
// assignments the expansion made are removed with the OU assignment; one an administrator made
// directly stays.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../../model/errors.ts';
import type { OuAssignment } from '../../model/provisioning.ts';
import { parseInput } from '../../model/validate.ts';
import type { SqlStores } from '../../store/stores.ts';
import type { ImportResult } from './organization-import.ts';

const inputSchema = z.strictObject({
  ouPath: z.string().regex(/^\/[^/]+(\/[^/]+)*$/, 'must be an OU path from the root, such as /Root/Workloads').max(1024),
  permissionSetId: z.string().regex(/^ps-[a-zA-Z0-9-./]{16}$/, 'must be a permission set id (ps- + 16 characters)'),
  principalType: z.enum(['USER', 'GROUP']),
  principalId: z.string().min(1).max(64),
});

/** What the expansion needs of AssignmentService: its own transactions, audit and listeners. */
export interface AccountAssignments {
  create(input: unknown, actor: string): Promise<unknown>;
  delete(input: unknown, actor: string): Promise<void>;
}

export interface OuAssignmentDeps {
  stores: Pick<SqlStores, 'provisioning' | 'permissionSets' | 'audit' | 'transaction'>;
  assignments: AccountAssignments;
  importOrganization: (actor: string) => Promise<ImportResult>;
  now: () => Date;
}

export const inOu = (accountOuPath: string, ouPath: string) => accountOuPath === ouPath || accountOuPath.startsWith(`${ouPath}/`);

export class OuAssignmentService {
  constructor(private readonly d: OuAssignmentDeps) {}

  async create(input: unknown, actor: string): Promise<OuAssignment & { accountIds: string[] }> {
    const data = parseInput(inputSchema, input, 'OU assignment');
    if (!(await this.d.stores.permissionSets.get(data.permissionSetId))) throw new NotFoundError('permission set', data.permissionSetId);
    const a: OuAssignment = { id: randomUUID(), ...data, createdAt: this.d.now() };
    await this.d.stores.transaction(async (tx) => {
      await tx.provisioning.createOuAssignment(a);
      await tx.audit.append({ actor, action: 'ou-assignment.create', target: `ou${a.ouPath}`, detail: { ...data } });
    });
    return { ...a, accountIds: await this.#expand(a, actor) };
  }

  async list(): Promise<(OuAssignment & { accountIds: string[] })[]> {
    const all = await this.d.stores.provisioning.listOuAssignments();
    return Promise.all(all.map(async (a) => ({ ...a, accountIds: await this.d.stores.provisioning.listOuMembers(a.id) })));
  }

  /** Removes the OU assignment and the account assignments its expansion made. */
  async delete(id: string, actor: string): Promise<void> {
    const a = await this.d.stores.provisioning.getOuAssignment(id);
    if (!a) throw new NotFoundError('OU assignment', id);
    for (const accountId of await this.d.stores.provisioning.listOuMembers(id)) {
      try {
        await this.d.assignments.delete({ accountId, permissionSetId: a.permissionSetId, principalType: a.principalType, principalId: a.principalId }, actor);
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e;
      }
    }
    await this.d.stores.transaction(async (tx) => {
      await tx.provisioning.deleteOuAssignment(id);
      await tx.audit.append({ actor, action: 'ou-assignment.delete', target: `ou${a.ouPath}`, detail: { id } });
    });
  }

  /** Imports the organization, then gives the accounts now in each OU their OU assignments. */
  async importOrganization(actor: string): Promise<ImportResult & { expanded: { ouAssignmentId: string; accountIds: string[] }[] }> {
    const result = await this.d.importOrganization(actor);
    const expanded = [];
    for (const a of await this.d.stores.provisioning.listOuAssignments()) {
      const accountIds = await this.#expand(a, actor);
      if (accountIds.length) expanded.push({ ouAssignmentId: a.id, accountIds });
    }
    return { ...result, expanded };
  }

  /** Creates the account assignments missing in the OU's active accounts; returns the accounts it gave one to. */
  async #expand(a: OuAssignment, actor: string): Promise<string[]> {
    const members = new Set(await this.d.stores.provisioning.listOuMembers(a.id));
    const made: string[] = [];
    for (const account of await this.d.stores.provisioning.listOrganizationAccounts()) {
      if (account.status !== 'ACTIVE' || !inOu(account.ouPath, a.ouPath) || members.has(account.accountId)) continue;
      try {
        await this.d.assignments.create({ accountId: account.accountId, permissionSetId: a.permissionSetId, principalType: a.principalType, principalId: a.principalId }, actor);
      } catch (e) {
        // Made directly by an administrator: it is theirs, not the OU assignment's.
        if (e instanceof ConflictError) continue;
        throw e;
      }
      await this.d.stores.provisioning.addOuMember(a.id, account.accountId);
      made.push(account.accountId);
    }
    return made;
  }
}

/** The input shape, for the OpenAPI document. */
export { inputSchema as ouAssignmentSchema };
