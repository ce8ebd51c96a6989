// The ephemeral store contract (store/ephemeral/ephemeral-store.ts), run against both backends:
// the embedded store on a temp SQLite file, and Redis on a private redis-server. Then what only
// one backend can show: Redis going down, hanging and coming back; the embedded store surviving a
// restart and sharing its file with another connection.

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { createClient } from 'redis';
import { UnavailableError } from '../../model/errors.ts';
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';
import { EmbeddedEphemeralStore } from '../../store/ephemeral/embedded.ts';
import { openEphemeralStore } from '../../store/ephemeral/open.ts';
import { startRedisCluster, type PrivateRedisCluster } from '../support/redis-cluster.ts';
import { startRedisSentinel, type PrivateRedisSentinel } from '../support/redis-sentinel.ts';
import { startRedisServer, type PrivateRedis } from '../support/redis-server.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A key no other test uses, so no test depends on another's leftovers. */
const unique = (name: string) => `${name}-${randomUUID()}`;

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  let outcome: { error: unknown } | null = null;
  try {
    await promise;
  } catch (error) {
    outcome = { error };
  }
  if (outcome === null) throw new Error('expected the operation to reject, but it resolved');
  return outcome.error;
}

/**
 * For checks on both sides of a TTL without waiting a second: runs `check` with a short TTL (in
 * seconds), which it sets on fresh keys; it checks them live, calls `expire()` to wait the TTL out,
 * and checks them gone. A check before `expire()` only means something if it ran within the TTL:
 * when one fails after the TTL had already passed (a machine too loaded to get there in time),
 * `check` runs again with a TTL twice as long instead of failing by chance.
 */
async function acrossTtl(check: (ttlSeconds: number, expire: () => Promise<void>) => Promise<void>): Promise<void> {
  for (let ttlMs = 150; ; ttlMs *= 2) {
    const start = Date.now();
    let waited = false;
    try {
      await check(ttlMs / 1000, async () => {
        waited = true;
        // Every key was set before this call, so its TTL has passed (with a margin) on return.
        await sleep(ttlMs + 20);
      });
      return;
    } catch (e) {
      if (waited || Date.now() - start < ttlMs || ttlMs >= 2400) throw e;
    }
  }
}

/** Runs `op` on the store until it succeeds; returns how long that took. */
async function msUntilWorking(op: () => Promise<unknown>, limitMs: number): Promise<number> {
  const start = Date.now();
  for (;;) {
    try {
      await op();
      return Date.now() - start;
    } catch (e) {
      if (!(e instanceof UnavailableError)) throw e;
      if (Date.now() - start > limitMs) throw new Error(`still unavailable after ${limitMs} ms`, { cause: e });
      await sleep(25);
    }
  }
}

/** Each of the store's operations once, for "every operation does X" checks. */
function everyOperation(store: EphemeralStore): Record<string, () => Promise<unknown>> {
  return {
    get: () => store.get('k'),
    getMany: () => store.getMany(['k', 'k2']),
    set: () => store.set('k', 'v', 60),
    setIfAbsent: () => store.setIfAbsent('k2', 'v', 60),
    take: () => store.take('k'),
    delete: () => store.delete('k', 'k2'),
    increment: () => store.increment('n', 60),
    ttl: () => store.ttl('k'),
    addToSet: () => store.addToSet('s', 'm', 60),
    removeFromSet: () => store.removeFromSet('s', 'm'),
    setMembers: () => store.setMembers('s'),
    ping: () => store.ping(),
  };
}

interface Backend {
  kind: EphemeralStore['kind'];
  /** A new store (its own connection) on the backend's shared data. */
  open(): Promise<EphemeralStore>;
}

