// The SQL store contract (store/stores.ts), one suite run against every backend: SQLite on a temp
// file (sql-sqlite.test.ts) and a fresh PostgreSQL database (sql-postgres.test.ts).
//
// Most tests share one database per backend and stay out of each other's way by making their own
// rows with unique ids and names, and by filtering lists on a tag only they use; tests that need an
// empty database (the instance singleton, two processes starting at once) ask for a fresh one.

import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'chai';
import type { Kysely } from 'kysely';
import { ConflictError, NotFoundError, UnavailableError, ValidationError } from '../../model/errors.ts';
import { newApplicationId, newPermissionSetId, permissionSetArn } from '../../model/ids.ts';
import type { AccountAssignment, PrincipalType } from '../../model/types.ts';
import { codecFor, type SqlDialect } from '../../store/sql/codec.ts';
import { connectSql } from '../../store/sql/connect.ts';
import type { Schema } from '../../store/sql/schema.ts';
import { writeTransaction } from '../../store/sql/transaction.ts';
import { migrate } from '../../store/sql/migrate.ts';
import { openSqlStores, type SqlTarget } from '../../store/sql/open.ts';
import type { AssignmentKey, NewAccount, NewApplication, NewGroup, NewPermissionSet, NewUser, Page, SqlStores, UnitOfWork } from '../../store/stores.ts';
import { AccountService } from '../../access/accounts.ts';
import { AccessEventBus } from '../../access/events/bus.ts';
import { PermissionSetService } from '../../access/permission-sets.ts';
import { adminStoresContract } from './admin-stores.contract.ts';
import { webauthnCounterContract } from './webauthn-counter.contract.ts';
import { accessEventsContract } from '../access/access-events.contract.ts';
import { signingKeyStoreContract } from './signing-key-store.contract.ts';
import { provisioningStoreContract } from './provisioning-store.contract.ts';
import { mfaStoreContract } from './mfa-store.contract.ts';
import { rejection } from '../support/rejection.ts';

export interface OpenedDatabase {
  stores: SqlStores;
  target: SqlTarget;
  /** Closes the stores and removes the database. */
  dispose(): Promise<void>;
}

export interface SqlBackend {
  name: 'sqlite' | 'postgres';
  /** Where a new, empty (not even migrated) database lives; drop removes it. */
  emptyTarget(): Promise<{ target: SqlTarget; drop(): Promise<void> }>;
  /**
   * Optional: where a new database that already holds exactly what migrating an empty one gives
   * lives (a copy of one migrated once), for the many tests that need a database but are not
   * about migrating it. Without it they migrate an empty one.
   */
  migratedTarget?(): Promise<{ target: SqlTarget; drop(): Promise<void> }>;
}

/**
 * A new database, opened through openSqlStores: a migrated copy when the backend has one (opening
 * then finds nothing to migrate), else an empty one that opening migrates; `fromEmpty` asks for
 * the latter always.
 */
async function freshDatabase(backend: SqlBackend, { fromEmpty = false } = {}): Promise<OpenedDatabase> {
  const { target, drop } = await (!fromEmpty && backend.migratedTarget ? backend.migratedTarget() : backend.emptyTarget());
  try {
    const stores = await openSqlStores(target);
    return {
      stores,
      target,
      async dispose() {
        await stores.close();
        await drop();
      },
    };
  } catch (e) {
    await drop();
    throw e;
  }
}

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OPEN_MODULE = pathToFileURL(path.join(REPO, 'store/sql/open.ts')).href;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
/** A tag only one test uses, put into names so `nameContains: tag` lists just that test's rows. */
const newTag = () => `t${hex(5)}`;
const accountId = () => String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));

/** Strings a careless store would mangle: markup, quotes, CDATA ends, non-BMP unicode, RTL, NUL-free control chars. */
const AWKWARD = `<&"]]> 'Ünïcødé' 日本語 🦄 \u202Eevil\u202C \t\n\\ %_`;

function userFixture(tag: string, over: Partial<NewUser> = {}): NewUser {
  return {
    id: randomUUID(),
    userName: `${tag}-user-${hex(3)}`,
    displayName: `${tag} Person`,
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    emails: [{ value: `${tag}@example.com`, type: 'work', primary: true }],
    attributes: { department: 'engineering' },
    enabled: true,
    isAdmin: false,
    source: 'builtin',
    externalId: null,
    ...over,
  };
}

function groupFixture(tag: string, over: Partial<NewGroup> = {}): NewGroup {
  return { id: randomUUID(), displayName: `${tag} group ${hex(3)}`, description: 'a group', source: 'builtin', externalId: null, ...over };
}

function accountFixture(tag: string, over: Partial<NewAccount> = {}): NewAccount {
  return {
    accountId: accountId(),
    name: `${tag} account ${hex(3)}`,
    email: `${tag}@accounts.example.com`,
    kind: 'member',
    samlProviderName: 'Gatehouse',
    signInEndpoint: 'https://signin.aws.amazon.com/saml',
    ...over,
  };
}

function permissionSetFixture(tag: string, over: Partial<NewPermissionSet> = {}): NewPermissionSet {
  const id = newPermissionSetId();
  return {
    id,
    arn: permissionSetArn('ssoins-0123456789abcdef', id),
    name: `${tag}-${hex(3)}`,
    description: 'Read-only access',
    sessionDuration: 'PT4H',
    relayState: 'https://console.aws.amazon.com/s3/home',
    managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    customerManagedPolicies: [{ name: 'Boundary', path: '/team/' }],
    inlinePolicy: '{"Version": "2012-10-17",\n  "Statement": []}',
    permissionsBoundary: { managedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' },
    tags: [{ key: 'team', value: 'platform' }],
    ...over,
  };
}


/** Every page of a list, following nextToken; fails if a token repeats (an endless list). */
async function allPages<T>(fetch: (nextToken?: string) => Promise<Page<T>>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await fetch(token);
    pages += 1;
    items.push(...page.items);
    token = page.nextToken;
    if (token !== undefined) {
      expect(seen.has(token), 'a nextToken repeated').to.equal(false);
      seen.add(token);
    }
  } while (token !== undefined);
  return { items, pages };
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Runs getOrCreate in two separate Node processes released at the same moment; returns their instance ids. */
async function instanceIdsFromTwoProcesses(target: SqlTarget): Promise<string[]> {
  const script = `
    const { openSqlStores } = await import(${JSON.stringify(OPEN_MODULE)});
    process.stdout.write('ready\\n');
    await new Promise((go) => process.stdin.once('data', go));
    const stores = await openSqlStores(JSON.parse(process.env.GATEHOUSE_TEST_TARGET));
    const instance = await stores.instance.getOrCreate();
    process.stdout.write('id=' + instance.id + '\\n');
    await stores.close();
    process.exit(0);
  `;
  const children = [0, 1].map(() =>
    spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO,
      env: { ...process.env, GATEHOUSE_TEST_TARGET: JSON.stringify(target) },
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  const outputs = children.map((child) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const ready = new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('ready\n')) resolve();
      });
    });
    const done = new Promise<string>((resolve, reject) => {
      child.on('exit', (code) => {
        const id = /id=(\S+)/.exec(out)?.[1];
        if (code === 0 && id) resolve(id);
        else reject(new Error(`child exited ${code}: ${err || out}`));
      });
    });
    return { child, ready, done };
  });
  await Promise.race([Promise.all(outputs.map((o) => o.ready)), Promise.all(outputs.map((o) => o.done))]);
  for (const { child } of outputs) child.stdin.write('go\n');
  return Promise.all(outputs.map((o) => o.done));
}

/**
 * Enough assignments for a planner to tell an index from a scan (about 17,000: 4,000 users with 3
 * each and 500 groups with 10 each over 50 accounts and 20 permission sets), bulk-inserted. Returns
 * one user with three groups and how many distinct (account, permission set) pairs they reach.
 */
export async function seedForPlan(db: Kysely<Schema>, dialect: SqlDialect) {
  const codec = codecFor(dialect);
  const now = codec.date(new Date());
  const accounts = Array.from({ length: 50 }, (_, i) => String(200_000_000_000 + i));
  const sets = Array.from({ length: 20 }, (_, i) => `ps-${i.toString(16).padStart(16, '0')}`);
  const userPairs = (i: number) => [0, 1, 2].map((k) => [accounts[(i * 7 + k * 13) % 50]!, sets[(i + k) % 20]!] as const);
  const groupPairs = (j: number) => Array.from({ length: 10 }, (_, k) => [accounts[(j * 3 + k * 11) % 50]!, sets[(j * 7 + k) % 20]!] as const);
  const rows: Schema['account_assignments'][] = [];
  for (let i = 0; i < 4000; i++) {
    for (const [a, p] of userPairs(i)) rows.push({ account_id: a, permission_set_id: p, principal_type: 'USER', principal_id: `user-${i}`, created_at: now });
  }
  for (let j = 0; j < 500; j++) {
    for (const [a, p] of groupPairs(j)) rows.push({ account_id: a, permission_set_id: p, principal_type: 'GROUP', principal_id: `group-${j}`, created_at: now });
  }
  await writeTransaction(db, dialect, async (trx) => {
    await trx
      .insertInto('accounts')
      .values(accounts.map((a) => ({ account_id: a, name: a, name_key: a, email: 'x@example.com', kind: 'member', saml_provider_name: 'G', sign_in_endpoint: 'https://signin.aws.amazon.com/saml', created_at: now, updated_at: now })))
      .execute();
    await trx
      .insertInto('permission_sets')
      .values(sets.map((id) => ({ id, arn: id, name: id, name_key: id, description: null, session_duration: 'PT1H', relay_state: null, managed_policies_json: '[]', customer_managed_policies_json: '[]', inline_policy: null, permissions_boundary_json: null, tags_json: '[]', version: 1, created_at: now, updated_at: now })))
      .execute();
    for (let i = 0; i < rows.length; i += 500) await trx.insertInto('account_assignments').values(rows.slice(i, i + 500)).execute();
  });
  const groupIds = ['group-1', 'group-2', 'group-3'];
  const pairs = new Set([...userPairs(42), ...groupPairs(1), ...groupPairs(2), ...groupPairs(3)].map(([a, p]) => `${a}/${p}`));
  return { userId: 'user-42', groupIds, expectedPairs: pairs.size };
}

