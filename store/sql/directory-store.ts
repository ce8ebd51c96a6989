// The built-in directory over SQL: users (userName unique case-insensitively through the stored
// lower-cased key), groups, memberships and password hashes. Deleting a user or group removes its
// memberships, and a user's password hash and API tokens, through ON DELETE CASCADE.

import type { Updateable } from 'kysely';
import { ConflictError, NotFoundError } from '../../model/errors.ts';
import type { Email, Group, PersonName, User } from '../../model/types.ts';
import type { DirectoryStore, GroupPatch, ListQuery, NewGroup, NewUser, Page, UserPatch } from '../stores.ts';
import { nameKey, readBool, readDate, readJson, writeJson } from './codec.ts';
import type { SqlContext } from './context.ts';
import { translated } from './errors.ts';
import { recoverable } from './transaction.ts';
import { keyBeyond, keyContains } from './fragments.ts';
import { decodeToken, pageLimit, toPage } from './pagination.ts';
import type { GroupRow, UserRow } from './schema.ts';

function readUser(row: UserRow): User {
  return {
    id: row.id,
    userName: row.user_name,
    displayName: row.display_name,
    name: readJson<PersonName>(row.name_json),
    emails: readJson<Email[]>(row.emails_json),
    attributes: readJson<Record<string, string>>(row.attributes_json),
    enabled: readBool(row.enabled),
    isAdmin: readBool(row.is_admin),
    source: row.source as User['source'],
    externalId: row.external_id,
    createdAt: readDate(row.created_at),
    updatedAt: readDate(row.updated_at),
  };
}

function readGroup(row: GroupRow): Group {
  return {
    id: row.id,
    displayName: row.display_name,
    description: row.description,
    source: row.source as Group['source'],
    externalId: row.external_id,
    createdAt: readDate(row.created_at),
    updatedAt: readDate(row.updated_at),
  };
}

const userKey = (row: UserRow) => [row.user_name_key, row.id];
const groupKey = (row: GroupRow) => [row.display_name_key, row.id];

export class SqlDirectoryStore implements DirectoryStore {
  constructor(private readonly ctx: SqlContext) {}

  private userConflict(user: { id?: string; userName?: string; source?: string; externalId?: string | null }) {
    return (columns: string[]) => {
      if (columns.includes('user_name_key')) return new ConflictError(`A user named ${JSON.stringify(user.userName)} already exists`);
      if (columns.includes('external_id')) {
        return new ConflictError(`A ${user.source} user with external id ${JSON.stringify(user.externalId)} already exists`);
      }
      return new ConflictError(`User ${JSON.stringify(user.id)} already exists`);
    };
  }

  async createUser(user: NewUser): Promise<User> {
    const { codec, db } = this.ctx;
    const now = codec.date(new Date());
    const row: UserRow = {
      id: user.id,
      user_name: user.userName,
      user_name_key: nameKey(user.userName),
      display_name: user.displayName,
      display_name_key: nameKey(user.displayName),
      name_json: writeJson(user.name),
      emails_json: writeJson(user.emails),
      attributes_json: writeJson(user.attributes),
      enabled: codec.bool(user.enabled),
      is_admin: codec.bool(user.isAdmin),
      source: user.source,
      external_id: user.externalId,
      created_at: now,
      updated_at: now,
    };
    await translated(() => db.insertInto('directory_users').values(row).execute(), { unique: this.userConflict(user) });
    return readUser(row);
  }

  async getUser(id: string): Promise<User | null> {
    const row = await translated(() => this.ctx.db.selectFrom('directory_users').selectAll().where('id', '=', id).executeTakeFirst());
    return row ? readUser(row) : null;
  }

  async getUserByName(userName: string): Promise<User | null> {
    const row = await translated(() =>
      this.ctx.db.selectFrom('directory_users').selectAll().where('user_name_key', '=', nameKey(userName)).executeTakeFirst(),
    );
    return row ? readUser(row) : null;
  }

  async getUserByExternalId(source: User['source'], externalId: string): Promise<User | null> {
    const row = await translated(() =>
      this.ctx.db
        .selectFrom('directory_users')
        .selectAll()
        .where('source', '=', source)
        .where('external_id', '=', externalId)
        .executeTakeFirst(),
    );
    return row ? readUser(row) : null;
  }

