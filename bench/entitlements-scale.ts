// bench/entitlements-scale: ListAccounts for one user served from a node's per-user snapshots
// (access/role-credentials.ts), at 0.1x, 1x and 3x of 100k users, 10k groups, 5k accounts, 200
// permission sets and 1M assignments (bench/support/entitlement-world.ts). Goal: p99 at most 1 ms in
// process, flat from the smallest scale to the largest (the SQL path, bench/entitlements.ts, is
// what a snapshot rebuild costs).
//
//   node --import tsx bench/entitlements-scale.ts [--scale 0.1,1,3] [--people 5000] [--calls 20000]
//
// A real Gatehouse (test/support/gatehouse.ts) runs over a SQLite file seeded in bulk, with its
// embedded ephemeral store. For `--people` random users (a working set below the node's 10,000
// snapshot bound), in rounds of a few hundred, it builds each snapshot (the "rebuild" figures:
// user, groups and entitlements read from SQL), then times ListAccounts answers (`--calls` in all)
// for random users of that round: the authorization epoch read, the snapshot lookup, the first
// page (the CLI's page size) and the JSON body, which is everything ListAccounts does after the
// token check: once rendering the body at every call, once with the handler's body kept per
// snapshot and page.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqlStores } from '../store/sql/open.ts';
import type { AccountAccess } from '../access/entitlements.ts';
import { listAccountsBody } from '../server/aws/portal-api/list-bodies.ts';
import { page } from '../server/aws/portal-api/pagination.ts';
import { startGatehouse } from '../test/support/gatehouse.ts';
import { buildWorld, prng, seedSqlite } from './support/entitlement-world.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const scales = arg('scale', '0.1,1,3').split(',').map(Number);
const people = Number(arg('people', '5000'));
const calls = Number(arg('calls', '20000'));
/** People whose snapshots are built, then called, together (see measure()). */
const BATCH = 250;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1]! };
};

interface Row {
  scale: number;
  assignments: number;
  seedSeconds: number;
  rebuild: ReturnType<typeof summary>;
  renderedPerCall: ReturnType<typeof summary>;
  listAccounts: ReturnType<typeof summary>;
  accountsPerUser: number;
}

/** The body as the handler rendered it at every call before bodies were kept per snapshot. */
function renderPerCall(access: readonly AccountAccess[]): string {
  const { items, nextToken } = page(access, { list: 'accounts', maxResult: undefined, nextToken: undefined });
  return JSON.stringify({
    accountList: items.map(({ account }) => ({ accountId: account.accountId, accountName: account.name, emailAddress: account.email })),
    ...(nextToken ? { nextToken } : {}),
  });
}

async function measure(scale: number): Promise<Row> {
  const world = buildWorld(scale);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-'));
  const file = path.join(dir, 'bench.db');
  try {
    await (await openSqlStores({ kind: 'sqlite', file })).close();
    const seedStart = performance.now();
    seedSqlite(file, world);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const gh = await startGatehouse({ env: { DATABASE_URL: `sqlite:${file}` }, dataDir: dir });
    try {
      const random = prng(42);
      const chosen = Array.from({ length: Math.min(people, world.userIds.length) }, () => world.userIds[Math.floor(random() * world.userIds.length)]!);
      // In rounds of BATCH people: build their snapshots (timed as "rebuild"), then time calls for
      // them at once, well within the 30 s a snapshot may be used (SNAPSHOT_MAX_AGE_MS), so every
      // timed call is served from a snapshot, as on a node whose people keep calling. The same
      // random calls twice: rendering the body at every call (as before), then the handler's own
      // list-bodies.ts, which keeps it per snapshot and page.
      const rebuild: number[] = [];
      const renderedPerCall: number[] = [];
      const listAccounts: number[] = [];
      let accounts = 0;
      const rounds = Math.ceil(chosen.length / BATCH);
      for (let round = 0; round < rounds; round++) {
        const batch = chosen.slice(round * BATCH, (round + 1) * BATCH);
        for (const userId of batch) {
          const t = performance.now();
          const access = await gh.services.roleCredentials.access({ userId, source: 'builtin' });
          rebuild.push(performance.now() - t);
          accounts += access.length;
        }
        for (const [times, render] of [
          [renderedPerCall, renderPerCall],
          [listAccounts, (access: readonly AccountAccess[]) => listAccountsBody(access, undefined, undefined)],
        ] as const) {
          const calling = prng(7 + round);
          for (let i = 0; i < Math.ceil(calls / rounds); i++) {
            const userId = batch[Math.floor(calling() * batch.length)]!;
            const t = performance.now();
            render(await gh.services.roleCredentials.access({ userId, source: 'builtin' }));
            times.push(performance.now() - t);
          }
        }
      }
      return {
        scale,
        assignments: world.assignments,
        seedSeconds,
        rebuild: summary(rebuild),
        renderedPerCall: summary(renderedPerCall),
        listAccounts: summary(listAccounts),
        accountsPerUser: accounts / chosen.length,
      };
    } finally {
      await gh.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
for (const scale of scales) {
  process.stdout.write(`scale ${scale}x: seeding and measuring...\n`);
  rows.push(await measure(scale));
}
const ms = (v: number) => v.toFixed(3);
console.log(`\nListAccounts from per-node snapshots, ${people} people, ${calls} calls (SQLite, embedded ephemeral store; ${new Date().toISOString().slice(0, 10)})\n`);
console.log('| scale | assignments | seed s | accounts per user | rebuild p50 / p99 ms | body rendered per call p50 / p99 / max ms | ListAccounts (body kept per snapshot) p50 / p99 / max ms |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const three = (x: ReturnType<typeof summary>) => `${ms(x.p50)} / ${ms(x.p99)} / ${ms(x.max)}`;
  console.log(
    `| ${r.scale}x | ${r.assignments.toLocaleString('en-US')} | ${r.seedSeconds.toFixed(1)} | ${r.accountsPerUser.toFixed(1)} | ${ms(r.rebuild.p50)} / ${ms(r.rebuild.p99)} | ${three(r.renderedPerCall)} | ${three(r.listAccounts)} |`,
  );
}
const first = rows[0]!;
const last = rows[rows.length - 1]!;
console.log(`\nListAccounts p99 ${ms(last.listAccounts.p99)} ms at ${last.scale}x, ${(last.listAccounts.p99 / first.listAccounts.p99).toFixed(2)}x its value at ${first.scale}x (goal: at most 1 ms, flat)`);
