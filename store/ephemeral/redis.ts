// The ephemeral store on Redis (node-redis 6), used when REDIS_URL is set.
//
// Availability rules (store/ephemeral/ephemeral-store.ts): a caller must never hang on Redis and
// never have a command queued for later, because callers deny on failure. So:
// - `disableOfflineQueue`: while disconnected, commands reject at once instead of queueing.
// - every operation races a deadline of `timeoutMs`; a late reply is dropped.
// - a deadline that expires while the client believes it is connected means the connection is
//   dead without the socket knowing (a hung server, a black-holed network): the client is
//   replaced, so the next commands are not written into the same hole.
// - the reconnect strategy never gives up; its backoff is capped at one second so the store
//   recovers soon after Redis returns, without a restart.
// - 'error' events are handled (an unhandled one would crash the process on a dropped connection).
// A TTL of whole seconds goes to Redis as such (EX, EXPIRE); one with a fraction of a second in
// milliseconds (PX, PEXPIRE). Gatehouse itself sets whole seconds only, so an ACL user limited to
// the commands docs/operations.md lists ("TLS and ACL") needs no PEXPIRE.
// Atomicity comes from Redis itself: GETDEL, SET NX EX, and Lua scripts for compound updates
// (MULTI is avoided: node-redis queues MULTI/pipelines even with the offline queue disabled).

import { createClient, createCluster, createSentinel, ErrorReply } from 'redis';
import { UnavailableError } from '../../model/errors.ts';
import { ttlMilliseconds, type EphemeralStore } from './ephemeral-store.ts';
import type { RedisAuth, RedisConnection } from './redis-connection.ts';

export interface RedisEphemeralStoreOptions {
  /** One server (redis:// or rediss:// URL), a Sentinel-watched primary, or a Cluster. */
  connection: RedisConnection;
  /** Longest any operation (and a connection attempt) may take before it rejects. */
  timeoutMs: number;
  /** Prepended to every key, so several applications can share a Redis. Default 'gh:'. */
  keyPrefix?: string;
  /** Told about every connection failure (e.g. to log it); the store has already handled it. */
  onConnectionError?: (error: Error) => void;
}

// INCR, and set the TTL only when the counter has none yet, i.e. when this call created it; the
// window is never extended by later increments (rate counters count within a fixed window).
// ARGV: the expiring command (EXPIRE or PEXPIRE) and its TTL.
const INCREMENT = `
local value = redis.call('INCR', KEYS[1])
if redis.call('TTL', KEYS[1]) == -1 then redis.call(ARGV[1], KEYS[1], ARGV[2]) end
return value`;

// SADD and refresh the TTL in one step, so a set never exists without an expiry. ARGV: the member,
// the expiring command (EXPIRE or PEXPIRE) and its TTL.
const ADD_TO_SET = `
redis.call('SADD', KEYS[1], ARGV[1])
redis.call(ARGV[2], KEYS[1], ARGV[3])
return 1`;

const MAX_BACKOFF_MS = 1000;

/**
 * The commands this store sends, which a plain client, a Sentinel client and a Cluster client all
 * offer with the same meaning (the Cluster routes each to the node owning its keys' slot). Their
 * node-redis types differ only in generics, so each is narrowed to this once, where it is created.
 */
interface Client {
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  close(): Promise<void>;
  destroy(): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  get(key: string): Promise<string | null>;
  mGet(keys: string[]): Promise<(string | null)[]>;
  set(key: string, value: string, options: object): Promise<string | null>;
  getDel(key: string): Promise<string | null>;
  del(keys: string[]): Promise<number>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  ttl(key: string): Promise<number>;
  sRem(key: string, member: string): Promise<number>;
  sMembers(key: string): Promise<string[]>;
  ping?(): Promise<string>;
}

export class RedisEphemeralStore implements EphemeralStore {
  readonly kind = 'redis' as const;
  readonly #options: RedisEphemeralStoreOptions;
  readonly #prefix: string;
  #client: Client;
  /** Settles once the current client has connected (or was closed). */
  #connecting: Promise<unknown> = Promise.resolve();
  #closed = false;

