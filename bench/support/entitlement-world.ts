// The synthetic organization of the entitlement benchmarks (bench/entitlements.ts,
// bench/entitlements-scale.ts): at 1x 100k users, 10k groups, 5k accounts, 200 permission sets and
// 1M assignments (users in 3 groups each, 4 direct assignments per user, 60 per group), generated
// deterministically, and loaded in bulk into SQLite or PostgreSQL.
//
// Seeding bypasses the store API on purpose: multi-row INSERTs in large transactions on SQLite, and
// array-parameter batches (INSERT ... SELECT FROM unnest(...), COPY-like) on PostgreSQL.

import Database from 'better-sqlite3';
import pg from 'pg';

// ---- deterministic data -------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG, so every run and backend gets the same data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function uuidFrom(random: () => number): string {
  const h = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}

export const GROUPS_PER_USER = 3;
const ASSIGNMENTS_PER_USER = 4; // 40% of assignments are direct
const ASSIGNMENTS_PER_GROUP = 60; // 60% through groups

export interface World {
  scale: number;
  userIds: string[];
  groupIds: string[];
  accountIds: string[];
  setIds: string[];
  /** memberships[u * 3 + k] = index of the k-th group of user u. */
  memberships: Uint32Array;
  assignments: number;
}

export function buildWorld(scale: number): World {
  const random = prng(20_26);
  const users = Math.round(100_000 * scale);
  const groups = Math.round(10_000 * scale);
  const accounts = Math.round(5_000 * scale);
  const sets = Math.max(2, Math.round(200 * scale));
  const memberships = new Uint32Array(users * GROUPS_PER_USER);
  for (let u = 0; u < users; u++) {
    const picked = new Set<number>();
    while (picked.size < GROUPS_PER_USER) picked.add(Math.floor(random() * groups));
    memberships.set([...picked], u * GROUPS_PER_USER);
  }
  return {
    scale,
    userIds: Array.from({ length: users }, () => uuidFrom(random)),
    groupIds: Array.from({ length: groups }, () => uuidFrom(random)),
    accountIds: Array.from({ length: accounts }, (_, i) => String(100_000_000_000 + i * 7919)),
    setIds: Array.from({ length: sets }, () => `ps-${uuidFrom(random).replace(/-/g, '').slice(0, 16)}`),
    memberships,
    assignments: users * ASSIGNMENTS_PER_USER + groups * ASSIGNMENTS_PER_GROUP,
  };
}

type Value = string | number | boolean | Date | null;
type ColumnKind = 'text' | 'int' | 'bool' | 'date';

interface Table {
  name: string;
  columns: [name: string, kind: ColumnKind][];
  rows: () => Iterable<Value[]>;
}

function tables(world: World): Table[] {
  const now = new Date();
  const random = prng(7);
  /** `count` distinct (account, permission set) pairs for one principal. */
  function pairs(count: number): [string, string][] {
    const seen = new Set<string>();
    const out: [string, string][] = [];
    while (out.length < count) {
      const a = world.accountIds[Math.floor(random() * world.accountIds.length)]!;
      const p = world.setIds[Math.floor(random() * world.setIds.length)]!;
      if (seen.has(a + p)) continue;
      seen.add(a + p);
      out.push([a, p]);
    }
    return out;
  }
  const stamp: [string, ColumnKind][] = [['created_at', 'date'], ['updated_at', 'date']];
  return [
    {
      name: 'accounts',
      columns: [['account_id', 'text'], ['name', 'text'], ['name_key', 'text'], ['email', 'text'], ['kind', 'text'], ['saml_provider_name', 'text'], ['sign_in_endpoint', 'text'], ...stamp],
      *rows() {
        for (const id of world.accountIds) yield [id, `Account ${id}`, `account ${id}`, `aws+${id}@example.com`, 'member', 'Gatehouse', 'https://signin.aws.amazon.com/saml', now, now];
      },
    },
    {
      name: 'permission_sets',
      columns: [['id', 'text'], ['arn', 'text'], ['name', 'text'], ['name_key', 'text'], ['session_duration', 'text'], ['managed_policies_json', 'text'], ['customer_managed_policies_json', 'text'], ['tags_json', 'text'], ['version', 'int'], ...stamp],
      *rows() {
        for (const [i, id] of world.setIds.entries()) {
          yield [id, `arn:aws:sso:::permissionSet/ssoins-0000000000000000/${id}`, `Set${i}`, `set${i}`, 'PT1H', '["arn:aws:iam::aws:policy/ReadOnlyAccess"]', '[]', '[]', 1, now, now];
        }
      },
    },
    {
      name: 'directory_users',
      columns: [['id', 'text'], ['user_name', 'text'], ['user_name_key', 'text'], ['display_name', 'text'], ['display_name_key', 'text'], ['name_json', 'text'], ['emails_json', 'text'], ['attributes_json', 'text'], ['enabled', 'bool'], ['is_admin', 'bool'], ['source', 'text'], ...stamp],
      *rows() {
        for (const [i, id] of world.userIds.entries()) {
          yield [id, `user${i}`, `user${i}`, `User ${i}`, `user ${i}`, '{"givenName":"User","familyName":"N"}', `[{"value":"user${i}@example.com","primary":true}]`, '{"department":"eng"}', true, false, 'builtin', now, now];
        }
      },
    },
    {
      name: 'directory_groups',
      columns: [['id', 'text'], ['display_name', 'text'], ['display_name_key', 'text'], ['description', 'text'], ['source', 'text'], ...stamp],
      *rows() {
        for (const [i, id] of world.groupIds.entries()) yield [id, `Group ${i}`, `group ${i}`, '', 'builtin', now, now];
      },
    },
    {
      name: 'group_members',
      columns: [['group_id', 'text'], ['user_id', 'text'], ['created_at', 'date']],
      *rows() {
        for (let i = 0; i < world.memberships.length; i++) {
          yield [world.groupIds[world.memberships[i]!]!, world.userIds[Math.floor(i / GROUPS_PER_USER)]!, now];
        }
      },
    },
    {
      name: 'account_assignments',
      columns: [['account_id', 'text'], ['permission_set_id', 'text'], ['principal_type', 'text'], ['principal_id', 'text'], ['created_at', 'date']],
      *rows() {
        // Interleaved, as assignments arrive over time, rather than sorted by principal.
        const g = world.groupIds.length;
        const u = world.userIds.length;
        const step = Math.max(1, Math.floor(u / Math.max(1, g)));
        for (let gi = 0, ui = 0; gi < g || ui < u; gi++) {
          if (gi < g) for (const [a, p] of pairs(ASSIGNMENTS_PER_GROUP)) yield [a, p, 'GROUP', world.groupIds[gi]!, now];
          for (let k = 0; k < step && ui < u; k++, ui++) for (const [a, p] of pairs(ASSIGNMENTS_PER_USER)) yield [a, p, 'USER', world.userIds[ui]!, now];
        }
      },
    },
  ];
}

