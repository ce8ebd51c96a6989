// bench/cost-per-request: what one request of each kind costs in work that does not depend on the
// machine: HTTP requests, SQL statements, Redis commands and bytes, argon2id and RSA operations.
// Then the single-core rates of the two expensive operations on this machine, from which
// docs/performance.md projects nodes, Redis and PostgreSQL load for a population.
//
//   node --import tsx bench/cost-per-request.ts [--repeat 20]
//
// A real Gatehouse on PostgreSQL (a fresh database) and a private redis-server, with the STS
// stand-in in the same process. Counting is done from outside the production code:
// - SQL: every query a pg client sends (pg.Client.prototype.query wrapped), transaction control
//   included, since each is a round trip to the server;
// - Redis: a counting proxy between Gatehouse and the private redis-server parses the commands
//   Gatehouse sends (by name) and counts the bytes both ways; round trips are the bursts Gatehouse
//   writes (node-redis writes the commands of one tick together), so pipelined commands count once;
// - HTTP: requests Gatehouse's server receives, and those it sends (to the STS stand-in);
// - argon2id: PasswordHasher's hash, verify and burn (the equal-time verify for unknown names);
// - RSA: node:crypto sign (SAML signatures). The stand-in's own signature checks use verify and
//   are not Gatehouse's cost, so only signs are counted.
import crypto, { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { syncBuiltinESMExports } from 'node:module';
import pg from 'pg';
import { createClient } from 'redis';
import { CreateTokenCommand } from '@aws-sdk/client-sso-oidc';
import { PASSWORD_HASH_COST, PasswordHasher } from '../directory/passwords.ts';
import { authorizationCode, oidcClient, redeemCode, registerCodeClient } from '../test/aws/oidc-fixtures.ts';
import { startPortalApiWorld, PROD } from '../test/aws/portal-api-fixtures.ts';
import { PortalClient } from '../test/support/portal-client.ts';
import { createTestDatabase } from '../test/support/postgres.ts';
import { startRedisServer } from '../test/support/redis-server.ts';
import { assign, autoPost, createApplication, follow, nodeSamlFor, startRedirectSignIn } from '../test/saml/fixtures.ts';

const repeatArg = process.argv.indexOf('--repeat');
const REPEAT = repeatArg >= 0 ? Number(process.argv[repeatArg + 1]) : 20;

// ---- counters ---------------------------------------------------------------------------------------

const counts = { sql: 0, argon2: 0, rsaSign: 0, httpIn: 0, httpOut: 0, redisTrips: 0, redisIn: 0, redisOut: 0 };
const redisCommands = new Map<string, number>();
let gatehousePort = 0;

const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  counts.sql++;
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

for (const method of ['hash', 'verify', 'burn'] as const) {
  const original = PasswordHasher.prototype[method] as (...a: unknown[]) => Promise<unknown>;
  (PasswordHasher.prototype as unknown as Record<string, unknown>)[method] = function (this: PasswordHasher, ...args: unknown[]) {
    counts.argon2++;
    return original.apply(this, args);
  };
}

const originalSign = crypto.sign;
(crypto as { sign: unknown }).sign = (...args: Parameters<typeof crypto.sign>) => {
  counts.rsaSign++;
  return (originalSign as (...a: unknown[]) => unknown)(...args);
};
const originalCreateSign = crypto.createSign;
(crypto as { createSign: unknown }).createSign = (...args: Parameters<typeof crypto.createSign>) => {
  counts.rsaSign++;
  return originalCreateSign(...args);
};
// ES module imports of node:crypto see the wrapped functions from here on.
syncBuiltinESMExports();

const originalFetch = globalThis.fetch;
globalThis.fetch = (...args: Parameters<typeof fetch>) => {
  const url = String(args[0] instanceof Request ? args[0].url : args[0]);
  if (!url.includes(`:${gatehousePort}/`)) counts.httpOut++;
  return originalFetch(...args);
};
const originalEmit = http.Server.prototype.emit;
http.Server.prototype.emit = function (this: http.Server, event: string, ...args: unknown[]) {
  if (event === 'request' && (this.address() as net.AddressInfo | null)?.port === gatehousePort) counts.httpIn++;
  return (originalEmit as (this: http.Server, e: string, ...a: unknown[]) => boolean).call(this, event, ...args);
} as typeof http.Server.prototype.emit;

// ---- Redis: a counting proxy -------------------------------------------------------------------------

/** Counts the RESP commands (arrays of bulk strings) in what a client sends, across chunk boundaries. */
function commandCounter(): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      let at = 0;
      const line = () => {
        const end = pending.indexOf('\r\n', at);
        if (end < 0) return null;
        const text = pending.toString('latin1', at, end);
        at = end + 2;
        return text;
      };
      const head = line();
      if (head === null || !head.startsWith('*')) return;
      let name = '';
      let complete = true;
      for (let i = 0; i < Number(head.slice(1)); i++) {
        const size = line();
        if (size === null) {
          complete = false;
          break;
        }
        const length = Number(size.slice(1));
        if (pending.length < at + length + 2) {
          complete = false;
          break;
        }
        if (i === 0) name = pending.toString('latin1', at, at + length).toLowerCase();
        at += length + 2;
      }
      if (!complete) return;
      redisCommands.set(name, (redisCommands.get(name) ?? 0) + 1);
      pending = pending.subarray(at);
    }
  };
}