  /** Prefer {@link openRedisEphemeralStore}, which also waits (briefly) for the first connection. */
  constructor(options: RedisEphemeralStoreOptions) {
    this.#options = options;
    const prefix = options.keyPrefix ?? 'gh:';
    // On a Cluster, commands naming several keys (MGET, DEL, the reads of token + session + epoch)
    // need them in one slot, or Redis answers CROSSSLOT. The prefix is made the hash tag of every
    // key, so all of Gatehouse's keys share one slot (docs/operations.md, "Redis key layout").
    this.#prefix = options.connection.kind === 'cluster' && !prefix.includes('{') ? `{${prefix}}` : prefix;
    this.#client = this.#connect();
  }

  /** Resolves when connected, or after `timeoutMs` if Redis does not answer (it keeps retrying). */
  async ready(): Promise<void> {
    if (this.#client.isReady) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#connecting,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.#options.timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  get(key: string): Promise<string | null> {
    return this.#run((c) => c.get(this.#key(key)));
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    return this.#run((c) => c.mGet(keys.map((k) => this.#key(k))));
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    const ttl = redisTtl(ttlSeconds);
    await this.#run((c) => c.set(this.#key(key), value, { expiration: { type: ttl.option, value: ttl.value } }));
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    const ttl = redisTtl(ttlSeconds);
    const reply = await this.#run((c) =>
      c.set(this.#key(key), value, { expiration: { type: ttl.option, value: ttl.value }, condition: 'NX' }),
    );
    return reply !== null;
  }

  take(key: string): Promise<string | null> {
    return this.#run((c) => c.getDel(this.#key(key)));
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.#run((c) => c.del(keys.map((k) => this.#key(k))));
  }

  async increment(key: string, ttlSeconds: number): Promise<number> {
    const ttl = redisTtl(ttlSeconds);
    const reply = await this.#run((c) =>
      c.eval(INCREMENT, { keys: [this.#key(key)], arguments: [ttl.command, String(ttl.value)] }),
    );
    return Number(reply);
  }

  async ttl(key: string): Promise<number | null> {
    const seconds = await this.#run((c) => c.ttl(this.#key(key)));
    if (seconds === -2) return null;
    // -1: a key without expiry, which only a writer other than this store can create.
    return seconds === -1 ? Number.POSITIVE_INFINITY : seconds;
  }

  async addToSet(key: string, member: string, ttlSeconds: number): Promise<void> {
    const ttl = redisTtl(ttlSeconds);
    await this.#run((c) => c.eval(ADD_TO_SET, { keys: [this.#key(key)], arguments: [member, ttl.command, String(ttl.value)] }));
  }

  async removeFromSet(key: string, member: string): Promise<void> {
    await this.#run((c) => c.sRem(this.#key(key), member));
  }

  setMembers(key: string): Promise<string[]> {
    return this.#run((c) => c.sMembers(this.#key(key)));
  }

  async ping(): Promise<void> {
    // A Cluster client has no keyless PING; reading a key proves the node owning its slot answers.
    await this.#run((c) => (c.ping ? c.ping() : c.get(this.#key('ping'))));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const client = this.#client;
    if (!client.isReady) {
      client.destroy();
      return;
    }
    // Let commands in flight finish, but not for longer than any of them may take.
    const timer = setTimeout(() => client.destroy(), this.#options.timeoutMs);
    try {
      await client.close();
    } catch {
      client.destroy();
    } finally {
      clearTimeout(timer);
    }
  }

  #key(key: string): string {
    return this.#prefix + key;
  }

  #connect(): Client {
    const client = createRedisClient(this.#options);
    // The first connection attempt retries on its own; its promise only settles once connected
    // (or when the client is closed), and callers learn about failures from the operations.
    this.#connecting = client.connect().catch(() => {});
    return client;
  }

  /** Drops a client whose connection looks alive but does not answer, and starts a fresh one. */
  #replace(stale: Client): void {
    if (this.#closed || this.#client !== stale) return;
    this.#client = this.#connect();
    stale.destroy();
  }

  async #run<T>(command: (client: Client) => Promise<T>): Promise<T> {
    if (this.#closed) throw new UnavailableError('redis', 'the ephemeral store is closed');
    const client = this.#client;
    const wasReady = client.isReady;
    let timer: NodeJS.Timeout | undefined;
    const pending = command(client);
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (wasReady && client.isReady) this.#replace(client);
        reject(new UnavailableError('redis', `redis did not answer within ${this.#options.timeoutMs} ms`));
      }, this.#options.timeoutMs);
    });
    // The loser of the race may still reject later; nobody is listening by then.
    pending.catch(() => {});
    try {
      return await Promise.race([pending, deadline]);
    } catch (e) {
      if (e instanceof UnavailableError) throw e;
      // A reply telling us our command is wrong (WRONGTYPE, ERR ...) is a bug, not an outage.
      // Other replies (LOADING, BUSY, READONLY, MASTERDOWN, OOM, MISCONF) mean Redis cannot serve.
      // CROSSSLOT (keys of one command in different Cluster slots) is a key layout bug too.
      if (e instanceof ErrorReply && /^(WRONGTYPE|ERR|CROSSSLOT) /.test(e.message)) throw e;
      throw new UnavailableError('redis', `redis is unavailable: ${(e as Error).message}`, { cause: e });
    } finally {
      clearTimeout(timer);
    }
  }
}

