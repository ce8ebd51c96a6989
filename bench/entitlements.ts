// Entitlements benchmark (docs/architecture.md, "Done means"): seeds 100k users, 10k groups, 5k accounts, 200
// permission sets and 1M assignments at 1× (users in 3 groups each), then times
// `assignments.entitlements(userId, groupIds)` through the real SQL store for random users and prints
// p50/p99 per backend and scale, and how p99 grows from the smallest scale to the largest.
//
//   node --import tsx bench/entitlements.ts [--scale 0.1,1,3] [--backend sqlite,postgres] [--calls 3000]
//
// Seeding bypasses the store API on purpose: multi-row INSERTs in large transactions on SQLite, and
// array-parameter batches (INSERT ... SELECT FROM unnest(...), COPY-like) on PostgreSQL. Each run gets
// its own temp SQLite file or fresh PostgreSQL database, removed afterwards.
//
// At every scale a group holds 60 assignments and a user 4 direct ones, so the answer for one user
// stays about the same size (~180 pairs) while the table grows: a flat p99 means the query reads
// only the user's and their groups' index ranges, never the table.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { entitlementsQuery } from '../store/sql/assignment-store.ts';
import { connectSql, type SqlTarget } from '../store/sql/connect.ts';
import { openSqlStores } from '../store/sql/open.ts';
import type { SqlStores } from '../store/stores.ts';
import { createTestDatabase } from '../test/support/postgres.ts';

type Backend = 'sqlite' | 'postgres';

interface Options {
  scales: number[];
  backends: Backend[];
  calls: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { scales: [0.1, 1], backends: ['sqlite', 'postgres'], calls: 3000 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--scale') options.scales = value.split(',').map(Number);
    else if (flag === '--backend') options.backends = value.split(',') as Backend[];
    else if (flag === '--calls') options.calls = Number(value);
    else throw new Error(`unknown option ${flag} (use --scale, --backend, --calls)`);
  }
  if (options.scales.some((s) => !(s > 0))) throw new Error('--scale takes positive numbers, e.g. 0.1,1,3');
  if (options.backends.some((b) => b !== 'sqlite' && b !== 'postgres')) throw new Error('--backend takes sqlite,postgres');
  if (!(options.calls >= 100)) throw new Error('--calls must be at least 100');
  options.scales.sort((a, b) => a - b);
  return options;
}

// ---- deterministic data -------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG, so every run and backend gets the same data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuidFrom(random: () => number): string {
  const h = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}

const GROUPS_PER_USER = 3;
const ASSIGNMENTS_PER_USER = 4; // 40% of assignments are direct
const ASSIGNMENTS_PER_GROUP = 60; // 60% through groups

interface World {
  scale: number;
  userIds: string[];
  groupIds: string[];
  accountIds: string[];
  setIds: string[];
  /** memberships[u * 3 + k] = index of the k-th group of user u. */
  memberships: Uint32Array;
  assignments: number;
}