async function countingProxy(targetPort: number): Promise<{ url: string; close(): void }> {
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const count = commandCounter();
    client.on('data', (chunk) => {
      counts.redisTrips++;
      counts.redisIn += chunk.length;
      count(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      counts.redisOut += chunk.length;
      client.write(chunk);
    });
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `redis://127.0.0.1:${(server.address() as net.AddressInfo).port}`, close: () => server.close() };
}

interface Cost {
  httpIn: number;
  httpOut: number;
  sql: number;
  redisTrips: number;
  redisCommands: number;
  redisByCommand: Map<string, number>;
  redisIn: number;
  redisOut: number;
  argon2: number;
  rsaSign: number;
}

// ---- the world ----------------------------------------------------------------------------------------

const db = await createTestDatabase('gatehouse_bench');
const redis = await startRedisServer();
const proxy = await countingProxy(Number(new URL(redis.url).port));
const world = await startPortalApiWorld({ env: { DATABASE_URL: db.url, REDIS_URL: proxy.url } });
const { gh, org } = world;
gatehousePort = Number(new URL(gh.baseUrl).port);
const inspector = await createClient({ url: redis.url }).connect();
const results: { name: string; cost: Cost }[] = [];

/** Runs `op` REPEAT times (after `prepare`, which is not counted) and averages its cost. */
async function measure(name: string, op: (i: number) => Promise<void>, prepare?: (i: number) => Promise<void>): Promise<void> {
  const total = { httpIn: 0, httpOut: 0, sql: 0, argon2: 0, rsaSign: 0, redisTrips: 0, redisIn: 0, redisOut: 0 };
  const byCommand = new Map<string, number>();
  for (let i = 0; i < REPEAT; i++) {
    await prepare?.(i);
    const before = { ...counts };
    const commandsBefore = new Map(redisCommands);
    await op(i);
    for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += counts[key] - before[key];
    for (const [command, calls] of redisCommands) {
      const delta = calls - (commandsBefore.get(command) ?? 0);
      if (delta > 0) byCommand.set(command, (byCommand.get(command) ?? 0) + delta);
    }
  }
  const per = (v: number) => v / REPEAT;
  results.push({
    name,
    cost: {
      httpIn: per(total.httpIn),
      httpOut: per(total.httpOut),
      sql: per(total.sql),
      redisTrips: per(total.redisTrips),
      redisCommands: per([...byCommand.values()].reduce((a, b) => a + b, 0)),
      redisByCommand: new Map([...byCommand].map(([k, v]) => [k, per(v)])),
      redisIn: per(total.redisIn),
      redisOut: per(total.redisOut),
      argon2: per(total.argon2),
      rsaSign: per(total.rsaSign),
    },
  });
}