function contract(backend: () => Backend): void {
  const CONNECTIONS = 5;
  let stores: EphemeralStore[] = [];
  let store: EphemeralStore;

  before(async () => {
    stores = await Promise.all(Array.from({ length: CONNECTIONS }, () => backend().open()));
    store = stores[0]!;
  });
  after(async () => {
    await Promise.all(stores.map((s) => s.close()));
  });

  /** The i-th of `n` concurrent callers goes through connection i mod CONNECTIONS. */
  const via = (i: number) => stores[i % CONNECTIONS]!;

  it('is the backend the configuration asked for', () => {
    expect(store.kind).to.equal(backend().kind);
  });

  it('returns what was set, exactly, and null for a key never set', async () => {
    const plain = unique('plain');
    const empty = unique('empty');
    const big = unique('big');
    const bigValue = 'é✓🙂'.repeat(25_000);
    await store.set(plain, '{"user":"ana"}', 60);
    await store.set(empty, '', 60);
    await store.set(big, bigValue, 60);
    expect(await store.get(plain)).to.equal('{"user":"ana"}');
    expect(await store.get(empty)).to.equal('');
    expect(await store.get(big)).to.equal(bigValue);
    expect(await store.get(unique('never-set'))).to.equal(null);
  });

  it('getMany reads several keys at once, in order: null for missing, expired or set keys', async () => {
    await acrossTtl(async (ttl, expire) => {
      const [a, b, gone, s, never] = ['a', 'b', 'gone', 's', 'never'].map(unique) as [string, string, string, string, string];
      await store.set(a, 'first', 60);
      await store.set(b, '', 60);
      await store.addToSet(s, 'm', 60);
      await store.set(gone, 'short', ttl);
      expect(await store.getMany([b, a, never, gone, s, a])).to.deep.equal(['', 'first', null, 'short', null, 'first']);
      expect(await store.getMany([])).to.deep.equal([]);
      await expire();
      expect(await via(1).getMany([gone, a])).to.deep.equal([null, 'first']);
      // A set read this way is only null: nothing about it changed.
      expect(await store.setMembers(s)).to.deep.equal(['m']);
    });
  });

  it('shares its data between connections, as two server processes would', async () => {
    const key = unique('shared');
    await via(1).set(key, 'from one', 60);
    expect(await via(2).get(key)).to.equal('from one');
    await via(3).delete(key);
    expect(await via(4).get(key)).to.equal(null);
  });

  it('set replaces both the value and the TTL', async () => {
    const key = unique('replace');
    await store.set(key, 'first', 600);
    await store.set(key, 'second', 5);
    expect(await store.get(key)).to.equal('second');
    expect(await store.ttl(key)).to.be.within(4, 5);
  });

  it('ttl reports the seconds left, and null for a missing key', async () => {
    const key = unique('ttl');
    await store.set(key, 'v', 120);
    expect(await store.ttl(key)).to.be.within(119, 120);
    expect(await store.ttl(unique('missing'))).to.equal(null);
    const fraction = unique('fraction');
    await store.set(fraction, 'v', 2.5);
    expect(await store.ttl(fraction), 'a TTL may be a fraction of seconds').to.be.within(2, 3);
  });

  it('a key is gone for every operation once its TTL has passed, and only then', async () => {
    await acrossTtl(async (ttl, expire) => {
      const [str, nx, counter, set, lasting] = ['str', 'nx', 'counter', 'set', 'lasting'].map(unique) as [string, string, string, string, string];
      await Promise.all([
        store.set(str, 'v', ttl),
        store.setIfAbsent(nx, 'first', ttl),
        store.increment(counter, ttl),
        store.addToSet(set, 'm', ttl),
        store.set(lasting, 'stays', 60),
      ]);
      expect(await store.get(str)).to.equal('v');
      // Seconds left of a TTL under one: Redis rounds to the nearest, the embedded store up.
      expect(await store.ttl(str)).to.be.within(0, 1);
      expect(await store.setIfAbsent(nx, 'second', ttl)).to.equal(false);
      expect(await store.get(counter)).to.equal('1');
      expect(await store.setMembers(set)).to.deep.equal(['m']);

      await expire();

      expect(await store.get(str)).to.equal(null);
      expect(await store.take(str)).to.equal(null);
      expect(await store.ttl(str)).to.equal(null);
      expect(await store.setMembers(set)).to.deep.equal([]);
      expect(await store.ttl(set)).to.equal(null);
      expect(await store.setIfAbsent(nx, 'second', 60), 'an expired key can be set again').to.equal(true);
      expect(await store.get(nx)).to.equal('second');
      expect(await store.increment(counter, 60), 'an expired counter starts again').to.equal(1);
      expect(await store.get(lasting)).to.equal('stays');
    });
  });

  it('take returns the value once: of 50 concurrent takes exactly one gets it', async () => {
    // Ten one-time codes, each raced by 50 takers spread over several connections.
    const keys = Array.from({ length: 10 }, () => unique('code'));
    await Promise.all(keys.map((k) => store.set(k, `value of ${k}`, 60)));
    const results = await Promise.all(
      keys.map((k) => Promise.all(Array.from({ length: 50 }, (_, i) => via(i).take(k)))),
    );
    results.forEach((takes, i) => {
      expect(takes.filter((v) => v !== null)).to.deep.equal([`value of ${keys[i]}`]);
    });
    for (const k of keys) expect(await store.get(k)).to.equal(null);
    expect(await store.take(unique('missing'))).to.equal(null);
  });

  it('setIfAbsent: of 50 concurrent callers exactly one wins, and its value and TTL stay', async () => {
    const key = unique('lock');
    const wins = await Promise.all(Array.from({ length: 50 }, (_, i) => via(i).setIfAbsent(key, `caller ${i}`, 60)));
    const winners = wins.flatMap((won, i) => (won ? [i] : []));
    expect(winners).to.have.length(1);
    expect(await store.get(key)).to.equal(`caller ${winners[0]}`);
    expect(await store.setIfAbsent(key, 'late', 600)).to.equal(false);
    expect(await store.get(key)).to.equal(`caller ${winners[0]}`);
    expect(await store.ttl(key)).to.be.within(59, 60);
  });

  it('increment is atomic: 200 concurrent increments count to 200, each number handed out once', async () => {
    const key = unique('counter');
    const values = await Promise.all(Array.from({ length: 200 }, (_, i) => via(i).increment(key, 60)));
    expect([...values].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(await store.get(key)).to.equal('200');
  });

  it("increment's TTL starts when the counter is created and later increments do not extend it", async () => {
    await acrossTtl(async (ttl, expire) => {
      const key = unique('window');
      expect(await store.increment(key, ttl)).to.equal(1);
      expect(await store.increment(key, 600)).to.equal(2);
      expect(await store.ttl(key)).to.be.at.most(1);
      await expire();
      expect(await store.increment(key, 600), 'a new window starts at 1').to.equal(1);
      expect(await store.ttl(key)).to.be.within(599, 600);
    });
  });

  it('sets: members are added once, removed one by one, and the last removal deletes the key', async () => {
    const key = unique('sessions');
    await store.addToSet(key, 'a', 60);
    await store.addToSet(key, 'b', 60);
    await store.addToSet(key, 'a', 60);
    expect((await store.setMembers(key)).sort()).to.deep.equal(['a', 'b']);
    await store.removeFromSet(key, 'a');
    await store.removeFromSet(key, 'not a member');
    expect(await store.setMembers(key)).to.deep.equal(['b']);
    await store.removeFromSet(key, 'b');
    expect(await store.setMembers(key)).to.deep.equal([]);
    expect(await store.ttl(key)).to.equal(null);
    expect(await store.setMembers(unique('never'))).to.deep.equal([]);
  });

  it('addToSet refreshes the TTL; removeFromSet keeps it', async () => {
    const key = unique('ttl-set');
    await store.addToSet(key, 'a', 5);
    expect(await store.ttl(key)).to.be.within(4, 5);
    await store.addToSet(key, 'b', 600);
    expect(await store.ttl(key)).to.be.within(599, 600);
    await store.removeFromSet(key, 'a');
    expect(await store.ttl(key)).to.be.within(599, 600);
  });

  it('addToSet from many connections at once loses no member', async () => {
    const key = unique('busy-set');
    const members = Array.from({ length: 100 }, (_, i) => `session-${i}`);
    await Promise.all(members.map((m, i) => via(i).addToSet(key, m, 60)));
    expect((await store.setMembers(key)).sort()).to.deep.equal([...members].sort());
  });

  it('delete removes many keys of both kinds at once and ignores missing ones', async () => {
    const [a, b, s] = [unique('a'), unique('b'), unique('s')];
    await store.set(a, '1', 60);
    await store.set(b, '2', 60);
    await store.addToSet(s, 'm', 60);
    await store.delete(a, s, unique('missing'));
    expect(await store.get(a)).to.equal(null);
    expect(await store.setMembers(s)).to.deep.equal([]);
    expect(await store.get(b)).to.equal('2');
    await store.delete();
    expect(await store.get(b)).to.equal('2');
  });

  it('a key holds one kind: using a set as a string (or the reverse) fails and changes nothing', async () => {
    const [s, str] = [unique('set'), unique('string')];
    await store.addToSet(s, 'm', 60);
    await store.set(str, 'v', 60);
    for (const op of [() => store.get(s), () => store.take(s), () => store.increment(s, 60), () => store.addToSet(str, 'm', 60), () => store.setMembers(str)]) {
      expect(String(await rejectionOf(op()))).to.match(/WRONGTYPE/);
    }
    expect(String(await rejectionOf(store.increment(str, 60)))).to.match(/not an integer/);
    expect(await store.setMembers(s)).to.deep.equal(['m']);
    expect(await store.get(str)).to.equal('v');
  });

  it('refuses a TTL under a millisecond or not finite, storing nothing', async () => {
    const key = unique('bad-ttl');
    for (const ttl of [0, -1, -0.5, 0.0004, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(await rejectionOf(store.set(key, 'v', ttl))).to.be.instanceOf(RangeError);
      expect(await rejectionOf(store.increment(key, ttl))).to.be.instanceOf(RangeError);
      expect(await rejectionOf(store.addToSet(key, 'm', ttl))).to.be.instanceOf(RangeError);
      expect(await rejectionOf(store.setIfAbsent(key, 'v', ttl))).to.be.instanceOf(RangeError);
    }
    expect(await store.get(key)).to.equal(null);
  });

  it('answers ping; once closed, every operation rejects with UnavailableError', async () => {
    const own = await backend().open();
    await own.ping();
    await own.close();
    for (const [name, op] of Object.entries(everyOperation(own))) {
      expect(await rejectionOf(op()), name).to.be.instanceOf(UnavailableError);
    }
    await own.close(); // closing twice is harmless
  });
}

describe('ephemeral store: embedded (SQLite file)', () => {
  let dir: string;
  let file: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-ephemeral-'));
    file = path.join(dir, 'data', 'ephemeral.db');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('contract', () => {
    contract(() => ({
      kind: 'embedded',
      open: () => openEphemeralStore({ redis: null, sqliteFile: file, timeoutMs: 2000 }),
    }));
  });

  it('loses nothing across close and reopen of the same file', async () => {
    const first = new EmbeddedEphemeralStore({ file, timeoutMs: 2000 });
    const [code, counter, set] = [unique('code'), unique('counter'), unique('set')];
    await first.set(code, 'one-time', 300);
    await first.increment(counter, 300);
    await first.increment(counter, 300);
    await first.addToSet(set, 'session-1', 300);
    await first.close();

    const second = new EmbeddedEphemeralStore({ file, timeoutMs: 2000 });
    try {
      expect(await second.ttl(code)).to.be.within(299, 300);
      expect(await second.take(code)).to.equal('one-time');
      expect(await second.increment(counter, 300)).to.equal(3);
      expect(await second.setMembers(set)).to.deep.equal(['session-1']);
    } finally {
      await second.close();
    }
  });

  it('sweeps expired keys out of the file, keeping live ones', async () => {
    await acrossTtl(async (ttl, expire) => {
      const file = path.join(dir, `sweep-${randomUUID()}.db`);
      const sweeping = new EmbeddedEphemeralStore({ file, timeoutMs: 2000, sweepIntervalMs: 50 });
      const raw = new Database(file, { readonly: true });
      try {
        await sweeping.set('long', 'v', 60);
        for (let i = 0; i < 50; i++) await sweeping.set(`short-${i}`, 'v', ttl);
        const count = () => (raw.prepare('SELECT count(*) AS n FROM ephemeral_entries').get() as { n: number }).n;
        expect(count()).to.equal(51);
        await expire();
        const start = Date.now();
        while (count() > 1 && Date.now() - start < 3000) await sleep(25);
        expect(count(), 'only the live key is left').to.equal(1);
        expect(await sweeping.get('long')).to.equal('v');
      } finally {
        raw.close();
        await sweeping.close();
      }
    });
  });

  describe('sharing its file with another connection (the SQL store)', () => {
    let shared: string;
    let other: Database.Database;
    beforeEach(() => {
      shared = path.join(dir, `${randomUUID()}.db`);
      other = new Database(shared);
      other.pragma('journal_mode = WAL');
      other.exec('CREATE TABLE users (id TEXT PRIMARY KEY); INSERT INTO users VALUES (\'u-1\')');
    });
    afterEach(() => {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
    });

    it("waits for the other connection's write lock without blocking the event loop, then writes", async () => {
      const store = new EmbeddedEphemeralStore({ file: shared, timeoutMs: 2000 });
      try {
        other.exec('BEGIN IMMEDIATE');
        let ticks = 0;
        const ticker = setInterval(() => ticks++, 10);
        const write = store.set('k', 'v', 60);
        await sleep(150);
        other.exec("INSERT INTO users VALUES ('u-2'); COMMIT");
        await write;
        clearInterval(ticker);
        // A write that held the event loop while it waited would deadlock (the lock is released by
        // this same loop) and fail after its timeout; a few ticks prove it ran on. Not 15: a loaded
        // machine runs fewer 10 ms intervals in 150 ms.
        expect(ticks, 'the event loop kept running while the write waited').to.be.at.least(3);
        expect(await store.get('k')).to.equal('v');
        expect(other.prepare('SELECT id FROM users ORDER BY id').pluck().all()).to.deep.equal(['u-1', 'u-2']);
      } finally {
        await store.close();
      }
    });

    it('rejects with UnavailableError after about the timeout when the lock is never released', async () => {
      const store = new EmbeddedEphemeralStore({ file: shared, timeoutMs: 200 });
      try {
        other.exec('BEGIN IMMEDIATE');
        const start = Date.now();
        const error = await rejectionOf(store.increment('n', 60));
        const elapsed = Date.now() - start;
        expect(error).to.be.instanceOf(UnavailableError);
        expect((error as UnavailableError).dependency).to.equal('sqlite');
        expect(elapsed).to.be.within(150, 600);
        other.exec('ROLLBACK');
        expect(await store.increment('n', 60), 'the failed increment changed nothing').to.equal(1);
      } finally {
        await store.close();
      }
    });
  });
});

describe('ephemeral store: Redis Sentinel (private primary, replica, three Sentinels)', () => {
  let sentinel: PrivateRedisSentinel;
  const prefix = `gh-test-${randomUUID()}:`;
  before(async function () {
    this.timeout(20000);
    sentinel = await startRedisSentinel();
  });
  after(async () => {
    await sentinel?.stop();
  });

  describe('contract', () => {
    contract(() => ({
      kind: 'redis',
      open: () =>
        openEphemeralStore({
          redis: { kind: 'sentinel', sentinels: sentinel.sentinels, masterName: sentinel.masterName, username: null, password: null, tls: false },
          sqliteFile: '/nonexistent/unused.db',
          timeoutMs: 2000,
          keyPrefix: prefix,
        }),
    }));
  });

  it('survives SENTINEL FAILOVER: operations fail closed with UnavailableError meanwhile, then the same store serves from the new primary', async function () {
    this.timeout(30000);
    const store = await openEphemeralStore({
      redis: { kind: 'sentinel', sentinels: sentinel.sentinels, masterName: sentinel.masterName, username: null, password: null, tls: false },
      sqliteFile: '',
      // Long enough for a loaded test machine outside the failover; during it, operations still
      // fail (UnavailableError) rather than hang.
      timeoutMs: 2000,
      keyPrefix: prefix,
      onConnectionError: () => {},
    });
    const raw = await createClient({ url: `redis://127.0.0.1:${sentinel.sentinels[0]!.port}` }).connect();
    try {
      await store.set('before-failover', 'kept', 600);
      const primary = async () => ((await raw.sendCommand(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', sentinel.masterName])) as string[])[1];
      const old = await primary();
      // Asynchronous replication: wait until the replica has the write, so the check below is of the
      // failover, not of replication lag. WAIT counts acknowledgements of this connection's own last
      // write, so it writes once after the store's write, and WAIT covers both.
      const onPrimary = await createClient({ url: `redis://127.0.0.1:${old}` }).connect();
      await onPrimary.set(`${prefix}replication-fence`, '1', { expiration: { type: 'EX', value: 600 } });
      expect(await onPrimary.sendCommand(['WAIT', '1', '2000']), 'the replica acknowledged the write').to.equal(1);
      await onPrimary.close();
      await raw.sendCommand(['SENTINEL', 'FAILOVER', sentinel.masterName]);
      const deadline = Date.now() + 20000;
      const failures: unknown[] = [];
      let served = false;
      while (Date.now() < deadline) {
        try {
          if ((await primary()) !== old && (await store.get('before-failover')) === 'kept') {
            await store.set('after-failover', 'written', 600);
            served = true;
            break;
          }
        } catch (e) {
          failures.push(e);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(served, 'served again from the new primary').to.equal(true);
      for (const e of failures) expect(e).to.be.instanceOf(UnavailableError);
      expect(await store.get('after-failover')).to.equal('written');
    } finally {
      await raw.close();
      await store.close();
    }
  });
});

describe('ephemeral store: Redis Cluster (three private masters)', () => {
  let cluster: PrivateRedisCluster;
  const prefix = `gh-test-${randomUUID()}:`;
  before(async function () {
    this.timeout(20000);
    cluster = await startRedisCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  describe('contract', () => {
    contract(() => ({
      kind: 'redis',
      open: () =>
        openEphemeralStore({
          redis: { kind: 'cluster', nodes: cluster.nodes, username: null, password: null, tls: false },
          sqliteFile: '/nonexistent/unused.db',
          timeoutMs: 2000,
          keyPrefix: prefix,
        }),
    }));
  });

  it('keeps all its keys in one slot, so a multi-key read or delete goes to one node in one round trip', async () => {
    const own = `gh-test-${randomUUID()}:`;
    const store = await openEphemeralStore({
      redis: { kind: 'cluster', nodes: cluster.nodes, username: null, password: null, tls: false },
      sqliteFile: '',
      timeoutMs: 2000,
      keyPrefix: own,
    });
    const raws = await Promise.all(cluster.nodes.map((n) => createClient({ url: `redis://${n.host}:${n.port}` }).connect()));
    try {
      const keys = Array.from({ length: 30 }, (_, i) => `session:${i}`);
      for (const key of keys) await store.set(key, 'v', 60);
      expect(await store.getMany(keys)).to.deep.equal(keys.map(() => 'v'));
      const held = await Promise.all(raws.map(async (raw) => (await raw.keys(`*${own}*`)).length));
      expect(held.sort()).to.deep.equal([0, 0, 30]);
    } finally {
      await Promise.all(raws.map((raw) => raw.close()));
      await store.close();
    }
  });
});

describe('ephemeral store: Redis (private redis-server)', () => {
  let redis: PrivateRedis;
  const prefix = `gh-test-${randomUUID()}:`;
  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    await redis.stop();
  });

  describe('contract', () => {
    contract(() => ({
      kind: 'redis',
      open: () => openEphemeralStore({ redis: { kind: 'url', url: redis.url }, sqliteFile: '/nonexistent/unused.db', timeoutMs: 2000, keyPrefix: prefix }),
    }));
  });

  it("keeps keys under its prefix ('gh:' by default), so prefixes do not see each other", async () => {
    const plain = await openEphemeralStore({ redis: { kind: 'url', url: redis.url }, sqliteFile: '', timeoutMs: 2000 });
    const other = await openEphemeralStore({ redis: { kind: 'url', url: redis.url }, sqliteFile: '', timeoutMs: 2000, keyPrefix: 'other:' });
    const raw = createClient({ url: redis.url });
    await raw.connect();
    try {
      const key = unique('prefixed');
      await plain.set(key, 'mine', 60);
      expect(await raw.get(`gh:${key}`)).to.equal('mine');
      expect(await other.get(key)).to.equal(null);
    } finally {
      await Promise.all([plain.close(), other.close(), raw.close()]);
    }
  });

  // Outages get their own server, so stopping it cannot disturb any other test.
  describe('when Redis fails', () => {
    const TIMEOUT_MS = 300;
    /** Every operation must settle within the timeout plus this much (scheduling, a slow CI box). */
    const SLACK_MS = 150;
    let failing: PrivateRedis;
    let store: EphemeralStore;
    let connectionErrors: Error[];

    before(async () => {
      failing = await startRedisServer();
    });
    after(async () => {
      await failing.stop();
    });
    beforeEach(async () => {
      await failing.restart();
      connectionErrors = [];
      store = await openEphemeralStore({
        redis: { kind: 'url', url: failing.url },
        sqliteFile: '',
        timeoutMs: TIMEOUT_MS,
        onConnectionError: (e) => connectionErrors.push(e),
      });
      await store.ping();
    });
    afterEach(async () => {
      failing.resume();
      await store.close();
    });

    async function expectEveryOperationUnavailable(): Promise<void> {
      const outcomes = await Promise.all(
        Object.entries(everyOperation(store)).map(async ([name, op]) => {
          const start = Date.now();
          // Bounded here too, so a hanging operation fails this test rather than mocha's timeout.
          const hung = sleep(TIMEOUT_MS + SLACK_MS + 1000).then(() => new Error(`${name} did not settle`));
          const error = await Promise.race([rejectionOf(op()), hung]);
          return { name, error, ms: Date.now() - start };
        }),
      );
      for (const { name, error, ms } of outcomes) {
        expect(error, name).to.be.instanceOf(UnavailableError);
        expect((error as UnavailableError).dependency, name).to.equal('redis');
        expect(ms, `${name} took ${ms} ms`).to.be.below(TIMEOUT_MS + SLACK_MS);
      }
    }

    it('Redis down: every operation rejects with UnavailableError within the timeout; restarted, the same store works again', async () => {
      await store.set('before', 'v', 60);
      await failing.stop();
      await expectEveryOperationUnavailable();
      expect(await rejectionOf(store.increment('refused', 60))).to.be.instanceOf(UnavailableError);
      // An outage long enough for several reconnect attempts: the client must not give up.
      await sleep(1000);
      await expectEveryOperationUnavailable();
      expect(connectionErrors, 'connection failures were reported, not thrown').to.have.length.above(0);

      await failing.restart();
      const recoveredInMs = await msUntilWorking(() => store.ping(), 3000);
      expect(recoveredInMs, 'reconnects within the backoff cap').to.be.below(1500);
      // The server came back empty, so a value here would be a write the client had queued.
      expect(await store.get('refused'), 'a write refused during the outage is not applied later').to.equal(null);
      await store.set('after', 'v', 60);
      expect(await store.get('after')).to.equal('v');
      expect(await store.take('after')).to.equal('v');
    });

    it('Redis hangs: every operation rejects within the timeout instead of waiting; resumed, the same store works again', async () => {
      failing.pause();
      await expectEveryOperationUnavailable();
      await expectEveryOperationUnavailable();
      failing.resume();
      await msUntilWorking(() => store.ping(), 3000);
      expect(await store.increment('after-hang', 60)).to.be.a('number');
    });

    it('Redis down at start: opening returns after about the timeout, operations reject, and it connects once Redis is up', async () => {
      await failing.stop();
      const start = Date.now();
      const late = await openEphemeralStore({ redis: { kind: 'url', url: failing.url }, sqliteFile: '', timeoutMs: TIMEOUT_MS, onConnectionError: () => {} });
      try {
        expect(Date.now() - start).to.be.below(TIMEOUT_MS + SLACK_MS);
        expect(await rejectionOf(late.get('k'))).to.be.instanceOf(UnavailableError);
        await failing.restart();
        await msUntilWorking(() => late.set('k', 'v', 60), 3000);
        expect(await late.get('k')).to.equal('v');
      } finally {
        await late.close();
      }
    });
  });
});