  async listUsers(query: ListQuery = {}): Promise<Page<User>> {
    const limit = pageLimit(query.limit);
    let q = this.ctx.db.selectFrom('directory_users').selectAll();
    const term = query.nameContains;
    if (term) q = q.where((eb) => eb.or([keyContains('user_name_key', term), keyContains('display_name_key', term)]));
    if (query.nextToken) q = q.where(keyBeyond(['user_name_key', 'id'], decodeToken(query.nextToken, ['string', 'string']), '>'));
    const rows = await translated(() => q.orderBy('user_name_key').orderBy('id').limit(limit + 1).execute());
    return toPage(rows, limit, userKey, readUser);
  }

  async updateUser(id: string, patch: UserPatch): Promise<User> {
    const { codec, db } = this.ctx;
    const set: Updateable<UserRow> = { updated_at: codec.date(new Date()) };
    if (patch.userName !== undefined) {
      set.user_name = patch.userName;
      set.user_name_key = nameKey(patch.userName);
    }
    if (patch.displayName !== undefined) {
      set.display_name = patch.displayName;
      set.display_name_key = nameKey(patch.displayName);
    }
    if (patch.name !== undefined) set.name_json = writeJson(patch.name);
    if (patch.emails !== undefined) set.emails_json = writeJson(patch.emails);
    if (patch.attributes !== undefined) set.attributes_json = writeJson(patch.attributes);
    if (patch.enabled !== undefined) set.enabled = codec.bool(patch.enabled);
    if (patch.isAdmin !== undefined) set.is_admin = codec.bool(patch.isAdmin);
    const row = await translated(
      () => db.updateTable('directory_users').set(set).where('id', '=', id).returningAll().executeTakeFirst(),
      { unique: this.userConflict({ id, userName: patch.userName }) },
    );
    if (!row) throw new NotFoundError('user', id);
    return readUser(row);
  }

  async deleteUser(id: string): Promise<void> {
    const result = await translated(() => this.ctx.db.deleteFrom('directory_users').where('id', '=', id).executeTakeFirst());
    if (Number(result.numDeletedRows) === 0) throw new NotFoundError('user', id);
    // An admin role grant has no foreign key (it names a user or a group): it goes here.
    await translated(() => this.ctx.db.deleteFrom('admin_role_grants').where('principal_type', '=', 'USER').where('principal_id', '=', id).execute());
  }

  async setPasswordHash(userId: string, hash: string): Promise<void> {
    const updatedAt = this.ctx.codec.date(new Date());
    await translated(
      () =>
        this.ctx.db
          .insertInto('user_passwords')
          .values({ user_id: userId, hash, updated_at: updatedAt })
          .onConflict((oc) => oc.column('user_id').doUpdateSet({ hash, updated_at: updatedAt }))
          .execute(),
      { foreignKey: () => new NotFoundError('user', userId) },
    );
  }

  async getPasswordHash(userId: string): Promise<string | null> {
    const row = await translated(() =>
      this.ctx.db.selectFrom('user_passwords').select('hash').where('user_id', '=', userId).executeTakeFirst(),
    );
    return row?.hash ?? null;
  }

  private groupConflict(group: { id: string; source?: string; externalId?: string | null }) {
    return (columns: string[]) =>
      columns.includes('external_id')
        ? new ConflictError(`A ${group.source} group with external id ${JSON.stringify(group.externalId)} already exists`)
        : new ConflictError(`Group ${JSON.stringify(group.id)} already exists`);
  }

  async createGroup(group: NewGroup): Promise<Group> {
    const now = this.ctx.codec.date(new Date());
    const row: GroupRow = {
      id: group.id,
      display_name: group.displayName,
      display_name_key: nameKey(group.displayName),
      description: group.description,
      source: group.source,
      external_id: group.externalId,
      created_at: now,
      updated_at: now,
    };
    await translated(() => this.ctx.db.insertInto('directory_groups').values(row).execute(), { unique: this.groupConflict(group) });
    return readGroup(row);
  }

  async getGroup(id: string): Promise<Group | null> {
    const row = await translated(() => this.ctx.db.selectFrom('directory_groups').selectAll().where('id', '=', id).executeTakeFirst());
    return row ? readGroup(row) : null;
  }

