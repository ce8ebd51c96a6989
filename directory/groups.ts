// Administration of the built-in directory's groups and memberships.
import { z } from 'zod';
import type { AccessEventPublisher } from '../model/access-events.ts';
import { NotFoundError, ValidationError } from '../model/errors.ts';
import { newPrincipalId } from '../model/ids.ts';
import type { Group, User } from '../model/types.ts';
import { NO_CONTROL_CHARACTERS, hasControlCharacters } from '../model/text.ts';
import { parseInput } from '../model/validate.ts';
import type { ListQuery, Page, TransactionalStores, UnitOfWork } from '../store/stores.ts';
import { beforeAfter } from '../model/audit-diff.ts';

const text = (min: number, max: number) =>
  z.string().min(min).max(max).refine((s) => !hasControlCharacters(s), NO_CONTROL_CHARACTERS);

const createSchema = z.strictObject({
  displayName: text(1, 1024),
  description: text(0, 1024).default(''),
});
const updateSchema = z.strictObject({
  displayName: text(1, 1024).optional(),
  description: text(0, 1024).optional(),
});
const memberSchema = z.strictObject({ userId: z.string().min(1).max(64) });

/** Publishes membership.added, membership.removed and group.deleted (model/access-events.ts) once each change commits. */
export class GroupService {
  constructor(
    private readonly stores: TransactionalStores<'directory'>,
    /** Removes the group's assignments, in the transaction that deletes the group. */
    private readonly assignments: { deleteForPrincipal(tx: UnitOfWork, type: 'GROUP', id: string): Promise<number> },
    private readonly events: AccessEventPublisher,
  ) {}

  async create(input: unknown, actor: string): Promise<Group> {
    const data = parseInput(createSchema, input, 'group');
    return this.stores.transaction(async (tx) => {
      const group = await tx.directory.createGroup({
        id: newPrincipalId(),
        displayName: data.displayName,
        description: data.description,
        source: 'builtin',
        externalId: null,
      });
      await tx.audit.append({ actor, action: 'group.create', target: `group/${group.id}`, detail: { displayName: group.displayName } });
      return group;
    });
  }

  async get(id: string): Promise<Group> {
    const group = await this.stores.directory.getGroup(id);
    if (!group) throw new NotFoundError('group', id);
    return group;
  }

  list(query: ListQuery): Promise<Page<Group>> {
    return this.stores.directory.listGroups(query);
  }

  async update(id: string, input: unknown, actor: string): Promise<Group> {
    const data = parseInput(updateSchema, input, 'group');
    return this.stores.transaction(async (tx) => {
      const before = await tx.directory.getGroup(id);
      const group = await tx.directory.updateGroup(id, data);
      await tx.audit.append({ actor, action: 'group.update', target: `group/${id}`, detail: { fields: Object.keys(data), ...(before ? beforeAfter(before, group, Object.keys(data)) : {}) } });
      return group;
    });
  }

  /** The group's assignments and memberships go in the same transaction. */
  async delete(id: string, actor: string): Promise<void> {
    await this.stores.transaction(async (tx) => {
      if (!(await tx.directory.getGroup(id))) throw new NotFoundError('group', id);
      await this.assignments.deleteForPrincipal(tx, 'GROUP', id);
      await tx.directory.deleteGroup(id);
      await tx.audit.append({ actor, action: 'group.delete', target: `group/${id}`, detail: {} });
      this.events.afterCommit(tx, { type: 'group.deleted', groupId: id });
    });
  }

  async addMember(groupId: string, input: unknown, actor: string): Promise<void> {
    const { userId } = parseInput(memberSchema, input, 'membership');
    await this.stores.transaction(async (tx) => {
      const group = await tx.directory.getGroup(groupId);
      if (!group) throw new NotFoundError('group', groupId);
      if (group.source !== 'builtin') {
        throw new ValidationError('membership of a directory-sourced group is managed in that directory', [
          { field: 'groupId', message: 'managed by the external directory' },
        ]);
      }
      if (!(await tx.directory.getUser(userId))) throw new NotFoundError('user', userId);
      await tx.directory.addMember(groupId, userId);
      await tx.audit.append({ actor, action: 'group.member.add', target: `group/${groupId}`, detail: { userId } });
      this.events.afterCommit(tx, { type: 'membership.added', groupId, userId });
    });
  }

  async removeMember(groupId: string, userId: string, actor: string): Promise<void> {
    await this.stores.transaction(async (tx) => {
      if (!(await tx.directory.getGroup(groupId))) throw new NotFoundError('group', groupId);
      await tx.directory.removeMember(groupId, userId);
      await tx.audit.append({ actor, action: 'group.member.remove', target: `group/${groupId}`, detail: { userId } });
      this.events.afterCommit(tx, { type: 'membership.removed', groupId, userId });
    });
  }

  async listMembers(groupId: string, query: ListQuery): Promise<Page<User>> {
    await this.get(groupId);
    return this.stores.directory.listMembers(groupId, query);
  }
}

/** The input shapes, for the OpenAPI document. */
export { createSchema as groupCreateSchema, updateSchema as groupUpdateSchema, memberSchema as groupMemberSchema };