function createRedisClient({ connection, timeoutMs, onConnectionError }: RedisEphemeralStoreOptions): Client {
  const socket = {
    connectTimeout: timeoutMs,
    // Exponential backoff from 50 ms, capped, with jitter so many processes do not reconnect in
    // lockstep. Never `false`: giving up would leave the store dead until a restart.
    reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, MAX_BACKOFF_MS) + Math.floor(Math.random() * 100),
  };
  const auth = (a: Partial<RedisAuth>) => ({
    ...(a.username ? { username: a.username } : {}),
    ...(a.password ? { password: a.password } : {}),
  });
  // No per-command timer from the client (node-redis 6 arms an AbortSignal.timeout of 5 s for
  // every command by default): #run already races each operation against `timeoutMs`, and one
  // timer per command is enough on the hot paths.
  const commandOptions = { timeout: 0 };
  let client: Client;
  if (connection.kind === 'url') {
    client = createClient({
      url: connection.url,
      ...auth(connection),
      disableOfflineQueue: true,
      commandOptions,
      socket: connection.tls ? { ...socket, tls: true } : socket,
    }) as unknown as Client;
  } else if (connection.kind === 'sentinel') {
    // The Sentinels tell which node is the primary; after a failover the client follows the new one.
    const node = {
      ...auth(connection),
      disableOfflineQueue: true,
      socket: connection.tls ? { ...socket, tls: true as const } : socket,
    };
    client = createSentinel({
      name: connection.masterName,
      sentinelRootNodes: connection.sentinels,
      nodeClientOptions: node,
      sentinelClientOptions: node,
      commandOptions,
      passthroughClientErrorEvents: true,
    }) as unknown as Client;
  } else {
    client = createCluster({
      rootNodes: connection.nodes.map((n) => ({ socket: { host: n.host, port: n.port } })),
      // Every connection to a discovered node is made from these, so auth and TLS go here.
      defaults: {
        ...auth(connection),
        disableOfflineQueue: true,
        socket: connection.tls ? { ...socket, tls: true as const } : socket,
      },
      commandOptions,
    }) as unknown as Client;
  }
  client.on('error', (error: Error) => onConnectionError?.(error));
  return client;
}

export async function openRedisEphemeralStore(options: RedisEphemeralStoreOptions): Promise<RedisEphemeralStore> {
  const store = new RedisEphemeralStore(options);
  await store.ready();
  return store;
}

/** How a TTL goes to Redis: whole seconds as seconds (EX, EXPIRE), else milliseconds (PX, PEXPIRE). */
function redisTtl(ttlSeconds: number): { option: 'EX' | 'PX'; command: 'EXPIRE' | 'PEXPIRE'; value: number } {
  const ms = ttlMilliseconds(ttlSeconds);
  return ms % 1000 === 0 ? { option: 'EX', command: 'EXPIRE', value: ms / 1000 } : { option: 'PX', command: 'PEXPIRE', value: ms };
}
