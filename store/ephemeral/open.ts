// Picks the ephemeral store the configuration asks for (DESIGN.md, "State"): Redis when REDIS_URL
// (or REDIS_SENTINELS, REDIS_CLUSTER_NODES)
// is set, else the embedded store in a SQLite file.

import { openRedisEphemeralStore } from './redis.ts';
import { EmbeddedEphemeralStore } from './embedded.ts';
import type { EphemeralStore } from './ephemeral-store.ts';
import type { RedisConnection } from './redis-connection.ts';

export interface EphemeralStoreOptions {
  /** Redis to use (config.redis); null: the embedded store. */
  redis: RedisConnection | null;
  /** Used only without Redis. May be the SQL store's own SQLite file, or e.g. DATA_DIR/ephemeral.db. */
  sqliteFile: string;
  /** config.dependencyTimeoutMs: the longest any operation may take before it rejects with UnavailableError. */
  timeoutMs: number;
  /** Redis only: prepended to every key. Default 'gh:'. */
  keyPrefix?: string;
  /** Redis only: told about every connection failure (to log it); the store has already handled it. */
  onConnectionError?: (error: Error) => void;
}

/**
 * Opens the store. With Redis it waits up to `timeoutMs` for the first connection and then returns
 * anyway: a Redis that is down at start makes operations (and /readyz) fail with UnavailableError
 * until it comes back, and the store reconnects by itself.
 */
export async function openEphemeralStore(options: EphemeralStoreOptions): Promise<EphemeralStore> {
  if (options.redis !== null) {
    return openRedisEphemeralStore({
      connection: options.redis,
      timeoutMs: options.timeoutMs,
      keyPrefix: options.keyPrefix,
      onConnectionError: options.onConnectionError,
    });
  }
  return new EmbeddedEphemeralStore({ file: options.sqliteFile, timeoutMs: options.timeoutMs });
}