  async getGroupByExternalId(source: Group['source'], externalId: string): Promise<Group | null> {
    const row = await translated(() =>
      this.ctx.db
        .selectFrom('directory_groups')
        .selectAll()
        .where('source', '=', source)
        .where('external_id', '=', externalId)
        .executeTakeFirst(),
    );
    return row ? readGroup(row) : null;
  }

  async listGroups(query: ListQuery = {}): Promise<Page<Group>> {
    const limit = pageLimit(query.limit);
    let q = this.ctx.db.selectFrom('directory_groups').selectAll();
    if (query.nameContains) q = q.where(keyContains('display_name_key', query.nameContains));
    if (query.nextToken) q = q.where(keyBeyond(['display_name_key', 'id'], decodeToken(query.nextToken, ['string', 'string']), '>'));
    const rows = await translated(() => q.orderBy('display_name_key').orderBy('id').limit(limit + 1).execute());
    return toPage(rows, limit, groupKey, readGroup);
  }

  async updateGroup(id: string, patch: GroupPatch): Promise<Group> {
    const set: Updateable<GroupRow> = { updated_at: this.ctx.codec.date(new Date()) };
    if (patch.displayName !== undefined) {
      set.display_name = patch.displayName;
      set.display_name_key = nameKey(patch.displayName);
    }
    if (patch.description !== undefined) set.description = patch.description;
    const row = await translated(() =>
      this.ctx.db.updateTable('directory_groups').set(set).where('id', '=', id).returningAll().executeTakeFirst(),
    );
    if (!row) throw new NotFoundError('group', id);
    return readGroup(row);
  }

  async deleteGroup(id: string): Promise<void> {
    const result = await translated(() => this.ctx.db.deleteFrom('directory_groups').where('id', '=', id).executeTakeFirst());
    if (Number(result.numDeletedRows) === 0) throw new NotFoundError('group', id);
    await translated(() => this.ctx.db.deleteFrom('admin_role_grants').where('principal_type', '=', 'GROUP').where('principal_id', '=', id).execute());
  }

  async addMember(groupId: string, userId: string): Promise<void> {
    await translated(
      () =>
        recoverable(this.ctx, () =>
          this.ctx.db
            .insertInto('group_members')
            .values({ group_id: groupId, user_id: userId, created_at: this.ctx.codec.date(new Date()) })
            .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
            .execute(),
        ),
      { foreignKey: async () => ((await this.getGroup(groupId)) ? new NotFoundError('user', userId) : new NotFoundError('group', groupId)) },
    );
  }

  async removeMember(groupId: string, userId: string): Promise<void> {
    const result = await translated(() =>
      this.ctx.db.deleteFrom('group_members').where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst(),
    );
    if (Number(result.numDeletedRows) === 0) throw new NotFoundError('group membership', `${groupId}/${userId}`);
  }

  async listMembers(groupId: string, query: ListQuery = {}): Promise<Page<User>> {
    if (!(await this.getGroup(groupId))) throw new NotFoundError('group', groupId);
    const limit = pageLimit(query.limit);
    let q = this.ctx.db
      .selectFrom('group_members as m')
      .innerJoin('directory_users as u', 'u.id', 'm.user_id')
      .selectAll('u')
      .where('m.group_id', '=', groupId);
    const term = query.nameContains;
    if (term) q = q.where((eb) => eb.or([keyContains('u.user_name_key', term), keyContains('u.display_name_key', term)]));
    if (query.nextToken) q = q.where(keyBeyond(['u.user_name_key', 'u.id'], decodeToken(query.nextToken, ['string', 'string']), '>'));
    const rows = await translated(() => q.orderBy('u.user_name_key').orderBy('u.id').limit(limit + 1).execute());
    return toPage(rows, limit, userKey, readUser);
  }

  async groupIdsOfUser(userId: string): Promise<string[]> {
    const rows = await translated(() =>
      this.ctx.db.selectFrom('group_members').select('group_id').where('user_id', '=', userId).orderBy('group_id').execute(),
    );
    return rows.map((r) => r.group_id);
  }

  async groupsOfUser(userId: string): Promise<Group[]> {
    const rows = await translated(() =>
      this.ctx.db
        .selectFrom('group_members as m')
        .innerJoin('directory_groups as g', 'g.id', 'm.group_id')
        .selectAll('g')
        .where('m.user_id', '=', userId)
        .orderBy('g.id')
        .execute(),
    );
    return rows.map(readGroup);
  }
}
