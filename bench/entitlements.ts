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
import { entitlementsQuery } from '../store/sql/assignment-store.ts';
import { connectSql, type SqlTarget } from '../store/sql/connect.ts';
import { openSqlStores } from '../store/sql/open.ts';
import type { SqlStores } from '../store/stores.ts';
import { createTestDatabase } from '../test/support/postgres.ts';
import { buildWorld, GROUPS_PER_USER, prng, seedPostgres, seedSqlite, type World } from './support/entitlement-world.ts';

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
