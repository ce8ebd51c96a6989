// Administration of the built-in directory's groups and memberships.
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../model/errors.ts';
import { newPrincipalId } from '../model/ids.ts';
import type { Group, User } from '../model/types.ts';
import { NO_CONTROL_CHARACTERS, hasControlCharacters } from '../model/text.ts';
import { parseInput } from '../model/validate.ts';
import type { AuditStore, DirectoryStore, ListQuery, Page } from '../store/stores.ts';

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

export class GroupService {
  constructor(
    private readonly store: DirectoryStore,
    private readonly audit: AuditStore,
    private readonly assignments: { deleteForPrincipal(type: 'GROUP', id: string): Promise<number> },
  ) {}

  async create(input: unknown, actor: string): Promise<Group> {
    const data = parseInput(createSchema, input, 'group');
    const group = await this.store.createGroup({
      id: newPrincipalId(),
      displayName: data.displayName,
      description: data.description,
      source: 'builtin',
      externalId: null,
    });
    await this.audit.append({ actor, action: 'group.create', target: `group/${group.id}`, detail: { displayName: group.displayName } });
    return group;
  }

  async get(id: string): Promise<Group> {
    const group = await this.store.getGroup(id);
    if (!group) throw new NotFoundError('group', id);
    return group;
  }

  list(query: ListQuery): Promise<Page<Group>> {
    return this.store.listGroups(query);
  }

  async update(id: string, input: unknown, actor: string): Promise<Group> {
    const data = parseInput(updateSchema, input, 'group');
    const group = await this.store.updateGroup(id, data);
    await this.audit.append({ actor, action: 'group.update', target: `group/${id}`, detail: { fields: Object.keys(data) } });
    return group;
  }

  async delete(id: string, actor: string): Promise<void> {
    await this.get(id);
    await this.assignments.deleteForPrincipal('GROUP', id);
    await this.store.deleteGroup(id);
    await this.audit.append({ actor, action: 'group.delete', target: `group/${id}`, detail: {} });
  }

  async addMember(groupId: string, input: unknown, actor: string): Promise<void> {
    const { userId } = parseInput(memberSchema, input, 'membership');
    const group = await this.get(groupId);
    if (group.source !== 'builtin') {
      throw new ValidationError('membership of a directory-sourced group is managed in that directory', [
        { field: 'groupId', message: 'managed by the external directory' },
      ]);
    }
    if (!(await this.store.getUser(userId))) throw new NotFoundError('user', userId);
    await this.store.addMember(groupId, userId);
    await this.audit.append({ actor, action: 'group.member.add', target: `group/${groupId}`, detail: { userId } });
  }

  async removeMember(groupId: string, userId: string, actor: string): Promise<void> {
    await this.get(groupId);
    await this.store.removeMember(groupId, userId);
    await this.audit.append({ actor, action: 'group.member.remove', target: `group/${groupId}`, detail: { userId } });
  }

  async listMembers(groupId: string, query: ListQuery): Promise<Page<User>> {
    await this.get(groupId);
    return this.store.listMembers(groupId, query);
  }
}

/** The input shapes, for the OpenAPI document. */
export { createSchema as groupCreateSchema, updateSchema as groupUpdateSchema, memberSchema as groupMemberSchema };