try {
  const password = org.users.alice!.password;
  const api = (path: string, token: string) => fetch(`${gh.baseUrl}${path}`, { headers: { 'x-amz-sso_bearer_token': token } }).then(async (r) => {
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
  });

  // Portal sign-in: the form, then the post.
  await measure('portal sign-in (GET form + POST)', async () => {
    const browser = new PortalClient(gh.baseUrl);
    const login = await browser.signIn('alice', password);
    if (login.status !== 303) throw new Error(`sign-in: ${login.status}`);
  });

  const { browser } = await world.tokenFor('alice');
  // A token as the CLI gets it (authorization code + PKCE): it belongs to a sign-in (token family),
  // whose ended marker every portal API call reads along with the token.
  const oidc = oidcClient(gh);
  const client = await registerCodeClient(oidc);
  const accessToken = (await redeemCode(oidc, client, await authorizationCode(browser, client.clientId))).accessToken!;
  // Warm: the node has seen the token and built alice's snapshot, as for every call but a person's first.
  await api('/assignment/accounts', accessToken);
  await measure('ListAccounts', () => api('/assignment/accounts', accessToken));
  await measure('ListAccountRoles', () => api(`/assignment/roles?account_id=${PROD}`, accessToken));

  const credentials = `/federation/credentials?account_id=${PROD}&role_name=ReadOnly`;
  const dropCache = async () => {
    const keys: string[] = [];
    for await (const batch of inspector.scanIterator({ MATCH: 'gh:role-creds*', COUNT: 1000 })) keys.push(...batch);
    if (keys.length) await inspector.del(keys);
  };
  await measure('GetRoleCredentials, not cached (STS call)', () => api(credentials, accessToken), dropCache);
  await api(credentials, accessToken);
  await measure('GetRoleCredentials, cached', () => api(credentials, accessToken));

  await browser.request('GET', '/start');
  const csrf = browser.csrf();
  await measure('SAML federation to an AWS account (POST /start/federate)', async () => {
    const page = await browser.request('POST', '/start/federate', { csrf, accountId: PROD, permissionSet: 'ReadOnly' });
    if (!page.text.includes('SAMLResponse')) throw new Error(`federate: ${page.status}`);
  });

  const app = await createApplication(gh.services, { name: 'Wiki' });
  await assign(gh.services, app, { user: org.users.alice!.id });
  const sp = await nodeSamlFor(gh.baseUrl, app);
  await measure('SP-initiated app SSO (AuthnRequest to auto-POST)', async () => {
    const post = autoPost(await follow(browser, await startRedirectSignIn(browser, sp)));
    if (!post?.fields.SAMLResponse) throw new Error('no SAMLResponse');
  });

  let refreshToken = (await redeemCode(oidc, client, await authorizationCode(browser, client.clientId))).refreshToken;
  await measure('SSO token refresh (CreateToken refresh_token)', async () => {
    const out = await oidc.send(new CreateTokenCommand({ grantType: 'refresh_token', clientId: client.clientId, clientSecret: client.clientSecret, refreshToken }));
    refreshToken = out.refreshToken;
  });
  oidc.destroy();
} finally {
  await inspector.close();
  await world.close();
  proxy.close();
  await redis.stop();
  await db.drop();
}

// ---- single-core rates ------------------------------------------------------------------------------

async function perSecond(seconds: number, work: () => Promise<unknown> | unknown): Promise<number> {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await work();
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}
const hasher = new PasswordHasher(PASSWORD_HASH_COST);
const stored = await hasher.hash('correct horse battery staple');
const argon2Rate = await perSecond(3, () => hasher.verify(stored, 'correct horse battery staple'));
const rsaRates: Record<number, number> = {};
for (const bits of [2048, 3072]) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const data = Buffer.alloc(600, 1);
  rsaRates[bits] = await perSecond(2, () => originalSign('sha256', data, privateKey));
}

// ---- report ---------------------------------------------------------------------------------------------

const f = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
console.log(`\nCost per request, mean of ${REPEAT} (${new Date().toISOString().slice(0, 10)}; PostgreSQL and Redis):\n`);
console.log('| operation | HTTP in / out | SQL statements | Redis round trips | Redis commands | Redis bytes sent / received | argon2id | RSA signs | Redis commands by name |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const { name, cost } of results) {
  const byName = [...cost.redisByCommand].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${f(v)}`).join(', ');
  console.log(
    `| ${name} | ${f(cost.httpIn)} / ${f(cost.httpOut)} | ${f(cost.sql)} | ${f(cost.redisTrips)} | ${f(cost.redisCommands)} | ${Math.round(cost.redisIn)} / ${Math.round(cost.redisOut)} | ${f(cost.argon2)} | ${f(cost.rsaSign)} | ${byName} |`,
  );
}
console.log(`\nSingle core on this machine: argon2id verify at the production cost (19 MiB, t=2, p=1) ${argon2Rate.toFixed(1)}/s; RSA-SHA256 sign ${rsaRates[2048]!.toFixed(0)}/s (2048), ${rsaRates[3072]!.toFixed(0)}/s (3072)`);
