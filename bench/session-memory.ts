// bench/session-memory: bytes of ephemeral state per portal session and per SSO token (goal: at most
// 1 KB each), on Redis (MEMORY USAGE of every key) and in the embedded store (SQLite pages of its
// table and index, from dbstat), grouped by kind of key.
//
//   node --import tsx bench/session-memory.ts [--sessions 2000] [--tokens 1000]
//
// A real Gatehouse signs in `--sessions` people through the portal's form, then `--tokens` of them
// get an SSO token the way AWS CLI 2.22+ does (authorization code with PKCE, CreateToken). Each
// figure is the growth of the store divided by the count; what stays only until its short TTL ends
// (consent, the redeemed-code marker, rate counters) is shown apart from what lives as long as the
// session or token.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { createClient } from 'redis';
import { authorizationCode, oidcClient, redeemCode, registerCodeClient } from '../test/aws/oidc-fixtures.ts';
import { startGatehouse, type TestGatehouse } from '../test/support/gatehouse.ts';
import { PortalClient } from '../test/support/portal-client.ts';
import { startRedisServer } from '../test/support/redis-server.ts';
import { seedOrganization, type SeededOrg } from '../test/support/seed.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const sessions = arg('sessions', 2000);
const tokens = Math.min(arg('tokens', 1000), sessions);

/** Keys that outlive the request only briefly (seconds to minutes), not the session or token. */
const TRANSIENT = /^(oidc-consent|oidc-code|oidc-code-redeemed|oidc-rate|signin-|throttle|rate)/;

type Usage = Map<string, { keys: number; bytes: number }>;

const kindOf = (key: string) => key.replace(/^\{?gh:\}?/, '').split(':')[0]!;

async function redisUsage(url: string): Promise<Usage> {
  const client = await createClient({ url }).connect();
  try {
    const usage: Usage = new Map();
    for await (const batch of client.scanIterator({ MATCH: 'gh:*', COUNT: 1000 })) {
      for (const key of batch) {
        const bytes = Number(await client.sendCommand(['MEMORY', 'USAGE', key, 'SAMPLES', '0']));
        const entry = usage.get(kindOf(key)) ?? { keys: 0, bytes: 0 };
        usage.set(kindOf(key), { keys: entry.keys + 1, bytes: entry.bytes + bytes });
      }
    }
    return usage;
  } finally {
    await client.close();
  }
}

/** The embedded store's table and index pages, split by kind in proportion to each row's payload. */
function embeddedUsage(file: string): Usage {
  const db = new Database(file, { readonly: true });
  try {
    const pages = db.prepare("select coalesce(sum(pgsize), 0) as bytes from dbstat where name like 'ephemeral_entries%' or name like 'sqlite_autoindex_ephemeral%'").get() as { bytes: number };
    const rows = db.prepare('select key, length(key) + length(value) + 16 as payload from ephemeral_entries').all() as { key: string; payload: number }[];
    const total = rows.reduce((s, r) => s + r.payload, 0) || 1;
    const usage: Usage = new Map();
    for (const r of rows) {
      const entry = usage.get(kindOf(r.key)) ?? { keys: 0, bytes: 0 };
      usage.set(kindOf(r.key), { keys: entry.keys + 1, bytes: entry.bytes + (r.payload / total) * pages.bytes });
    }
    return usage;
  } finally {
    db.close();
  }
}

function growth(before: Usage, after: Usage): Usage {
  const out: Usage = new Map();
  for (const [kind, a] of after) {
    const b = before.get(kind) ?? { keys: 0, bytes: 0 };
    if (a.keys !== b.keys || a.bytes !== b.bytes) out.set(kind, { keys: a.keys - b.keys, bytes: a.bytes - b.bytes });
  }
  return out;
}

function report(title: string, delta: Usage, count: number): { lasting: number; transient: number } {
  let lasting = 0;
  let transient = 0;
  console.log(`\n${title}, per item over ${count}:`);
  console.log('| key kind | keys per item | bytes per item |');
  console.log('| --- | --- | --- |');
  for (const [kind, d] of [...delta].sort((x, y) => y[1].bytes - x[1].bytes)) {
    const isTransient = TRANSIENT.test(kind);
    console.log(`| ${kind}${isTransient ? ' (short TTL)' : ''} | ${(d.keys / count).toFixed(2)} | ${Math.round(d.bytes / count)} |`);
    if (isTransient) transient += d.bytes / count;
    else lasting += d.bytes / count;
  }
  console.log(`lasting: ${Math.round(lasting)} bytes per item (goal ≤ 1024); short-lived: ${Math.round(transient)}`);
  return { lasting, transient };
}

async function run(label: string, gh: TestGatehouse, usage: () => Promise<Usage> | Usage): Promise<void> {
  const people = Array.from({ length: sessions }, (_, i) => ({ userName: `person${i}`, email: `person${i}@example.com` }));
  const org: SeededOrg = await seedOrganization(gh.services, { users: people });
  const before = await usage();
  const browsers: PortalClient[] = [];
  for (let i = 0; i < sessions; i += 20) {
    browsers.push(
      ...(await Promise.all(
        people.slice(i, i + 20).map(async ({ userName }) => {
          const browser = new PortalClient(gh.baseUrl);
          const login = await browser.signIn(userName, org.users[userName]!.password);
          if (login.status !== 303) throw new Error(`sign-in of ${userName}: ${login.status}`);
          return browser;
        }),
      )),
    );
  }
  const signedIn = await usage();
  report(`${label}: portal sessions`, growth(before, signedIn), sessions);
  const oidc = oidcClient(gh);
  const client = await registerCodeClient(oidc);
  const registered = await usage();
  for (let i = 0; i < tokens; i += 10) {
    await Promise.all(
      browsers.slice(i, Math.min(i + 10, tokens)).map(async (browser) => {
        await redeemCode(oidc, client, await authorizationCode(browser, client.clientId));
      }),
    );
  }
  report(`${label}: SSO tokens (access + refresh token)`, growth(registered, await usage()), tokens);
  oidc.destroy();
}

const redis = await startRedisServer();
try {
  const gh = await startGatehouse({ env: { REDIS_URL: redis.url } });
  try {
    await run('Redis', gh, () => redisUsage(redis.url));
  } finally {
    await gh.close();
  }
} finally {
  await redis.stop();
}

const gh = await startGatehouse();
try {
  const file = gh.config.database.kind === 'sqlite' ? gh.config.database.file : '';
  if (!fs.existsSync(file)) throw new Error('the embedded store runs in the SQLite database file');
  await run('Embedded (SQLite)', gh, () => embeddedUsage(file));
} finally {
  await gh.close();
}
console.log(`\n(${new Date().toISOString().slice(0, 10)}, redis-server and SQLite on this machine)`);