export function sqlStoreContract(backend: SqlBackend): void {
  describe(`SQL store contract (${backend.name})`, function () {
    let opened: OpenedDatabase;
    let s: SqlStores;
    before(async () => {
      opened = await freshDatabase(backend);
      s = opened.stores;
    });
    after(async () => {
      await opened?.dispose();
    });

    it('reports its dialect and answers ping', async () => {
      expect(s.dialect).to.equal(backend.name);
      await s.ping();
    });

    describe('directory: users', () => {
      it('creates a user and reads it back by id, by userName in any case and by external id, with dates as Date', async () => {
        const tag = newTag();
        const created = await s.directory.createUser(userFixture(tag, { userName: `${tag}-Alice`, source: 'ldap', externalId: `uuid-${tag}` }));
        expect(created.createdAt).to.be.instanceOf(Date);
        expect(created.updatedAt.getTime()).to.equal(created.createdAt.getTime());
        expect(Math.abs(created.createdAt.getTime() - Date.now())).to.be.below(60_000);

        const byId = await s.directory.getUser(created.id);
        expect(byId).to.deep.equal(created);
        expect(byId!.createdAt).to.be.instanceOf(Date);
        expect(await s.directory.getUserByName(`${tag.toUpperCase()}-ALICE`)).to.deep.equal(created);
        expect(await s.directory.getUserByExternalId('ldap', `uuid-${tag}`)).to.deep.equal(created);
        expect(await s.directory.getUserByExternalId('builtin', `uuid-${tag}`)).to.equal(null);
      });

      it('returns null for unknown ids, names and external ids', async () => {
        expect(await s.directory.getUser(randomUUID())).to.equal(null);
        expect(await s.directory.getUserByName(`nobody-${hex(4)}`)).to.equal(null);
        expect(await s.directory.getUserByExternalId('ldap', hex(8))).to.equal(null);
      });

      it('refuses a second user whose userName differs only in case, or whose id is taken, and keeps the first', async () => {
        const tag = newTag();
        const first = await s.directory.createUser(userFixture(tag, { userName: `${tag}-Bob` }));
        const sameNameOtherCase = await rejection(s.directory.createUser(userFixture(tag, { userName: `${tag.toUpperCase()}-bOB` })));
        expect(sameNameOtherCase).to.be.instanceOf(ConflictError);
        expect((sameNameOtherCase as Error).message).to.contain('-bOB');
        expect(await rejection(s.directory.createUser(userFixture(tag, { id: first.id })))).to.be.instanceOf(ConflictError);
        const listed = await s.directory.listUsers({ nameContains: tag });
        expect(listed.items).to.deep.equal([first]);
      });

      it('makes external ids unique per identity source', async () => {
        const tag = newTag();
        await s.directory.createUser(userFixture(tag, { source: 'ldap', externalId: `x-${tag}` }));
        expect(await rejection(s.directory.createUser(userFixture(tag, { source: 'ldap', externalId: `x-${tag}` })))).to.be.instanceOf(
          ConflictError,
        );
        const other = await s.directory.createUser(userFixture(tag, { source: 'builtin', externalId: `x-${tag}` }));
        expect(await s.directory.getUserByExternalId('builtin', `x-${tag}`)).to.deep.equal(other);
      });

      it('keeps unicode, markup and nested JSON exactly as given', async () => {
        const tag = newTag();
        const created = await s.directory.createUser(
          userFixture(tag, {
            userName: `${tag}-Zoë-日本`,
            displayName: `${tag} ${AWKWARD}`,
            name: { givenName: AWKWARD, familyName: '🦄' },
            emails: [
              { value: `${tag}@exämple.com`, type: AWKWARD, primary: false },
              { value: 'second@example.com' },
            ],
            attributes: { 'cost/Center': AWKWARD, zeta: '1', alpha: '', 'ключ': 'значение' },
          }),
        );
        const read = await s.directory.getUser(created.id);
        expect(read).to.deep.equal(created);
        expect(read!.name).to.deep.equal({ givenName: AWKWARD, familyName: '🦄' });
        expect(read!.emails[0]).to.deep.equal({ value: `${tag}@exämple.com`, type: AWKWARD, primary: false });
        // Key order is part of "exactly".
        expect(Object.keys(read!.attributes)).to.deep.equal(['cost/Center', 'zeta', 'alpha', 'ключ']);
        expect(await s.directory.getUserByName(`${tag}-ZOË-日本`)).to.deep.equal(created);
      });

      it('hands out fresh copies: mutating a returned user changes nothing stored', async () => {
        const tag = newTag();
        const created = await s.directory.createUser(userFixture(tag));
        created.emails[0]!.value = 'mutated@example.com';
        created.attributes.department = 'mutated';
        created.name.givenName = 'Mutated';
        const read = await s.directory.getUser(created.id);
        expect(read!.emails[0]!.value).to.equal(`${tag}@example.com`);
        expect(read!.attributes.department).to.equal('engineering');
        expect(read!.name.givenName).to.equal('Ada');
        read!.attributes.department = 'again';
        expect((await s.directory.getUser(created.id))!.attributes.department).to.equal('engineering');
      });

      it('updates only the patched fields, moves updatedAt, and re-keys the userName', async () => {
        const tag = newTag();
        const created = await s.directory.createUser(userFixture(tag, { userName: `${tag}-carol` }));
        await new Promise((r) => setTimeout(r, 5));
        const updated = await s.directory.updateUser(created.id, {
          userName: `${tag}-Caroline`,
          enabled: false,
          isAdmin: true,
          attributes: { team: 'blue' },
        });
        expect(updated).to.deep.include({ userName: `${tag}-Caroline`, enabled: false, isAdmin: true, displayName: created.displayName });
        expect(updated.attributes).to.deep.equal({ team: 'blue' });
        expect(updated.emails).to.deep.equal(created.emails);
        expect(updated.createdAt.getTime()).to.equal(created.createdAt.getTime());
        expect(updated.updatedAt.getTime()).to.be.above(created.updatedAt.getTime());
        expect(await s.directory.getUser(created.id)).to.deep.equal(updated);
        expect(await s.directory.getUserByName(`${tag}-carol`)).to.equal(null);
        expect((await s.directory.getUserByName(`${tag}-CAROLINE`))!.id).to.equal(created.id);
        // A case-only rename of one's own name is not a clash.
        expect((await s.directory.updateUser(created.id, { userName: `${tag}-CAROLINE` })).userName).to.equal(`${tag}-CAROLINE`);
      });

      it('refuses a rename onto another user\'s name in another case, and an update of an unknown user', async () => {
        const tag = newTag();
        await s.directory.createUser(userFixture(tag, { userName: `${tag}-dave` }));
        const erin = await s.directory.createUser(userFixture(tag, { userName: `${tag}-erin` }));
        expect(await rejection(s.directory.updateUser(erin.id, { userName: `${tag}-DAVE` }))).to.be.instanceOf(ConflictError);
        expect((await s.directory.getUser(erin.id))!.userName).to.equal(`${tag}-erin`);
        const missing = await rejection(s.directory.updateUser(randomUUID(), { displayName: 'x' }));
        expect(missing).to.be.instanceOf(NotFoundError);
        expect((missing as NotFoundError).resource).to.equal('user');
      });

      it('lists users by userName case-insensitively then id, across pages, and filters on userName or displayName', async () => {
        const tag = newTag();
        const names = ['delta', 'Alpha', 'charlie', 'Bravo', 'echo'];
        for (const n of names) await s.directory.createUser(userFixture(tag, { userName: `${tag}-${n}`, displayName: `${n} ${tag}` }));
        await s.directory.createUser(userFixture(newTag(), { userName: `other-${hex(4)}` }));

        const { items, pages } = await allPages((nextToken) => s.directory.listUsers({ nameContains: tag, limit: 2, nextToken }));
        expect(pages).to.equal(3);
        expect(items.map((u) => u.userName)).to.deep.equal(['Alpha', 'Bravo', 'charlie', 'delta', 'echo'].map((n) => `${tag}-${n}`));

        const upper = await s.directory.listUsers({ nameContains: tag.toUpperCase() + '-BR' });
        expect(upper.items.map((u) => u.userName)).to.deep.equal([`${tag}-Bravo`]);
        expect(upper.nextToken).to.equal(undefined);
        const byDisplayName = await s.directory.listUsers({ nameContains: `ECHO ${tag}` });
        expect(byDisplayName.items.map((u) => u.userName)).to.deep.equal([`${tag}-echo`]);
      });

      it('takes % and _ in nameContains literally', async () => {
        const tag = newTag();
        await s.directory.createUser(userFixture(tag, { userName: `${tag}-50%_off`, displayName: 'plain' }));
        await s.directory.createUser(userFixture(tag, { userName: `${tag}-50xyoff`, displayName: 'plain' }));
        const hits = await s.directory.listUsers({ nameContains: `${tag}-50%_` });
        expect(hits.items.map((u) => u.userName)).to.deep.equal([`${tag}-50%_off`]);
      });

      it('refuses a nextToken it did not make', async () => {
        for (const token of ['garbage', Buffer.from('[1]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url')]) {
          expect(await rejection(s.directory.listUsers({ nextToken: token }))).to.be.instanceOf(ValidationError);
        }
      });

      it('sets, replaces and reads a password hash; unknown users have none and cannot get one', async () => {
        const user = await s.directory.createUser(userFixture(newTag()));
        expect(await s.directory.getPasswordHash(user.id)).to.equal(null);
        await s.directory.setPasswordHash(user.id, '$argon2id$v=19$m=19456,t=2,p=1$first');
        await s.directory.setPasswordHash(user.id, '$argon2id$v=19$m=19456,t=2,p=1$second');
        expect(await s.directory.getPasswordHash(user.id)).to.equal('$argon2id$v=19$m=19456,t=2,p=1$second');
        const missing = randomUUID();
        expect(await rejection(s.directory.setPasswordHash(missing, 'h'))).to.be.instanceOf(NotFoundError);
        expect(await s.directory.getPasswordHash(missing)).to.equal(null);
      });

      it('deleting a user removes it with its memberships, password hash and API tokens', async () => {
        const tag = newTag();
        const user = await s.directory.createUser(userFixture(tag));
        const keep = await s.directory.createUser(userFixture(tag));
        const group = await s.directory.createGroup(groupFixture(tag));
        await s.directory.addMember(group.id, user.id);
        await s.directory.addMember(group.id, keep.id);
        await s.directory.setPasswordHash(user.id, 'hash');
        const hash = hex(32);
        await s.apiTokens.create({ hash, userId: user.id, createdAt: new Date(), expiresAt: new Date(Date.now() + 3_600_000) });

        await s.directory.deleteUser(user.id);
        expect(await s.directory.getUser(user.id)).to.equal(null);
        expect(await s.directory.getPasswordHash(user.id)).to.equal(null);
        expect(await s.apiTokens.find(hash)).to.equal(null);
        expect(await s.directory.groupIdsOfUser(user.id)).to.deep.equal([]);
        expect((await s.directory.listMembers(group.id)).items.map((u) => u.id)).to.deep.equal([keep.id]);
        expect(await rejection(s.directory.deleteUser(user.id))).to.be.instanceOf(NotFoundError);
      });
    });

    describe('directory: groups and memberships', () => {
      it('creates, reads, updates and deletes a group; unknown ids are null or NotFoundError', async () => {
        const tag = newTag();
        const group = await s.directory.createGroup(groupFixture(tag, { description: AWKWARD, source: 'ldap', externalId: `cn=${tag}` }));
        expect(await s.directory.getGroup(group.id)).to.deep.equal(group);
        expect(await s.directory.getGroupByExternalId('ldap', `cn=${tag}`)).to.deep.equal(group);
        expect(await s.directory.getGroupByExternalId('ldap', `cn=${tag}x`)).to.equal(null);
        expect(await s.directory.getGroup(randomUUID())).to.equal(null);

        await new Promise((r) => setTimeout(r, 5));
        const updated = await s.directory.updateGroup(group.id, { displayName: `${tag} renamed` });
        expect(updated).to.deep.include({ displayName: `${tag} renamed`, description: AWKWARD });
        expect(updated.updatedAt.getTime()).to.be.above(group.updatedAt.getTime());
        expect(await s.directory.getGroup(group.id)).to.deep.equal(updated);

        expect(await rejection(s.directory.createGroup(groupFixture(tag, { id: group.id })))).to.be.instanceOf(ConflictError);
        expect(await rejection(s.directory.updateGroup(randomUUID(), { description: 'x' }))).to.be.instanceOf(NotFoundError);
        await s.directory.deleteGroup(group.id);
        expect(await s.directory.getGroup(group.id)).to.equal(null);
        expect(await rejection(s.directory.deleteGroup(group.id))).to.be.instanceOf(NotFoundError);
      });

      it('lists groups by displayName case-insensitively then id, across pages', async () => {
        const tag = newTag();
        for (const n of ['Ops', 'admins', 'Billing', 'dev']) await s.directory.createGroup(groupFixture(tag, { displayName: `${tag} ${n}` }));
        const { items, pages } = await allPages((nextToken) => s.directory.listGroups({ nameContains: tag.toUpperCase(), limit: 3, nextToken }));
        expect(pages).to.equal(2);
        expect(items.map((g) => g.displayName)).to.deep.equal(['admins', 'Billing', 'dev', 'Ops'].map((n) => `${tag} ${n}`));
      });

      it('adds members idempotently, lists them by userName across pages, and knows a user\'s groups', async () => {
        const tag = newTag();
        const group = await s.directory.createGroup(groupFixture(tag));
        const other = await s.directory.createGroup(groupFixture(tag));
        const users = [];
        for (const n of ['mike', 'Lima', 'kilo']) users.push(await s.directory.createUser(userFixture(tag, { userName: `${tag}-${n}` })));
        for (const u of users) await s.directory.addMember(group.id, u.id);
        await s.directory.addMember(group.id, users[0]!.id);
        await s.directory.addMember(other.id, users[0]!.id);

        const { items } = await allPages((nextToken) => s.directory.listMembers(group.id, { limit: 2, nextToken }));
        expect(items.map((u) => u.userName)).to.deep.equal([`${tag}-kilo`, `${tag}-Lima`, `${tag}-mike`]);
        expect((await s.directory.listMembers(group.id, { nameContains: 'LIM' })).items.map((u) => u.userName)).to.deep.equal([`${tag}-Lima`]);
        expect(await s.directory.groupIdsOfUser(users[0]!.id)).to.have.members([group.id, other.id]).and.have.length(2);
        expect(await s.directory.groupIdsOfUser(randomUUID())).to.deep.equal([]);
      });

      it("reads a user's groups whole, in id order, in one call; a deleted group or a removed membership is gone", async () => {
        const tag = newTag();
        const groups = [];
        for (let i = 0; i < 3; i++) groups.push(await s.directory.createGroup(groupFixture(tag, { description: i === 0 ? '' : `<b>"${i}"</b>` })));
        const ldap = await s.directory.createGroup(groupFixture(tag, { source: 'ldap', externalId: `ext-${hex(4)}` }));
        const [user, bystander] = [await s.directory.createUser(userFixture(tag)), await s.directory.createUser(userFixture(tag))];
        for (const g of [groups[0]!, groups[2]!, ldap]) await s.directory.addMember(g.id, user.id);
        await s.directory.addMember(groups[1]!.id, bystander.id);

        const expected = await Promise.all([groups[0]!, groups[2]!, ldap].map((g) => s.directory.getGroup(g.id)));
        expected.sort((a, b) => (a!.id < b!.id ? -1 : 1));
        expect(await s.directory.groupsOfUser(user.id)).to.deep.equal(expected);
        expect((await s.directory.groupsOfUser(bystander.id)).map((g) => g.id)).to.deep.equal([groups[1]!.id]);
        expect(await s.directory.groupsOfUser(randomUUID())).to.deep.equal([]);

        await s.directory.deleteGroup(groups[0]!.id);
        await s.directory.removeMember(ldap.id, user.id);
        expect((await s.directory.groupsOfUser(user.id)).map((g) => g.id)).to.deep.equal([groups[2]!.id]);
      });

      it('refuses memberships of unknown groups or users, and removal of a non-member', async () => {
        const tag = newTag();
        const group = await s.directory.createGroup(groupFixture(tag));
        const user = await s.directory.createUser(userFixture(tag));
        const noGroup = await rejection(s.directory.addMember(randomUUID(), user.id));
        expect(noGroup).to.be.instanceOf(NotFoundError);
        expect((noGroup as NotFoundError).resource).to.equal('group');
        const noUser = await rejection(s.directory.addMember(group.id, randomUUID()));
        expect(noUser).to.be.instanceOf(NotFoundError);
        expect((noUser as NotFoundError).resource).to.equal('user');
        expect(await rejection(s.directory.removeMember(group.id, user.id))).to.be.instanceOf(NotFoundError);
        expect(await rejection(s.directory.listMembers(randomUUID()))).to.be.instanceOf(NotFoundError);

        await s.directory.addMember(group.id, user.id);
        await s.directory.removeMember(group.id, user.id);
        expect((await s.directory.listMembers(group.id)).items).to.deep.equal([]);
        expect(await s.directory.getUser(user.id)).to.not.equal(null);
      });

      it('deleting a group removes its memberships but not its members', async () => {
        const tag = newTag();
        const group = await s.directory.createGroup(groupFixture(tag));
        const user = await s.directory.createUser(userFixture(tag));
        await s.directory.addMember(group.id, user.id);
        await s.directory.deleteGroup(group.id);
        expect(await s.directory.groupIdsOfUser(user.id)).to.deep.equal([]);
        expect(await s.directory.getUser(user.id)).to.not.equal(null);
      });
    });

    describe('accounts', () => {
      it('creates, reads, updates and refuses a duplicate account id', async () => {
        const tag = newTag();
        const account = await s.accounts.create(accountFixture(tag, { name: `${tag} ${AWKWARD}` }));
        expect(await s.accounts.get(account.accountId)).to.deep.equal(account);
        expect(account.createdAt).to.be.instanceOf(Date);
        const duplicate = await rejection(s.accounts.create(accountFixture(tag, { accountId: account.accountId })));
        expect(duplicate).to.be.instanceOf(ConflictError);
        expect(await s.accounts.get(account.accountId)).to.deep.equal(account);

        await new Promise((r) => setTimeout(r, 5));
        const updated = await s.accounts.update(account.accountId, { name: `${tag} prod`, kind: 'external', signInEndpoint: 'https://signin.aws.amazon.com/saml/acs/x' });
        expect(updated).to.deep.include({ name: `${tag} prod`, kind: 'external', email: account.email, samlProviderName: 'Gatehouse' });
        expect(updated.updatedAt.getTime()).to.be.above(account.updatedAt.getTime());
        expect(await s.accounts.get(account.accountId)).to.deep.equal(updated);
      });

      it('returns null, NotFoundError or nothing for unknown accounts', async () => {
        expect(await s.accounts.get(accountId())).to.equal(null);
        expect(await rejection(s.accounts.update(accountId(), { name: 'x' }))).to.be.instanceOf(NotFoundError);
        expect(await rejection(s.accounts.delete(accountId()))).to.be.instanceOf(NotFoundError);
        expect(await rejection(s.accounts.delete(accountId(), { cascade: true }))).to.be.instanceOf(NotFoundError);
        expect(await s.accounts.getMany([])).to.deep.equal([]);
      });

      it('gets many at once in name order, leaving out unknown ids and repeats', async () => {
        const tag = newTag();
        const b = await s.accounts.create(accountFixture(tag, { name: `${tag} Beta` }));
        const a = await s.accounts.create(accountFixture(tag, { name: `${tag} alpha` }));
        const many = await s.accounts.getMany([b.accountId, accountId(), a.accountId, b.accountId]);
        expect(many).to.deep.equal([a, b]);
      });

      it('lists accounts by name case-insensitively then id, across pages', async () => {
        const tag = newTag();
        const created = [];
        for (const n of ['Sandbox', 'audit', 'Prod', 'log-archive', 'prod']) created.push(await s.accounts.create(accountFixture(tag, { name: `${tag} ${n}` })));
        const { items, pages } = await allPages((nextToken) => s.accounts.list({ nameContains: tag, limit: 2, nextToken }));
        expect(pages).to.equal(3);
        const expected = [...created].sort((x, y) => byteOrder(x.name.toLowerCase(), y.name.toLowerCase()) || byteOrder(x.accountId, y.accountId));
        expect(items).to.deep.equal(expected);
      });

      it('refuses to delete an account with assignments, and deletes them too when asked to cascade, returning each one that went', async () => {
        const tag = newTag();
        const account = await s.accounts.create(accountFixture(tag));
        const set = await s.permissionSets.create(permissionSetFixture(tag));
        const other = await s.permissionSets.create(permissionSetFixture(tag));
        const assignment = { accountId: account.accountId, permissionSetId: set.id, principalType: 'USER' as const, principalId: randomUUID() };
        const second = { accountId: account.accountId, permissionSetId: other.id, principalType: 'GROUP' as const, principalId: randomUUID() };
        await s.assignments.create(assignment);
        await s.assignments.create(second);

        const refused = await rejection(s.accounts.delete(account.accountId));
        expect(refused).to.be.instanceOf(ConflictError);
        expect(await s.accounts.get(account.accountId)).to.not.equal(null);
        expect((await s.assignments.list({ accountId: account.accountId })).items).to.have.length(2);

        const removed = await s.accounts.delete(account.accountId, { cascade: true });
        const keyOf = (a: AssignmentKey) => ({ accountId: a.accountId, permissionSetId: a.permissionSetId, principalType: a.principalType, principalId: a.principalId });
        expect(removed.map(keyOf)).to.have.deep.members([assignment, second]);
        for (const r of removed) expect(r.createdAt).to.be.instanceOf(Date);
        expect(await s.accounts.get(account.accountId)).to.equal(null);
        expect((await s.assignments.list({ accountId: account.accountId })).items).to.deep.equal([]);
        expect(await s.permissionSets.get(set.id)).to.not.equal(null);
      });

      it('deletes an account without assignments', async () => {
        const account = await s.accounts.create(accountFixture(newTag()));
        expect(await s.accounts.delete(account.accountId)).to.deep.equal([]);
        expect(await s.accounts.get(account.accountId)).to.equal(null);
      });
    });

    describe('permission sets', () => {
      it('creates at version 1 and reads back by id and by name, with every JSON field exact', async () => {
        const tag = newTag();
        const input = permissionSetFixture(tag, {
          description: AWKWARD,
          inlinePolicy: `{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Sid": ${JSON.stringify(AWKWARD)}}]\n}`,
          customerManagedPolicies: [{ name: 'Café', path: '/ü/' }, { name: 'B', path: '/' }],
          permissionsBoundary: { customerManagedPolicyReference: { name: AWKWARD, path: '/b/' } },
          tags: [{ key: 'z', value: AWKWARD }, { key: 'a', value: '' }],
        });
        const created = await s.permissionSets.create(input);
        expect(created.version).to.equal(1);
        expect(created).to.deep.include({ ...input });
        expect(await s.permissionSets.get(created.id)).to.deep.equal(created);
        expect(await s.permissionSets.getByName(input.name)).to.deep.equal(created);
        expect(await s.permissionSets.getByName(input.name.toUpperCase())).to.deep.equal(created);
        expect(await s.permissionSets.getByName(`${input.name}x`)).to.equal(null);
        expect(await s.permissionSets.get(newPermissionSetId())).to.equal(null);
      });

      it('stores null optional fields as null', async () => {
        const created = await s.permissionSets.create(
          permissionSetFixture(newTag(), { description: null, relayState: null, inlinePolicy: null, permissionsBoundary: null, managedPolicies: [], customerManagedPolicies: [], tags: [] }),
        );
        expect(await s.permissionSets.get(created.id)).to.deep.equal(created);
        expect(created).to.deep.include({ description: null, relayState: null, inlinePolicy: null, permissionsBoundary: null });
      });

      it('refuses a duplicate name, also in another case, or a duplicate id', async () => {
        const tag = newTag();
        const first = await s.permissionSets.create(permissionSetFixture(tag, { name: `${tag}-ReadOnly` }));
        expect(await rejection(s.permissionSets.create(permissionSetFixture(tag, { name: first.name })))).to.be.instanceOf(ConflictError);
        const otherCase = await rejection(s.permissionSets.create(permissionSetFixture(tag, { name: `${tag.toUpperCase()}-readonly` })));
        expect(otherCase).to.be.instanceOf(ConflictError);
        expect((otherCase as Error).message).to.contain('-readonly');
        expect(await rejection(s.permissionSets.create(permissionSetFixture(tag, { id: first.id })))).to.be.instanceOf(ConflictError);
        expect((await s.permissionSets.list({ nameContains: tag })).items).to.deep.equal([first]);
      });

      it('bumps the version on every update and changes only the patched fields', async () => {
        const created = await s.permissionSets.create(permissionSetFixture(newTag()));
        const first = await s.permissionSets.update(created.id, { sessionDuration: 'PT12H', permissionsBoundary: null });
        expect(first.version).to.equal(2);
        expect(first).to.deep.include({ sessionDuration: 'PT12H', permissionsBoundary: null, name: created.name, arn: created.arn });
        expect(first.managedPolicies).to.deep.equal(created.managedPolicies);
        const second = await s.permissionSets.update(created.id, { description: null, tags: [{ key: 'k', value: 'v' }] });
        expect(second.version).to.equal(3);
        expect(second.description).to.equal(null);
        expect(second.sessionDuration).to.equal('PT12H');
        expect(await s.permissionSets.get(created.id)).to.deep.equal(second);
        expect(await rejection(s.permissionSets.update(newPermissionSetId(), { description: 'x' }))).to.be.instanceOf(NotFoundError);
      });

      it('gets many in name order and lists by name across pages', async () => {
        const tag = newTag();
        const sets = [];
        for (const n of ['Zeta', 'alpha', 'Mid']) sets.push(await s.permissionSets.create(permissionSetFixture(tag, { name: `${tag}-${n}` })));
        const byName = [sets[1], sets[2], sets[0]];
        expect(await s.permissionSets.getMany([...sets.map((x) => x.id), newPermissionSetId()])).to.deep.equal(byName);
        const { items, pages } = await allPages((nextToken) => s.permissionSets.list({ nameContains: tag.toUpperCase(), limit: 2, nextToken }));
        expect(pages).to.equal(2);
        expect(items).to.deep.equal(byName);
      });

      it('refuses to delete a set with assignments unless cascading; unknown sets are NotFoundError', async () => {
        const tag = newTag();
        const account = await s.accounts.create(accountFixture(tag));
        const set = await s.permissionSets.create(permissionSetFixture(tag));
        const assignment = await s.assignments.create({ accountId: account.accountId, permissionSetId: set.id, principalType: 'GROUP', principalId: randomUUID() });
        expect(await rejection(s.permissionSets.delete(set.id))).to.be.instanceOf(ConflictError);
        expect(await s.permissionSets.get(set.id)).to.not.equal(null);
        expect(await s.permissionSets.delete(set.id, { cascade: true })).to.deep.equal([assignment]);
        expect(await s.permissionSets.get(set.id)).to.equal(null);
        expect((await s.assignments.list({ permissionSetId: set.id })).items).to.deep.equal([]);
        expect(await rejection(s.permissionSets.delete(set.id))).to.be.instanceOf(NotFoundError);
        const bare = await s.permissionSets.create(permissionSetFixture(tag));
        expect(await s.permissionSets.delete(bare.id)).to.deep.equal([]);
        expect(await s.permissionSets.getByName(bare.name)).to.equal(null);
      });
    });

    describe('account assignments', () => {
      async function accountsAndSets(tag: string, accounts: number, sets: number) {
        const a = [];
        const p = [];
        for (let i = 0; i < accounts; i++) a.push((await s.accounts.create(accountFixture(tag))).accountId);
        for (let i = 0; i < sets; i++) p.push((await s.permissionSets.create(permissionSetFixture(tag))).id);
        return { accounts: a.sort(byteOrder), sets: p.sort(byteOrder) };
      }

      it('creates an assignment once, and deletes it once', async () => {
        const { accounts, sets } = await accountsAndSets(newTag(), 1, 1);
        const key = { accountId: accounts[0]!, permissionSetId: sets[0]!, principalType: 'USER' as const, principalId: randomUUID() };
        const created = await s.assignments.create(key);
        expect(created).to.deep.include(key);
        expect(created.createdAt).to.be.instanceOf(Date);
        expect((await s.assignments.list({ principalId: key.principalId })).items).to.deep.equal([created]);
        expect(await rejection(s.assignments.create(key))).to.be.instanceOf(ConflictError);
        // The same pair for a group with the same id is a different assignment.
        await s.assignments.create({ ...key, principalType: 'GROUP' });

        await s.assignments.delete(key);
        expect((await s.assignments.list({ principalId: key.principalId, principalType: 'USER' })).items).to.deep.equal([]);
        expect(await rejection(s.assignments.delete(key))).to.be.instanceOf(NotFoundError);
      });

      it('refuses assignments to an unknown account or permission set, saying which', async () => {
        const { accounts, sets } = await accountsAndSets(newTag(), 1, 1);
        const principal = { principalType: 'USER' as const, principalId: randomUUID() };
        const noAccount = await rejection(s.assignments.create({ accountId: accountId(), permissionSetId: sets[0]!, ...principal }));
        expect(noAccount).to.be.instanceOf(NotFoundError);
        expect((noAccount as NotFoundError).resource).to.equal('account');
        const noSet = await rejection(s.assignments.create({ accountId: accounts[0]!, permissionSetId: newPermissionSetId(), ...principal }));
        expect(noSet).to.be.instanceOf(NotFoundError);
        expect((noSet as NotFoundError).resource).to.equal('permission set');
        expect((await s.assignments.list({ principalId: principal.principalId })).items).to.deep.equal([]);
      });

      it('lists with filters in a stable order across pages', async () => {
        const { accounts, sets } = await accountsAndSets(newTag(), 2, 2);
        const user = randomUUID();
        const group = randomUUID();
        const made: AccountAssignment[] = [];
        for (const accountId of accounts) {
          for (const permissionSetId of sets) {
            made.push(await s.assignments.create({ accountId, permissionSetId, principalType: 'USER', principalId: user }));
            made.push(await s.assignments.create({ accountId, permissionSetId, principalType: 'GROUP', principalId: group }));
          }
        }
        const key = (a: AccountAssignment) => [a.accountId, a.permissionSetId, a.principalType, a.principalId];
        const ordered = [...made].sort((x, y) => {
          for (let i = 0; i < 4; i++) {
            const c = byteOrder(key(x)[i]!, key(y)[i]!);
            if (c !== 0) return c;
          }
          return 0;
        });

        const byAccount = await allPages((nextToken) => s.assignments.list({ accountId: accounts[0] }, { limit: 3, nextToken }));
        expect(byAccount.pages).to.equal(2);
        expect(byAccount.items).to.deep.equal(ordered.filter((a) => a.accountId === accounts[0]));

        const byUser = await allPages((nextToken) => s.assignments.list({ principalType: 'USER', principalId: user }, { limit: 1, nextToken }));
        expect(byUser.pages).to.equal(4);
        expect(byUser.items).to.deep.equal(ordered.filter((a) => a.principalType === 'USER'));

        const bySetAndGroup = await s.assignments.list({ permissionSetId: sets[1], principalId: group });
        expect(bySetAndGroup.items).to.deep.equal(ordered.filter((a) => a.permissionSetId === sets[1] && a.principalId === group));
      });

      it('deletes every assignment of one principal and returns those that went', async () => {
        const { accounts, sets } = await accountsAndSets(newTag(), 2, 1);
        const gone = randomUUID();
        const stays = randomUUID();
        for (const accountId of accounts) {
          await s.assignments.create({ accountId, permissionSetId: sets[0]!, principalType: 'GROUP', principalId: gone });
          await s.assignments.create({ accountId, permissionSetId: sets[0]!, principalType: 'GROUP', principalId: stays });
        }
        await s.assignments.create({ accountId: accounts[0]!, permissionSetId: sets[0]!, principalType: 'USER', principalId: gone });
        const removed = await s.assignments.deleteForPrincipal('GROUP', gone);
        expect(removed.map((a) => [a.accountId, a.permissionSetId, a.principalType, a.principalId])).to.have.deep.members(
          accounts.map((accountId) => [accountId, sets[0]!, 'GROUP', gone]),
        );
        expect(await s.assignments.deleteForPrincipal('GROUP', gone)).to.deep.equal([]);
        expect((await s.assignments.list({ principalId: stays })).items).to.have.length(2);
        expect((await s.assignments.list({ principalType: 'USER', principalId: gone })).items).to.have.length(1);
      });

      it('computes entitlements through direct assignments and two overlapping groups, de-duplicated and sorted', async () => {
        const { accounts, sets } = await accountsAndSets(newTag(), 3, 3);
        const [a0, a1, a2] = accounts as [string, string, string];
        const [p0, p1, p2] = sets as [string, string, string];
        const user = randomUUID();
        const g1 = randomUUID();
        const g2 = randomUUID();
        const notMine = randomUUID();
        const assign = (accountId: string, permissionSetId: string, principalType: PrincipalType, principalId: string) =>
          s.assignments.create({ accountId, permissionSetId, principalType, principalId });
        await assign(a2, p0, 'USER', user);
        await assign(a0, p1, 'USER', user);
        await assign(a0, p1, 'GROUP', g1); // overlaps the direct one
        await assign(a0, p0, 'GROUP', g1);
        await assign(a0, p0, 'GROUP', g2); // overlaps g1
        await assign(a0, p2, 'GROUP', g2);
        await assign(a2, p0, 'GROUP', g2); // overlaps the direct one
        await assign(a1, p2, 'GROUP', notMine); // a group the user is not in
        await assign(a1, p1, 'USER', notMine); // another user
        // The same id as the user, but as a group: must not count as the user's own.
        await assign(a1, p0, 'GROUP', user);

        expect(await s.assignments.entitlements(user, [g1, g2, g1])).to.deep.equal([
          { accountId: a0, permissionSetIds: [p0, p1, p2] },
          { accountId: a2, permissionSetIds: [p0] },
        ]);
        expect(await s.assignments.entitlements(user, [])).to.deep.equal([
          { accountId: a0, permissionSetIds: [p1] },
          { accountId: a2, permissionSetIds: [p0] },
        ]);
        expect(await s.assignments.entitlements(randomUUID(), [g2])).to.deep.equal([
          { accountId: a0, permissionSetIds: [p0, p2] },
          { accountId: a2, permissionSetIds: [p0] },
        ]);
        expect(await s.assignments.entitlements(randomUUID(), [randomUUID()])).to.deep.equal([]);
      });

      it('computes entitlements for a user in more groups than one query binds', async () => {
        const { accounts, sets } = await accountsAndSets(newTag(), 2, 1);
        const groups = Array.from({ length: 2500 }, () => randomUUID());
        await s.assignments.create({ accountId: accounts[1]!, permissionSetId: sets[0]!, principalType: 'GROUP', principalId: groups[2499]! });
        await s.assignments.create({ accountId: accounts[0]!, permissionSetId: sets[0]!, principalType: 'GROUP', principalId: groups[1200]! });
        await s.assignments.create({ accountId: accounts[1]!, permissionSetId: sets[0]!, principalType: 'GROUP', principalId: groups[3]! });
        expect(await s.assignments.entitlements(randomUUID(), groups)).to.deep.equal([
          { accountId: accounts[0], permissionSetIds: [sets[0]] },
          { accountId: accounts[1], permissionSetIds: [sets[0]] },
        ]);
      });
    });

    describe('audit log', () => {
      it('appends events and lists them newest first, same-millisecond events in reverse insertion order', async () => {
        const actor = `actor-${hex(4)}`;
        const at = new Date('2030-01-02T03:04:05.678Z');
        const first = await s.audit.append({ actor, action: 'user.create', target: 'user/1', detail: { n: 1 }, at });
        const second = await s.audit.append({ actor, action: 'user.update', target: 'user/1', detail: { n: 2 }, at });
        const older = await s.audit.append({ actor, action: 'user.create', target: 'user/0', detail: {}, at: new Date(at.getTime() - 1) });
        const now = await s.audit.append({ actor, action: 'user.delete', target: 'user/1', detail: {} });
        expect(first.id).to.be.a('string').and.not.equal(second.id);
        expect(first.at.getTime()).to.equal(at.getTime());
        expect(Math.abs(now.at.getTime() - Date.now())).to.be.below(60_000);
        const listed = await s.audit.list({ actor });
        // The 2030 events lie in the future of `now`; `older` is one millisecond before them.
        expect(listed.items.map((e) => e.id)).to.deep.equal([second.id, first.id, older.id, now.id]);
        expect(listed.items[1]).to.deep.equal(first);
        expect(listed.items[1]!.at).to.be.instanceOf(Date);
      });

      it('filters by action and actor and pages through the log', async () => {
        const actor = `actor-${hex(4)}`;
        const base = Date.now();
        const made = [];
        for (let i = 0; i < 5; i++) {
          made.push(await s.audit.append({ actor, action: i % 2 === 0 ? 'signin.failure' : 'signin.success', target: `user/${i}`, detail: { i }, at: new Date(base + i) }));
        }
        const newestFirst = [...made].reverse();
        const { items, pages } = await allPages((nextToken) => s.audit.list({ actor, limit: 2, nextToken }));
        expect(pages).to.equal(3);
        expect(items).to.deep.equal(newestFirst);
        const failures = await s.audit.list({ actor, action: 'signin.failure' });
        expect(failures.items.map((e) => e.target)).to.deep.equal(['user/4', 'user/2', 'user/0']);
        expect((await s.audit.list({ actor: `${actor}x` })).items).to.deep.equal([]);
      });

      it('keeps event detail exactly', async () => {
        const actor = `actor-${hex(4)}`;
        const detail = { text: AWKWARD, nested: { list: [1, 'two', null, true], empty: {} }, 'key with "quotes"': '<&"]]>' };
        await s.audit.append({ actor, action: 'x.y', target: AWKWARD, detail });
        const [event] = (await s.audit.list({ actor })).items;
        expect(event!.detail).to.deep.equal(detail);
        expect(Object.keys(event!.detail)).to.deep.equal(['text', 'nested', 'key with "quotes"']);
        expect(event!.target).to.equal(AWKWARD);
      });
    });

    describe('API tokens', () => {
      it('finds a token by hash until it expires, with its dates intact', async () => {
        const user = await s.directory.createUser(userFixture(newTag()));
        const token = { hash: hex(32), userId: user.id, createdAt: new Date('2031-05-06T07:08:09.123Z'), expiresAt: new Date('2031-05-06T19:08:09.123Z') };
        const created = await s.apiTokens.create(token);
        expect(created.id).to.match(/^tok-[0-9a-f]{16}$/);
        expect(created.role).to.equal('administrator');
        expect(await s.apiTokens.find(token.hash, new Date('2031-05-06T19:08:09.122Z'))).to.deep.equal(created);
        expect(await s.apiTokens.find(token.hash, new Date('2031-05-06T19:08:09.123Z'))).to.equal(null);
        expect(await s.apiTokens.find(token.hash)).to.deep.equal(created); // now is before 2031
        expect(await s.apiTokens.find(hex(32))).to.equal(null);
      });

      it('refuses a duplicate hash or an unknown user', async () => {
        const user = await s.directory.createUser(userFixture(newTag()));
        const token = { hash: hex(32), userId: user.id, createdAt: new Date(), expiresAt: new Date(Date.now() + 60_000) };
        await s.apiTokens.create(token);
        expect(await rejection(s.apiTokens.create({ ...token }))).to.be.instanceOf(ConflictError);
        const unknownUser = await rejection(s.apiTokens.create({ ...token, hash: hex(32), userId: randomUUID() }));
        expect(unknownUser).to.be.instanceOf(NotFoundError);
        expect((unknownUser as NotFoundError).resource).to.equal('user');
      });

      it('deletes one token, or all of a user\'s', async () => {
        const user = await s.directory.createUser(userFixture(newTag()));
        const other = await s.directory.createUser(userFixture(newTag()));
        const later = new Date(Date.now() + 60_000);
        const hashes = [hex(32), hex(32), hex(32)];
        for (const hash of hashes) await s.apiTokens.create({ hash, userId: user.id, createdAt: new Date(), expiresAt: later });
        const othersHash = hex(32);
        await s.apiTokens.create({ hash: othersHash, userId: other.id, createdAt: new Date(), expiresAt: later });

        await s.apiTokens.delete(hashes[0]!);
        expect(await s.apiTokens.find(hashes[0]!)).to.equal(null);
        expect(await rejection(s.apiTokens.delete(hashes[0]!))).to.be.instanceOf(NotFoundError);
        expect(await s.apiTokens.deleteForUser(user.id)).to.equal(2);
        expect(await s.apiTokens.find(hashes[1]!)).to.equal(null);
        expect(await s.apiTokens.deleteForUser(user.id)).to.equal(0);
        expect(await s.apiTokens.find(othersHash)).to.not.equal(null);
      });
    });

    describe('settings', () => {
      it('stores a JSON document by name, replaces it, and deletes it idempotently', async () => {
        const name = `identity-source-${newTag()}`;
        expect(await s.settings.get(name)).to.equal(null);
        await s.settings.put(name, { kind: 'ldap', url: 'ldaps://dc.example.com', nested: { list: [1, AWKWARD] } });
        const first = await s.settings.get<{ kind: string; nested: { list: unknown[] } }>(name);
        expect(first?.value).to.deep.equal({ kind: 'ldap', url: 'ldaps://dc.example.com', nested: { list: [1, AWKWARD] } });
        expect(first?.updatedAt).to.be.instanceOf(Date);
        await s.settings.put(name, { kind: 'builtin' });
        expect((await s.settings.get(name))?.value).to.deep.equal({ kind: 'builtin' });
        await s.settings.delete(name);
        await s.settings.delete(name);
        expect(await s.settings.get(name)).to.equal(null);
      });
    });

    describe('applications', () => {
      const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
      const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
      const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';

      function applicationFixture(tag: string, over: Partial<NewApplication> = {}): NewApplication {
        return {
          id: newApplicationId(),
          name: `${tag} app ${hex(3)}`,
          description: 'a custom app',
          kind: 'custom',
          entityId: `https://${tag}-${hex(3)}.example.com/saml`,
          acs: [
            { url: `https://${tag}.example.com/acs?x=1&y=<2>`, binding: POST, index: 0, isDefault: true },
            { url: `https://${tag}.example.com/acs-redirect`, binding: REDIRECT, index: 7, isDefault: false },
          ],
          slo: { url: `https://${tag}.example.com/slo`, binding: REDIRECT },
          signingCertificates: ['-----BEGIN CERTIFICATE-----\nMIIBsigning\n-----END CERTIFICATE-----\n'],
          encryptionCertificates: ['-----BEGIN CERTIFICATE-----\nMIIBenc1\n-----END CERTIFICATE-----\n', 'PEM-2'],
          authnRequestsSigned: true,
          metadata: {
            source: 'url',
            url: `https://${tag}.example.com/metadata.xml`,
            xml: `<?xml version="1.0"?>\n<md:EntityDescriptor entityID="x">${AWKWARD}</md:EntityDescriptor>`,
            fetchedAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)),
            validUntil: new Date(Date.UTC(2027, 0, 1)),
            cacheDurationSeconds: 3600,
            lastError: null,
            nextFetchAt: new Date(Date.UTC(2100, 0, 1)),
          },
          metadataTrust: { requireSignature: true, requireValidUntil: null, signingCertificates: ['-----BEGIN CERTIFICATE-----\nMIIBsigner\n-----END CERTIFICATE-----\n'] },
          nameIdFormat: PERSISTENT,
          nameIdSource: 'persistent',
          attributeMappings: [
            { name: 'email', value: '${user:email}' },
            { name: 'urn:oid:2.5.4.11', nameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri', value: `${AWKWARD} \${user:attribute.department}` },
          ],
          signResponse: true,
          signAssertion: false,
          encryptAssertion: true,
          sessionDurationSeconds: 3600,
          defaultRelayState: `https://${tag}.example.com/home?a=1&b=2`,
          externalAwsAccount: null,
          ...over,
        };
      }

      function externalFixture(tag: string, account: string): NewApplication {
        return applicationFixture(tag, {
          kind: 'external-aws-account',
          entityId: 'urn:amazon:webservices',
          acs: [{ url: 'https://signin.aws.amazon.com/saml', binding: POST, index: 0, isDefault: true }],
          slo: null,
          signingCertificates: [],
          encryptionCertificates: [],
          authnRequestsSigned: false,
          metadata: { source: 'manual', url: null, xml: null, fetchedAt: null, validUntil: null, cacheDurationSeconds: null, lastError: null, nextFetchAt: null },
          encryptAssertion: false,
          externalAwsAccount: {
            accountId: account,
            samlProviderName: 'Gatehouse',
            roles: [{ roleArn: `arn:aws:iam::${account}:role/Admin`, label: 'Admin' }, { roleArn: `arn:aws:iam::${account}:role/ReadOnly` }],
          },
        });
      }

      it('creates an app and reads it back by id and entity id, with every nested field exact', async () => {
        const tag = newTag();
        const input = applicationFixture(tag, { name: `${tag} ${AWKWARD}`, description: AWKWARD });
        const app = await s.applications.create(input);
        expect(app).to.deep.equal({ ...input, createdAt: app.createdAt, updatedAt: app.updatedAt });
        expect(app.createdAt).to.be.instanceOf(Date);
        expect(app.metadata.fetchedAt).to.be.instanceOf(Date);
        expect(await s.applications.get(app.id)).to.deep.equal(app);
        expect(await s.applications.getByEntityId(input.entityId)).to.deep.equal(app);
        // Returned objects are copies.
        app.acs[0]!.url = 'https://evil.example.com/';
        expect((await s.applications.get(app.id))?.acs[0]?.url).to.equal(input.acs[0]!.url);
      });

      it('keeps nulls and empty lists as nulls and empty lists', async () => {
        const tag = newTag();
        const input = applicationFixture(tag, {
          slo: null,
          signingCertificates: [],
          encryptionCertificates: [],
          attributeMappings: [],
          authnRequestsSigned: false,
          signAssertion: true,
          encryptAssertion: false,
          sessionDurationSeconds: null,
          defaultRelayState: null,
          metadata: { source: 'upload', url: null, xml: '<x/>', fetchedAt: null, validUntil: null, cacheDurationSeconds: null, lastError: null, nextFetchAt: null },
        });
        const app = await s.applications.create(input);
        expect(await s.applications.get(app.id)).to.deep.equal({ ...input, createdAt: app.createdAt, updatedAt: app.updatedAt });
      });

      it('refuses a second app with the same entity id (create and update), changing nothing', async () => {
        const tag = newTag();
        const first = await s.applications.create(applicationFixture(tag));
        const clash = await rejection(s.applications.create(applicationFixture(tag, { entityId: first.entityId })));
        expect(clash).to.be.instanceOf(ConflictError);
        const second = await s.applications.create(applicationFixture(tag));
        const moved = await rejection(s.applications.update(second.id, { entityId: first.entityId, name: 'renamed' }));
        expect(moved).to.be.instanceOf(ConflictError);
        expect(await s.applications.get(second.id)).to.deep.equal(second);
        expect((await s.applications.list({ nameContains: tag })).items).to.have.length(2);
      });

      it('keys external AWS account apps by account id: several share AWS entity id, one per account, none found by entity id', async () => {
        const tag = newTag();
        const a = accountId();
        const one = await s.applications.create(externalFixture(tag, a));
        const other = await s.applications.create(externalFixture(tag, accountId()));
        expect(one.entityId).to.equal('urn:amazon:webservices');
        expect(other.entityId).to.equal('urn:amazon:webservices');
        expect(await rejection(s.applications.create(externalFixture(tag, a)))).to.be.instanceOf(ConflictError);
        expect(await s.applications.getByEntityId('urn:amazon:webservices')).to.equal(null);
        expect(await s.applications.get(one.id)).to.deep.equal(one);
        expect(one.externalAwsAccount?.roles).to.deep.equal([{ roleArn: `arn:aws:iam::${a}:role/Admin`, label: 'Admin' }, { roleArn: `arn:aws:iam::${a}:role/ReadOnly` }]);
        // Moving one onto another's account clashes too.
        const moved = await rejection(s.applications.update(other.id, { externalAwsAccount: one.externalAwsAccount }));
        expect(moved).to.be.instanceOf(ConflictError);
      });

      it('updates only the fields named, bumps updatedAt, and follows a new entity id', async () => {
        const tag = newTag();
        const app = await s.applications.create(applicationFixture(tag));
        await new Promise((r) => setTimeout(r, 5));
        const newEntity = `https://${tag}.example.org/new`;
        const metadata = { ...app.metadata, lastError: `fetch failed: ${AWKWARD}`, nextFetchAt: new Date(Date.UTC(2100, 5, 6)), validUntil: null };
        const updated = await s.applications.update(app.id, {
          entityId: newEntity,
          signAssertion: true,
          signResponse: false,
          attributeMappings: [{ name: 'groups', value: '${user:groups}' }],
          slo: null,
          sessionDurationSeconds: null,
          metadata,
        });
        expect(updated).to.deep.equal({
          ...app,
          entityId: newEntity,
          signAssertion: true,
          signResponse: false,
          attributeMappings: [{ name: 'groups', value: '${user:groups}' }],
          slo: null,
          sessionDurationSeconds: null,
          metadata,
          updatedAt: updated.updatedAt,
        });
        expect(updated.updatedAt.getTime()).to.be.above(app.updatedAt.getTime());
        expect(await s.applications.get(app.id)).to.deep.equal(updated);
        expect(await s.applications.getByEntityId(newEntity)).to.deep.equal(updated);
        expect(await s.applications.getByEntityId(app.entityId)).to.equal(null);
        // The old entity id is free again.
        await s.applications.create(applicationFixture(tag, { entityId: app.entityId }));
      });

      it('returns null or NotFoundError for unknown apps', async () => {
        const id = newApplicationId();
        expect(await s.applications.get(id)).to.equal(null);
        expect(await s.applications.getByEntityId(`https://${newTag()}.example.com`)).to.equal(null);
        expect(await rejection(s.applications.update(id, { name: 'x' }))).to.be.instanceOf(NotFoundError);
        expect(await rejection(s.applications.delete(id))).to.be.instanceOf(NotFoundError);
        const assign = await rejection(s.applications.assign({ applicationId: id, principalType: 'USER', principalId: randomUUID(), roleArns: [] }));
        expect(assign).to.be.instanceOf(NotFoundError);
        expect((assign as NotFoundError).resource).to.equal('application');
        expect(await rejection(s.applications.unassign(id, 'USER', randomUUID()))).to.be.instanceOf(NotFoundError);
      });

      it('lists apps by name case-insensitively then id, across pages', async () => {
        const tag = newTag();
        const created = [];
        for (const n of ['Wiki', 'ci', 'Jira', 'grafana', 'jira']) created.push(await s.applications.create(applicationFixture(tag, { name: `${tag} ${n}` })));
        const { items, pages } = await allPages((nextToken) => s.applications.list({ nameContains: tag, limit: 2, nextToken }));
        expect(pages).to.equal(3);
        const expected = [...created].sort((x, y) => byteOrder(x.name.toLowerCase(), y.name.toLowerCase()) || byteOrder(x.id, y.id));
        expect(items).to.deep.equal(expected);
      });

      it('assigns, replaces an assignment keeping its createdAt, lists across pages and unassigns once', async () => {
        const app = await s.applications.create(applicationFixture(newTag()));
        const user = randomUUID();
        const made = await s.applications.assign({ applicationId: app.id, principalType: 'USER', principalId: user, roleArns: ['b', 'a', 'b'] });
        expect(made).to.deep.include({ applicationId: app.id, principalType: 'USER', principalId: user, roleArns: ['b', 'a'] });
        expect(made.createdAt).to.be.instanceOf(Date);
        await new Promise((r) => setTimeout(r, 5));
        const replaced = await s.applications.assign({ applicationId: app.id, principalType: 'USER', principalId: user, roleArns: ['c'] });
        expect(replaced.roleArns).to.deep.equal(['c']);
        expect(replaced.createdAt.getTime()).to.equal(made.createdAt.getTime());
        const groups = [randomUUID(), randomUUID(), randomUUID()];
        for (const g of groups) await s.applications.assign({ applicationId: app.id, principalType: 'GROUP', principalId: g, roleArns: [] });
        const { items, pages } = await allPages((nextToken) => s.applications.listAssignments(app.id, { limit: 2, nextToken }));
        expect(pages).to.equal(2);
        expect(items.map((a) => `${a.principalType}/${a.principalId}`)).to.deep.equal([...groups.sort(byteOrder).map((g) => `GROUP/${g}`), `USER/${user}`]);
        expect(items.find((a) => a.principalType === 'USER')?.roleArns).to.deep.equal(['c']);

        await s.applications.unassign(app.id, 'USER', user);
        expect(await rejection(s.applications.unassign(app.id, 'USER', user))).to.be.instanceOf(NotFoundError);
        expect((await s.applications.listAssignments(app.id)).items).to.have.length(3);
      });

      it('deleting an app deletes its assignments, and nothing of other apps', async () => {
        const tag = newTag();
        const app = await s.applications.create(applicationFixture(tag));
        const kept = await s.applications.create(applicationFixture(tag));
        const user = randomUUID();
        await s.applications.assign({ applicationId: app.id, principalType: 'USER', principalId: user, roleArns: [] });
        await s.applications.assign({ applicationId: app.id, principalType: 'GROUP', principalId: randomUUID(), roleArns: [] });
        await s.applications.assign({ applicationId: kept.id, principalType: 'USER', principalId: user, roleArns: [] });
        await s.applications.delete(app.id);
        expect(await s.applications.get(app.id)).to.equal(null);
        expect((await s.applications.listAssignments(app.id)).items).to.deep.equal([]);
        expect(await s.applications.applicationsFor(user, [])).to.deep.equal([{ applicationId: kept.id, roleArns: [] }]);
        // A new app can take the deleted one's entity id.
        await s.applications.create(applicationFixture(tag, { entityId: app.entityId }));
      });

      it('finds the apps a user reaches directly and through two overlapping groups, with role ARNs unioned', async () => {
        const tag = newTag();
        const a = accountId();
        const aws = await s.applications.create(externalFixture(tag, a));
        const wiki = await s.applications.create(applicationFixture(tag));
        const other = await s.applications.create(applicationFixture(tag));
        const user = randomUUID();
        const [g1, g2, g3] = [randomUUID(), randomUUID(), randomUUID()];
        const admin = `arn:aws:iam::${a}:role/Admin`;
        const readOnly = `arn:aws:iam::${a}:role/ReadOnly`;
        await s.applications.assign({ applicationId: aws.id, principalType: 'USER', principalId: user, roleArns: [readOnly] });
        await s.applications.assign({ applicationId: aws.id, principalType: 'GROUP', principalId: g1, roleArns: [readOnly] });
        await s.applications.assign({ applicationId: aws.id, principalType: 'GROUP', principalId: g2, roleArns: [admin, readOnly] });
        await s.applications.assign({ applicationId: wiki.id, principalType: 'GROUP', principalId: g1, roleArns: [] });
        await s.applications.assign({ applicationId: wiki.id, principalType: 'GROUP', principalId: g2, roleArns: [] });
        // Not reached: another group's app, and a USER assignment to the group's id.
        await s.applications.assign({ applicationId: other.id, principalType: 'GROUP', principalId: g3, roleArns: [] });
        await s.applications.assign({ applicationId: other.id, principalType: 'USER', principalId: g1, roleArns: [] });

        const reached = await s.applications.applicationsFor(user, [g1, g2, g2]);
        const expected = [
          { applicationId: aws.id, roleArns: [admin, readOnly].sort(byteOrder) },
          { applicationId: wiki.id, roleArns: [] },
        ].sort((x, y) => byteOrder(x.applicationId, y.applicationId));
        expect(reached).to.deep.equal(expected);
        expect(await s.applications.applicationsFor(user, [])).to.deep.equal([{ applicationId: aws.id, roleArns: [readOnly] }]);
        expect(await s.applications.applicationsFor(randomUUID(), [])).to.deep.equal([]);
      });

      it('removes every app assignment of a deleted principal, and only theirs', async () => {
        const tag = newTag();
        const one = await s.applications.create(applicationFixture(tag));
        const two = await s.applications.create(applicationFixture(tag));
        const group = randomUUID();
        await s.applications.assign({ applicationId: one.id, principalType: 'GROUP', principalId: group, roleArns: [] });
        await s.applications.assign({ applicationId: two.id, principalType: 'GROUP', principalId: group, roleArns: [] });
        await s.applications.assign({ applicationId: two.id, principalType: 'USER', principalId: group, roleArns: [] });
        expect(await s.applications.deleteAssignmentsForPrincipal('GROUP', group)).to.equal(2);
        expect(await s.applications.deleteAssignmentsForPrincipal('GROUP', group)).to.equal(0);
        expect(await s.applications.applicationsFor(randomUUID(), [group])).to.deep.equal([]);
        expect(await s.applications.applicationsFor(group, [])).to.deep.equal([{ applicationId: two.id, roleArns: [] }]);
      });

      it('lists URL-sourced apps due for a metadata refresh, oldest due first, up to the limit', async () => {
        const tag = newTag();
        // Dates in 1971 that no other test uses: the contract database is shared.
        const at = (minute: number) => new Date(Date.UTC(1971, 0, 1, 0, minute));
        const withFetch = (nextFetchAt: Date | null, source: 'url' | 'upload' = 'url') => {
          const base = applicationFixture(tag);
          return { ...base, metadata: { ...base.metadata, source, nextFetchAt } };
        };
        const late = await s.applications.create(withFetch(at(30)));
        const early = await s.applications.create(withFetch(at(10)));
        const exact = await s.applications.create(withFetch(at(20)));
        await s.applications.create(withFetch(at(21)));
        await s.applications.create(withFetch(at(5), 'upload'));
        await s.applications.create(withFetch(null));

        const due = await s.applications.dueForMetadataRefresh(at(20), 10);
        expect(due.map((a) => a.id)).to.deep.equal([early.id, exact.id]);
        expect(due[0]).to.deep.equal(await s.applications.get(early.id));
        expect((await s.applications.dueForMetadataRefresh(at(40), 2)).map((a) => a.id)).to.deep.equal([early.id, exact.id]);
        await s.applications.update(early.id, { metadata: { ...early.metadata, nextFetchAt: new Date(Date.UTC(2100, 0, 1)) } });
        expect((await s.applications.dueForMetadataRefresh(at(30), 10)).map((a) => a.id)).to.include(late.id).and.not.include(early.id);
      });
    });

    webauthnCounterContract(() => freshDatabase(backend));
    signingKeyStoreContract(() => freshDatabase(backend));
    adminStoresContract(() => freshDatabase(backend), () => backend.emptyTarget());
    accessEventsContract(() => freshDatabase(backend));
    provisioningStoreContract(() => freshDatabase(backend));
    mfaStoreContract(() => freshDatabase(backend), () => backend.emptyTarget());
    describe('transactions (one unit of work per change)', () => {
      const limitMessage = /at most 20 managed and customer managed policies/;
      const plainApplication = (tag: string): NewApplication => ({
        id: newApplicationId(),
        name: `${tag} app`,
        description: '',
        kind: 'custom',
        entityId: `https://${tag}-${hex(3)}.example.com/saml`,
        acs: [{ url: `https://${tag}.example.com/acs`, binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', index: 0, isDefault: true }],
        slo: null,
        signingCertificates: [],
        encryptionCertificates: [],
        authnRequestsSigned: false,
        metadata: { source: 'manual', url: null, xml: null, fetchedAt: null, validUntil: null, cacheDurationSeconds: null, lastError: null, nextFetchAt: null },
        nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
        nameIdSource: 'persistent',
        attributeMappings: [],
        signResponse: true,
        signAssertion: false,
        encryptAssertion: false,
        sessionDurationSeconds: 3600,
        defaultRelayState: null,
        externalAwsAccount: null,
        metadataTrust: { requireSignature: null, requireValidUntil: null, signingCertificates: [] },
      });

      it('commits every write of the unit together and resolves with what the work returned', async () => {
        const tag = newTag();
        const actor = `actor-${hex(4)}`;
        const account = accountFixture(tag);
        const user = userFixture(tag);
        const returned = await s.transaction(async (tx) => {
          await tx.accounts.create(account);
          await tx.directory.createUser(user);
          await tx.directory.setPasswordHash(user.id, '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA');
          await tx.audit.append({ actor, action: 'account.create', target: `account/${account.accountId}`, detail: {} });
          // Inside, the unit reads its own writes.
          expect(await tx.accounts.get(account.accountId)).to.not.equal(null);
          return 'done';
        });
        expect(returned).to.equal('done');
        expect(await s.accounts.get(account.accountId)).to.not.equal(null);
        expect(await s.directory.getUser(user.id)).to.not.equal(null);
        expect(await s.directory.getPasswordHash(user.id)).to.match(/^\$argon2id\$/);
        expect((await s.audit.list({ actor })).items).to.have.length(1);
      });

      it('rolls back every write when the work throws, audit record included, and rethrows the same error', async () => {
        const tag = newTag();
        const actor = `actor-${hex(4)}`;
        const account = accountFixture(tag);
        const user = userFixture(tag);
        const set = permissionSetFixture(tag);
        const boom = new Error('boom');
        const error = await rejection(
          s.transaction(async (tx) => {
            await tx.accounts.create(account);
            await tx.directory.createUser(user);
            await tx.permissionSets.create(set);
            await tx.assignments.create({ accountId: account.accountId, permissionSetId: set.id, principalType: 'USER', principalId: user.id });
            await tx.audit.append({ actor, action: 'assignment.create', target: `account/${account.accountId}`, detail: {} });
            throw boom;
          }),
        );
        expect(error).to.equal(boom);
        expect(await s.accounts.get(account.accountId)).to.equal(null);
        expect(await s.directory.getUser(user.id)).to.equal(null);
        expect(await s.permissionSets.get(set.id)).to.equal(null);
        expect((await s.assignments.list({ principalType: 'USER', principalId: user.id })).items).to.deep.equal([]);
        expect((await s.audit.list({ actor })).items).to.deep.equal([]);
      });

      it('rolls back the writes before a store call that fails, with that call\'s domain error', async () => {
        const tag = newTag();
        const taken = await s.directory.createUser(userFixture(tag));
        const account = accountFixture(tag);
        const error = await rejection(
          s.transaction(async (tx) => {
            await tx.accounts.create(account);
            await tx.directory.createUser(userFixture(tag, { userName: taken.userName.toUpperCase() }));
          }),
        );
        expect(error).to.be.instanceOf(ConflictError);
        expect(await s.accounts.get(account.accountId)).to.equal(null);
      });

      it('keeps the unit usable after a store call it can explain (a missing reference) failed inside it', async () => {
        const tag = newTag();
        const account = await s.accounts.create(accountFixture(tag));
        const group = await s.directory.createGroup(groupFixture(tag));
        const user = userFixture(tag);
        await s.transaction(async (tx) => {
          const missingSet = await rejection(
            tx.assignments.create({ accountId: account.accountId, permissionSetId: newPermissionSetId(), principalType: 'USER', principalId: user.id }),
          );
          expect(missingSet).to.be.instanceOf(NotFoundError);
          expect((missingSet as NotFoundError).message).to.match(/permission set/);
          const missingUser = await rejection(tx.directory.addMember(group.id, user.id));
          expect(missingUser).to.be.instanceOf(NotFoundError);
          expect((missingUser as NotFoundError).message).to.match(/user/);
          await tx.directory.createUser(user);
          await tx.directory.addMember(group.id, user.id);
        });
        expect(await s.directory.groupIdsOfUser(user.id)).to.deep.equal([group.id]);
      });

      it('runs afterCommit hooks in order once committed, with the change visible to everyone; never after a rollback', async () => {
        const tag = newTag();
        const committed = accountFixture(tag);
        const seen: string[] = [];
        await s.transaction(async (tx) => {
          await tx.accounts.create(committed);
          tx.afterCommit(async () => {
            // Outside the transaction now: the stores of `s` see the committed row.
            seen.push((await s.accounts.get(committed.accountId)) ? 'first: committed' : 'first: missing');
          });
          tx.afterCommit(() => void seen.push('second'));
          seen.push('work done');
        });
        expect(seen).to.deep.equal(['work done', 'first: committed', 'second']);

        const rolledBack = accountFixture(tag);
        let ran = false;
        await rejection(
          s.transaction(async (tx) => {
            tx.afterCommit(() => void (ran = true));
            await tx.accounts.create(rolledBack);
            throw new Error('boom');
          }),
        );
        expect(ran).to.equal(false);
        // A store call failing inside also rolls back without running the hooks.
        await rejection(
          s.transaction(async (tx) => {
            tx.afterCommit(() => void (ran = true));
            await tx.accounts.create(rolledBack);
            await tx.accounts.create(rolledBack);
          }),
        );
        expect(ran).to.equal(false);
        expect(await s.accounts.get(rolledBack.accountId)).to.equal(null);
      });

      it('a failing afterCommit hook fails the call but not the commit, and the later hooks still run', async () => {
        const account = accountFixture(newTag());
        const hookError = new Error('epoch store down');
        let laterRan = false;
        const error = await rejection(
          s.transaction(async (tx) => {
            await tx.accounts.create(account);
            tx.afterCommit(() => {
              throw hookError;
            });
            tx.afterCommit(() => void (laterRan = true));
          }),
        );
        expect(error).to.equal(hookError);
        expect(laterRan).to.equal(true);
        expect(await s.accounts.get(account.accountId)).to.not.equal(null);
      });

      it('refuses the stores outside the transaction inside it, at once instead of waiting for ever', async () => {
        const account = accountFixture(newTag());
        const error = await rejection(
          s.transaction(async (tx) => {
            await tx.accounts.create(account);
            await s.accounts.get(account.accountId);
          }),
        );
        expect(error).to.be.instanceOf(Error);
        expect((error as Error).message).to.match(/outside the transaction/);
        expect(await s.accounts.get(account.accountId)).to.equal(null);
      });

      it('refuses a transaction\'s stores once it has ended', async () => {
        let kept: UnitOfWork | undefined;
        await s.transaction(async (tx) => {
          kept = tx;
        });
        expect((await rejection(kept!.accounts.get(accountId())) as Error).message).to.match(/ended/);
        expect(() => kept!.afterCommit(() => {})).to.throw(/ended/);
      });

      it('joins a transaction opened inside another: one commit, one rollback, hooks after the outer commit', async () => {
        const tag = newTag();
        const outer = accountFixture(tag);
        const inner = accountFixture(tag);
        const seen: string[] = [];
        await s.transaction(async (tx) => {
          await tx.accounts.create(outer);
          await s.transaction(async (nested) => {
            await nested.accounts.create(inner);
            nested.afterCommit(() => void seen.push('inner hook'));
          });
          seen.push('outer work done');
        });
        expect(seen).to.deep.equal(['outer work done', 'inner hook']);
        expect(await s.accounts.get(inner.accountId)).to.not.equal(null);

        const outer2 = accountFixture(tag);
        const inner2 = accountFixture(tag);
        await rejection(
          s.transaction(async (tx) => {
            await tx.accounts.create(outer2);
            await s.transaction((nested) => nested.accounts.create(inner2));
            throw new Error('boom');
          }),
        );
        expect(await s.accounts.get(outer2.accountId)).to.equal(null);
        expect(await s.accounts.get(inner2.accountId)).to.equal(null);
      });

      it('refuses a read for update outside a transaction', async () => {
        expect((await rejection(s.permissionSets.getForUpdate(newPermissionSetId())) as Error).message).to.match(/outside a transaction/);
        expect((await rejection(s.instance.getOrCreateForUpdate()) as Error).message).to.match(/outside a transaction/);
      });

      it('cascading deletes take their assignments in the caller\'s transaction, and give them back on rollback', async () => {
        const tag = newTag();
        const account = await s.accounts.create(accountFixture(tag));
        const set = await s.permissionSets.create(permissionSetFixture(tag));
        const app = await s.applications.create(plainApplication(tag));
        const principalId = randomUUID();
        await s.assignments.create({ accountId: account.accountId, permissionSetId: set.id, principalType: 'USER', principalId });
        await s.applications.assign({ applicationId: app.id, principalType: 'USER', principalId, roleArns: [] });
        await rejection(
          s.transaction(async (tx) => {
            await tx.accounts.delete(account.accountId, { cascade: true });
            await tx.permissionSets.delete(set.id, { cascade: true });
            await tx.applications.delete(app.id);
            throw new Error('boom');
          }),
        );
        expect(await s.accounts.get(account.accountId)).to.not.equal(null);
        expect(await s.permissionSets.get(set.id)).to.not.equal(null);
        expect((await s.assignments.list({ principalId })).items).to.have.length(1);
        expect((await s.applications.listAssignments(app.id)).items).to.have.length(1);
      });

      /** PostgreSQL: connections open before the race, so the edits run side by side rather than one per new connection. */
      const warmPool = (stores: SqlStores = s) => Promise.all(Array.from({ length: 10 }, () => stores.ping()));

      it('20 concurrent edits of a permission set holding 19 policies leave it at exactly the limit of 20, through the service', async () => {
        const tag = newTag();
        const service = new PermissionSetService(s, new AccessEventBus());
        const managed = Array.from({ length: 18 }, (_, i) => `arn:aws:iam::aws:policy/${tag}-Managed${i}`);
        const set = await service.create({ name: `${tag}-limit`, managedPolicies: managed, customerManagedPolicies: [{ name: 'Kept' }] }, 'tester');
        // Half add one managed policy, half one customer managed policy: each edit alone makes 20,
        // so each passes a check that reads the set before the others have written. Whichever
        // kind commits first, an edit of the other kind finds 20 already and must be refused.
        const edits = Array.from({ length: 20 }, (_, i) =>
          i % 2 === 0
            ? { managedPolicies: [...managed, `arn:aws:iam::aws:policy/${tag}-Added${i}`] }
            : { customerManagedPolicies: [{ name: 'Kept' }, { name: `Added${i}` }] },
        );
        await warmPool();
        const outcomes = await Promise.allSettled(edits.map((edit) => service.update(set.id, edit, 'tester')));
        const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason as Error);
        for (const reason of refused) {
          expect(reason).to.be.instanceOf(ValidationError);
          expect(reason.message).to.match(limitMessage);
        }
        const after = await service.get(set.id);
        expect(after.managedPolicies.length + after.customerManagedPolicies.length).to.equal(20);
        // All edits of the kind that committed first pass (each replaces its list), all of the other kind are refused.
        expect(refused).to.have.length(10);
        expect(after.version).to.equal(11);
      });

      it('two concurrent creations of a management account leave exactly one, through the service', async () => {
        const db = await freshDatabase(backend);
        try {
          const service = new AccountService(db.stores, 'https://signin.aws.amazon.com/saml', new AccessEventBus());
          const tag = newTag();
          await db.stores.instance.getOrCreate();
          await warmPool(db.stores);
          const outcomes = await Promise.allSettled(
            Array.from({ length: 8 }, () => 0).map(() => service.create({ ...accountFixture(tag, { kind: 'management' }), signInEndpoint: undefined }, 'tester')),
          );
          const made = outcomes.filter((o) => o.status === 'fulfilled');
          expect(made).to.have.length(1);
          for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).to.be.instanceOf(ConflictError);
          const accounts = (await db.stores.accounts.list()).items;
          expect(accounts.filter((a) => a.kind === 'management')).to.have.length(1);
          expect((await db.stores.instance.getOrCreate()).managementAccountId).to.equal(accounts[0]!.accountId);
        } finally {
          await db.dispose();
        }
      });
    });

    describe('instance (each test on a fresh database)', () => {
      it('creates the instance on first call with the defaults, returns the same one after, and persists updates', async () => {
        const db = await freshDatabase(backend);
        try {
          const created = await db.stores.instance.getOrCreate();
          expect(created.id).to.match(/^ssoins-[0-9a-f]{16}$/);
          expect(created).to.deep.include({
            arn: `arn:aws:sso:::instance/${created.id}`,
            managementAccountId: null,
            sessionDurationMinutes: 480,
            accessControlAttributes: {},
            metadataTrust: { requireSignature: false, requireValidUntil: false, signingCertificates: [] },
          });
          expect(await db.stores.instance.getOrCreate()).to.deep.equal(created);
          const trust = { requireSignature: true, requireValidUntil: true, signingCertificates: ['PEM'] };
          expect((await db.stores.instance.update({ metadataTrust: trust })).metadataTrust).to.deep.equal(trust);
          expect((await db.stores.instance.getOrCreate()).metadataTrust).to.deep.equal(trust);

          const attributes = { department: 'Department', 'cost center': AWKWARD };
          const updated = await db.stores.instance.update({ managementAccountId: '111122223333', sessionDurationMinutes: 60, accessControlAttributes: attributes });
          expect(updated).to.deep.include({ id: created.id, managementAccountId: '111122223333', sessionDurationMinutes: 60 });
          expect(updated.accessControlAttributes).to.deep.equal(attributes);
          const partly = await db.stores.instance.update({ managementAccountId: null });
          expect(partly).to.deep.include({ managementAccountId: null, sessionDurationMinutes: 60 });
          expect(await db.stores.instance.getOrCreate()).to.deep.equal(partly);
        } finally {
          await db.dispose();
        }
      });

      it('update creates the instance first when nobody asked for it yet', async () => {
        const db = await freshDatabase(backend);
        try {
          const updated = await db.stores.instance.update({ sessionDurationMinutes: 15 });
          expect(updated.id).to.match(/^ssoins-[0-9a-f]{16}$/);
          expect(updated.sessionDurationMinutes).to.equal(15);
        } finally {
          await db.dispose();
        }
      });

      it('two processes opening an empty database at the same moment migrate it once and agree on one instance', async function () {
        this.timeout(60_000);
        const empty = await backend.emptyTarget();
        try {
          const ids = await instanceIdsFromTwoProcesses(empty.target);
          expect(ids).to.have.length(2);
          expect(ids[0]).to.match(/^ssoins-[0-9a-f]{16}$/);
          expect(ids[1]).to.equal(ids[0]);
          const stores = await openSqlStores(empty.target);
          try {
            expect((await stores.instance.getOrCreate()).id).to.equal(ids[0]);
          } finally {
            await stores.close();
          }
        } finally {
          await empty.drop();
        }
      });
    });

    describe('lifecycle', () => {
      it('keeps everything across close and reopen, and reopening runs no migration twice', async () => {
        // Migrated here by its first open, so that the reopen follows a migration of this database.
        const db = await freshDatabase(backend, { fromEmpty: true });
        try {
          const user = await db.stores.directory.createUser(userFixture(newTag()));
          const instance = await db.stores.instance.getOrCreate();
          await db.stores.close();
          const again = await openSqlStores(db.target);
          try {
            expect(await again.directory.getUser(user.id)).to.deep.equal(user);
            expect((await again.instance.getOrCreate()).id).to.equal(instance.id);
          } finally {
            await again.close();
          }
          const { db: raw, dialect } = connectSql(db.target);
          try {
            expect(await migrate(raw, dialect)).to.deep.equal([]);
          } finally {
            await raw.destroy();
          }
        } finally {
          await db.dispose();
        }
      });

      it('rejects with UnavailableError once closed', async () => {
        const db = await freshDatabase(backend);
        try {
          await db.stores.close();
          await db.stores.close(); // closing twice is harmless
          expect(await rejection(db.stores.ping())).to.be.instanceOf(UnavailableError);
          const e = await rejection(db.stores.directory.getUser(randomUUID()));
          expect(e).to.be.instanceOf(UnavailableError);
          expect((e as UnavailableError).dependency).to.equal('sql');
        } finally {
          await db.dispose();
        }
      });
    });
  });
}