function* chunks<T>(rows: Iterable<T>, size: number): Generator<T[]> {
  let chunk: T[] = [];
  for (const row of rows) {
    chunk.push(row);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

// ---- bulk seeding ---------------------------------------------------------------------------------

export function seedSqlite(file: string, world: World): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF'); // a benchmark's seed need not survive a power cut
  db.pragma('cache_size = -262144');
  const sqliteValue = (v: Value) => (v instanceof Date ? v.getTime() : typeof v === 'boolean' ? (v ? 1 : 0) : v);
  const ROWS_PER_STATEMENT = 100;
  for (const table of tables(world)) {
    const cols = table.columns.map(([c]) => `"${c}"`).join(', ');
    const tuple = `(${table.columns.map(() => '?').join(', ')})`;
    const insert = (n: number) => db.prepare(`INSERT INTO ${table.name} (${cols}) VALUES ${Array(n).fill(tuple).join(', ')}`);
    const full = insert(ROWS_PER_STATEMENT);
    // Secondary indexes are dropped for the load and rebuilt from their own definitions after it
    // (a sorted build beats a million random inserts); the schema ends exactly as migrated.
    const deferred = db
      .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL")
      .all(table.name) as { name: string; sql: string }[];
    for (const index of deferred) db.exec(`DROP INDEX "${index.name}"`);
    const write = db.transaction((batch: Value[][]) => {
      for (const group of chunks(batch, ROWS_PER_STATEMENT)) {
        const statement = group.length === ROWS_PER_STATEMENT ? full : insert(group.length);
        statement.run(...group.flat().map(sqliteValue));
      }
    });
    for (const batch of chunks(table.rows(), 100_000)) write(batch);
    for (const index of deferred) db.exec(index.sql);
  }
  db.exec('ANALYZE');
  db.close();
}

export async function seedPostgres(url: string, world: World): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SET synchronous_commit = off');
    await client.query("SET maintenance_work_mem = '256MB'");
    // The generated rows are consistent by construction; skip the per-row foreign-key triggers
    // during the load, as pg_restore does (the server's test user is a superuser).
    await client.query('SET session_replication_role = replica');
    const cast: Record<ColumnKind, string> = { text: 'text', int: 'integer', bool: 'boolean', date: 'timestamptz' };
    const text = (v: Value) => (v instanceof Date ? v.toISOString() : v === null ? null : String(v));
    for (const table of tables(world)) {
      const names = table.columns.map(([c]) => `"${c}"`).join(', ');
      const unnest = table.columns.map((_, i) => `$${i + 1}::text[]`).join(', ');
      const select = table.columns.map(([c, kind]) => `"${c}"::${cast[kind]}`).join(', ');
      const statement = `INSERT INTO ${table.name} (${names}) SELECT ${select} FROM unnest(${unnest}) AS t(${names})`;
      await client.query('BEGIN');
      // As on SQLite: secondary indexes (not those backing a constraint) are rebuilt after the load.
      const deferred = await client.query<{ indexname: string; indexdef: string }>(
        `SELECT indexname, indexdef FROM pg_indexes i
          WHERE schemaname = current_schema() AND tablename = $1
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
        [table.name],
      );
      for (const index of deferred.rows) await client.query(`DROP INDEX "${index.indexname}"`);
      for (const batch of chunks(table.rows(), 20_000)) {
        const columns = table.columns.map((_, i) => batch.map((row) => text(row[i]!)));
        await client.query(statement, columns);
      }
      for (const index of deferred.rows) await client.query(index.indexdef);
      await client.query('COMMIT');
    }
    // What autovacuum would have done by the time anyone asks: statistics and the visibility map.
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}
