// Administration of the built-in directory's users: validation, password hashing, audit. The
// admin API calls this; the store enforces uniqueness (userName, case-insensitively).
import { z } from 'zod';
import type { AccessEvent, AccessEventPublisher } from '../model/access-events.ts';
import { NotFoundError, ValidationError } from '../model/errors.ts';
import { newPrincipalId } from '../model/ids.ts';
import type { User } from '../model/types.ts';
import { NO_CONTROL_CHARACTERS, hasControlCharacters } from '../model/text.ts';
import { parseInput } from '../model/validate.ts';
import type { ListQuery, Page, TransactionalStores, UnitOfWork, UserPatch } from '../store/stores.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, type PasswordHasher } from './passwords.ts';
import { beforeAfter } from '../model/audit-diff.ts';

// Identity Store limits (docs/aws-accounts.md): UserName 1..128, other strings 1..1024.
const text = (max: number) => z.string().min(1).max(max).refine((s) => !hasControlCharacters(s), NO_CONTROL_CHARACTERS);

const userNameSchema = text(128).refine((s) => s.trim() === s, 'must not start or end with whitespace');
const emailSchema = z.object({
  value: z.string().max(254).email(),
  type: z.string().max(32).optional(),
  primary: z.boolean().optional(),
});
const attributesSchema = z
  .record(z.string().regex(/^[A-Za-z][\w.:-]{0,127}$/, 'attribute names are letters, digits, _ . : - (max 128)'), z.string().max(1024))
  .refine((a) => Object.keys(a).length <= 50, 'at most 50 attributes');
const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH);

const createSchema = z.strictObject({
  userName: userNameSchema,
  displayName: text(1024),
  name: z.strictObject({ givenName: text(1024).optional(), familyName: text(1024).optional() }).default({}),
  emails: z.array(emailSchema).max(10).default([]),
  attributes: attributesSchema.default({}),
  enabled: z.boolean().default(true),
  isAdmin: z.boolean().default(false),
  password: passwordSchema.optional(),
});

const updateSchema = z.strictObject({
  userName: userNameSchema.optional(),
  displayName: text(1024).optional(),
  name: z.strictObject({ givenName: text(1024).optional(), familyName: text(1024).optional() }).optional(),
  emails: z.array(emailSchema).max(10).optional(),
  attributes: attributesSchema.optional(),
  enabled: z.boolean().optional(),
  isAdmin: z.boolean().optional(),
  password: passwordSchema.optional(),
});

export type CreateUserInput = z.input<typeof createSchema>;

/** Publishes user.disabled, user.deleted and user.attributes-changed (model/access-events.ts) once each change commits. */
export class UserService {
  constructor(
    private readonly stores: TransactionalStores<'directory'>,
    /** Removes the user's assignments, in the transaction that deletes the user. */
    private readonly assignments: { deleteForPrincipal(tx: UnitOfWork, type: 'USER', id: string): Promise<number> },
    private readonly passwords: PasswordHasher,
    private readonly events: AccessEventPublisher,
  ) {}

  async create(input: unknown, actor: string): Promise<User> {
    const data = parseInput(createSchema, input, 'user');
    // Hash before the transaction: it is slow, and a transaction holds the database while open.
    const passwordHash = data.password === undefined ? null : await this.passwords.hash(data.password);
    return this.stores.transaction(async (tx) => {
      const user = await tx.directory.createUser({
        id: newPrincipalId(),
        userName: data.userName,
        displayName: data.displayName,
        name: data.name,
        emails: data.emails,
        attributes: data.attributes,
        enabled: data.enabled,
        isAdmin: data.isAdmin,
        source: 'builtin',
        externalId: null,
      });
      if (passwordHash) await tx.directory.setPasswordHash(user.id, passwordHash);
      await tx.audit.append({ actor, action: 'user.create', target: `user/${user.id}`, detail: { userName: user.userName } });
      return user;
    });
  }

  async get(id: string): Promise<User> {
    const user = await this.stores.directory.getUser(id);
    if (!user) throw new NotFoundError('user', id);
    return user;
  }

  list(query: ListQuery): Promise<Page<User>> {
    return this.stores.directory.listUsers(query);
  }

  async update(id: string, input: unknown, actor: string): Promise<User> {
    const data = parseInput(updateSchema, input, 'user');
    const before = await this.get(id);
    if (before.source !== 'builtin' && (data.userName !== undefined || data.password !== undefined)) {
      throw new ValidationError('userName and password of a directory-sourced user are managed in that directory', [
        { field: data.userName !== undefined ? 'userName' : 'password', message: 'managed by the external directory' },
      ]);
    }
    const passwordHash = data.password === undefined ? null : await this.passwords.hash(data.password);
    const { password: _password, ...patch } = data;
    return this.stores.transaction(async (tx) => {
      // Read again in the transaction: what the events say changed is measured against this.
      const stored = (await tx.directory.getUser(id)) ?? before;
      const user = await tx.directory.updateUser(id, patch satisfies UserPatch);
      if (passwordHash) await tx.directory.setPasswordHash(id, passwordHash);
      await tx.audit.append({
        actor,
        action: 'user.update',
        target: `user/${id}`,
        detail: { fields: Object.keys(data).filter((k) => k !== 'password'), passwordChanged: passwordHash !== null, ...beforeAfter(before, user, Object.keys(patch)) },
      });
      const events: AccessEvent[] = [];
      if (stored.enabled && !user.enabled) events.push({ type: 'user.disabled', userId: id });
      const attributes = changedTagSources(stored, user);
      if (attributes.length > 0) events.push({ type: 'user.attributes-changed', userId: id, attributes });
      this.events.afterCommit(tx, ...events);
      return user;
    });
  }

  /** The user's assignments, memberships, password and tokens go in the same transaction. */
  async delete(id: string, actor: string): Promise<void> {
    await this.stores.transaction(async (tx) => {
      if (!(await tx.directory.getUser(id))) throw new NotFoundError('user', id);
      await this.assignments.deleteForPrincipal(tx, 'USER', id);
      await tx.directory.deleteUser(id);
      await tx.audit.append({ actor, action: 'user.delete', target: `user/${id}`, detail: {} });
      this.events.afterCommit(tx, { type: 'user.deleted', userId: id });
    });
  }
}

/**
 * What a session tag can be mapped from (access/aws-federation.ts principalTagsOf: the user's own
 * attributes, then userName, displayName, email, givenName, familyName) and differs between two
 * versions of a user, by name.
 */
function changedTagSources(before: User, after: User): string[] {
  const primaryEmail = (u: User) => (u.emails.find((e) => e.primary) ?? u.emails[0])?.value ?? u.userName;
  const builtins = (u: User): Record<string, string | undefined> => ({
    userName: u.userName,
    displayName: u.displayName,
    email: primaryEmail(u),
    givenName: u.name.givenName,
    familyName: u.name.familyName,
  });
  const changed = new Set<string>();
  for (const [a, b] of [
    [before.attributes, after.attributes],
    [builtins(before), builtins(after)],
  ] as const) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) if (a[key] !== b[key]) changed.add(key);
  }
  return [...changed].sort();
}

/** The input shapes, for the OpenAPI document. */
export { createSchema as userCreateSchema, updateSchema as userUpdateSchema };