function buildWorld(scale: number): World {
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

function seedSqlite(file: string, world: World): void {
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

async function seedPostgres(url: string, world: World): Promise<void> {
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

// ---- measuring --------------------------------------------------------------------------------------

interface Result {
  backend: Backend;
  scale: number;
  world: World;
  seedSeconds: number;
  reachedPairs: number;
  p50: number;
  p99: number;
  max: number;
  plan: string;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** The plan's access path for one user, as one line: which index, or a scan. */
async function planSummary(target: SqlTarget, world: World): Promise<string> {
  const groups = Array.from(world.memberships.subarray(0, GROUPS_PER_USER), (g) => world.groupIds[g]!);
  const { db } = connectSql(target);
  try {
    const compiled = entitlementsQuery(db, world.userIds[0]!, groups).compile();
    if (target.kind === 'postgres') {
      const rows = await db.executeQuery<{ 'QUERY PLAN': string }>({ ...compiled, sql: `explain ${compiled.sql}` });
      const plan = rows.rows.map((r) => r['QUERY PLAN']).join('\n');
      if (plan.includes('Seq Scan')) return 'SEQ SCAN';
      const node = /(Index Only Scan|Bitmap Index Scan|Index Scan) (?:using|on) account_assignments_by_principal/.exec(plan);
      return node ? `${node[1]} on by_principal` : 'other';
    }
    // SQLite: EXPLAIN QUERY PLAN with bound parameters, straight through the driver.
    const raw = new Database(target.file, { readonly: true });
    try {
      const details = raw.prepare(`explain query plan ${compiled.sql}`).all(...(compiled.parameters as unknown[])) as { detail: string }[];
      const text = details.map((d) => d.detail).join('\n');
      if (/SCAN account_assignments(?! USING)/.test(text)) return 'FULL SCAN';
      return text.includes('COVERING INDEX account_assignments_by_principal') ? 'covering index by_principal' : 'other';
    } finally {
      raw.close();
    }
  } finally {
    await db.destroy();
  }
}

interface Prepared {
  backend: Backend;
  world: World;
  seedSeconds: number;
  plan: string;
  stores: SqlStores;
  random: () => number;
  times: number[];
  pairs: number;
  cleanup(): Promise<void>;
}

/** A database for one scale: schema through the real migrations, bulk-seeded, opened through the store. */
async function prepare(backend: Backend, scale: number): Promise<Prepared> {
  const world = buildWorld(scale);
  let target: SqlTarget;
  let drop: () => Promise<void>;
  if (backend === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-'));
    target = { kind: 'sqlite', file: path.join(dir, 'bench.db') };
    drop = async () => fs.rmSync(dir, { recursive: true, force: true });
  } else {
    const db = await createTestDatabase('gatehouse_bench');
    target = { kind: 'postgres', url: db.url };
    drop = () => db.drop();
  }
  try {
    await (await openSqlStores(target)).close();
    const seedStart = performance.now();
    if (target.kind === 'sqlite') seedSqlite(target.file, world);
    else await seedPostgres(target.url, world);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const plan = await planSummary(target, world);
    const stores = await openSqlStores(target);
    return {
      backend,
      world,
      seedSeconds,
      plan,
      stores,
      random: prng(99),
      times: [],
      pairs: 0,
      async cleanup() {
        await stores.close();
        await drop();
      },
    };
  } catch (e) {
    await drop();
    throw e;
  }
}

/** One call for a random user with their groups; returns milliseconds and how many pairs it reached. */
async function timeOneCall(p: Prepared): Promise<{ ms: number; pairs: number }> {
  const { world } = p;
  const u = Math.floor(p.random() * world.userIds.length);
  const groups = Array.from(world.memberships.subarray(u * GROUPS_PER_USER, (u + 1) * GROUPS_PER_USER), (g) => world.groupIds[g]!);
  const started = performance.now();
  const result = await p.stores.assignments.entitlements(world.userIds[u]!, groups);
  const ms = performance.now() - started;
  return { ms, pairs: result.reduce((n, e) => n + e.permissionSetIds.length, 0) };
}

/**
 * Seeds every scale first, then measures them in interleaved rounds, so that whatever else the
 * machine is doing meanwhile falls on every scale alike and the growth ratio stays honest.
 */
async function runBackend(backend: Backend, scales: number[], calls: number): Promise<Result[]> {
  const prepared: Prepared[] = [];
  try {
    for (const scale of scales) {
      process.stderr.write(`${backend} ${scale}×: seeding...\n`);
      prepared.push(await prepare(backend, scale));
    }
    process.stderr.write(`${backend}: measuring ${n(calls)} calls per scale...\n`);
    for (const p of prepared) for (let i = 0; i < Math.min(500, calls); i++) await timeOneCall(p); // warm caches and the JIT
    const ROUNDS = 10;
    for (let round = 0; round < ROUNDS; round++) {
      for (const p of prepared) {
        const share = Math.floor(calls / ROUNDS) + (round < calls % ROUNDS ? 1 : 0);
        for (let i = 0; i < share; i++) {
          const { ms, pairs } = await timeOneCall(p);
          p.times.push(ms);
          p.pairs += pairs;
        }
      }
    }
    return prepared.map((p) => {
      const sorted = [...p.times].sort((a, b) => a - b);
      return {
        backend,
        scale: p.world.scale,
        world: p.world,
        seedSeconds: p.seedSeconds,
        reachedPairs: p.pairs / sorted.length,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted[sorted.length - 1]!,
        plan: p.plan,
      };
    });
  } finally {
    for (const p of prepared) await p.cleanup();
  }
}

// ---- report -----------------------------------------------------------------------------------------

const n = (v: number) => v.toLocaleString('en-US');
const ms = (v: number) => v.toFixed(2);

function printTable(results: Result[]): void {
  const header = ['backend', 'scale', 'users', 'groups', 'accounts', 'sets', 'assignments', 'seed s', 'pairs/user', 'p50 ms', 'p99 ms', 'max ms', 'plan'];
  const rows = results.map((r) => [
    r.backend,
    `${r.scale}×`,
    n(r.world.userIds.length),
    n(r.world.groupIds.length),
    n(r.world.accountIds.length),
    n(r.world.setIds.length),
    n(r.world.assignments),
    r.seedSeconds.toFixed(1),
    r.reachedPairs.toFixed(0),
    ms(r.p50),
    ms(r.p99),
    ms(r.max),
    r.plan,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  for (const backend of options.backends) {
    const results = await runBackend(backend, options.scales, options.calls);
    const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
    console.log(`\nentitlements(userId, groupIds) on ${backend}, ${n(options.calls)} random users per scale (${os.cpus().length} cores, load ${load})`);
    printTable(results);
    const first = results[0]!;
    const last = results[results.length - 1]!;
    if (results.length > 1) {
      console.log(`growth p99(${last.scale}×)/p99(${first.scale}×) = ${(last.p99 / first.p99).toFixed(2)}; assignments grew ${(last.world.assignments / first.world.assignments).toFixed(0)}×`);
    }
    const atOne = results.find((r) => r.scale === 1);
    if (atOne) console.log(`target p99 ≤ 10 ms at 1×: ${atOne.p99 <= 10 ? 'met' : 'MISSED'} (${ms(atOne.p99)} ms)`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
