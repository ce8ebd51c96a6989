// The embedded ephemeral store, used when no REDIS_URL is set: a table in a SQLite file (WAL), so a
// restart loses nothing and no Redis is needed.
//
// It keeps Redis's semantics where callers could notice them: one key space for strings and sets
// (using a key as the other kind fails with a WRONGTYPE error), an expired key is gone for every
// operation the moment it expires, and take / setIfAbsent / increment are atomic. better-sqlite3 is
// synchronous, so within this process every operation already runs alone; each read-then-write
// still runs in a BEGIN IMMEDIATE transaction so that another process on the same file cannot
// interleave. Expired rows are deleted lazily when met, and by a periodic sweep.
//
// It may share the SQL store's file. That connection can hold SQLite's write lock across an
// `await` (a Kysely transaction), so this store never waits in SQLite's busy handler, which would
// block the event loop and with it the transaction it waits for: a busy write is retried after a
// timer instead, until `timeoutMs` has passed, then it rejects with UnavailableError.

import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { UnavailableError } from '../../model/errors.ts';
import { ttlMilliseconds, type EphemeralStore } from './ephemeral-store.ts';

export interface EmbeddedEphemeralStoreOptions {
  /** The SQLite file; created (with its directory) when missing. */
  file: string;
  /** How long a write may wait for another connection's lock before it rejects with UnavailableError. */
  timeoutMs: number;
  /** How often expired rows are swept out. Default one minute. */
  sweepIntervalMs?: number;
}

interface Row {
  kind: 'string' | 'set';
  /** The string, or the set's members as a JSON array (sets here are small: a user's sessions). */
  value: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ephemeral_entries (
  key        TEXT    NOT NULL PRIMARY KEY,
  kind       TEXT    NOT NULL CHECK (kind IN ('string', 'set')),
  value      TEXT    NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ephemeral_entries_expires_at ON ephemeral_entries (expires_at);
`;

const SWEEP_BATCH = 1000;
const DEPENDENCY = 'sqlite';

// SQLite result codes that mean "cannot serve right now", as opposed to a bug in a statement.
const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|CORRUPT|NOTADB|PROTOCOL)/;

export class EmbeddedEphemeralStore implements EphemeralStore {
  readonly kind = 'embedded' as const;
  readonly #db: Database.Database;
  readonly #timeoutMs: number;
  readonly #sweepTimer: NodeJS.Timeout;
  readonly #sql;

  constructor(options: EmbeddedEphemeralStoreOptions) {
    fs.mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
    this.#timeoutMs = options.timeoutMs;
    // timeout 0: SQLITE_BUSY comes back at once and #run waits for the lock without blocking.
    const db = (this.#db = new Database(options.file, { timeout: 0 }));
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL survives a crash of the process (only power loss can cost the last
    // commits), and spares an fsync per one-time code or rate-counter bump.
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
    this.#sql = {
      select: db.prepare<[string], Row>(
        'SELECT kind, value, expires_at AS expiresAt FROM ephemeral_entries WHERE key = ?',
      ),
      upsert: db.prepare<[string, Row['kind'], string, number]>(
        `INSERT INTO ephemeral_entries (key, kind, value, expires_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, value = excluded.value, expires_at = excluded.expires_at`,
      ),
      // Inserts, or replaces a row that has expired; returns a row only when it did either.
      insertIfAbsent: db.prepare<[string, string, number, number]>(
        `INSERT INTO ephemeral_entries (key, kind, value, expires_at) VALUES (?, 'string', ?, ?)
         ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, value = excluded.value, expires_at = excluded.expires_at
         WHERE ephemeral_entries.expires_at <= ?
         RETURNING key`,
      ),
      updateValue: db.prepare<[string, string]>('UPDATE ephemeral_entries SET value = ? WHERE key = ?'),
      remove: db.prepare<[string]>('DELETE FROM ephemeral_entries WHERE key = ?'),
      removeIfExpired: db.prepare<[string, number]>('DELETE FROM ephemeral_entries WHERE key = ? AND expires_at <= ?'),
      sweep: db.prepare<[number, number]>(
        `DELETE FROM ephemeral_entries WHERE key IN
           (SELECT key FROM ephemeral_entries WHERE expires_at <= ? LIMIT ?)`,
      ),
      ping: db.prepare('SELECT 1'),
    };
    this.#sweepTimer = setInterval(() => this.#sweep(), options.sweepIntervalMs ?? 60_000);
    this.#sweepTimer.unref();
  }

  async get(key: string): Promise<string | null> {
    return this.#run(() => this.#live(key, 'string')?.value ?? null);
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    // As Redis MGET: a key holding a set reads as null rather than failing.
    return this.#run(() =>
      keys.map((key) => {
        const row = this.#live(key);
        return row?.kind === 'string' ? row.value : null;
      }),
    );
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    const expiresAt = expiry(ttlSeconds);
    await this.#run(() => this.#sql.upsert.run(key, 'string', value, expiresAt));
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    const expiresAt = expiry(ttlSeconds);
    // One statement, so atomic without a transaction; a live key of either kind blocks it, as in Redis.
    return this.#run(() => this.#sql.insertIfAbsent.get(key, value, expiresAt, Date.now()) !== undefined);
  }

  async take(key: string): Promise<string | null> {
    return this.#write(() => {
      const row = this.#live(key, 'string');
      if (row === null) return null;
      this.#sql.remove.run(key);
      return row.value;
    });
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.#write(() => {
      for (const key of keys) this.#sql.remove.run(key);
    });
  }

  async increment(key: string, ttlSeconds: number): Promise<number> {
    const expiresAt = expiry(ttlSeconds);
    return this.#write(() => {
      const row = this.#live(key, 'string');
      if (row === null) {
        // Created now, so the TTL starts now; later increments leave it alone.
        this.#sql.upsert.run(key, 'string', '1', expiresAt);
        return 1;
      }
      if (!/^-?\d+$/.test(row.value) || !Number.isSafeInteger(Number(row.value))) {
        throw new Error('ERR value is not an integer or out of range');
      }
      const next = Number(row.value) + 1;
      this.#sql.updateValue.run(String(next), key);
      return next;
    });
  }

  async ttl(key: string): Promise<number | null> {
    return this.#run(() => {
      const row = this.#live(key);
      return row === null ? null : Math.ceil((row.expiresAt - Date.now()) / 1000);
    });
  }

  async addToSet(key: string, member: string, ttlSeconds: number): Promise<void> {
    const expiresAt = expiry(ttlSeconds);
    await this.#write(() => {
      const members = this.#members(key);
      if (!members.includes(member)) members.push(member);
      this.#sql.upsert.run(key, 'set', JSON.stringify(members), expiresAt);
    });
  }

  async removeFromSet(key: string, member: string): Promise<void> {
    await this.#write(() => {
      const members = this.#members(key);
      const left = members.filter((m) => m !== member);
      if (left.length === members.length) return;
      // An empty set does not exist (as in Redis); otherwise its TTL is kept.
      if (left.length === 0) this.#sql.remove.run(key);
      else this.#sql.updateValue.run(JSON.stringify(left), key);
    });
  }

  async setMembers(key: string): Promise<string[]> {
    return this.#run(() => this.#members(key));
  }

  async ping(): Promise<void> {
    await this.#run(() => this.#sql.ping.get());
  }

  async close(): Promise<void> {
    clearInterval(this.#sweepTimer);
    if (this.#db.open) this.#db.close();
  }

  /** The row if it exists and has not expired (an expired one is deleted on the way). */
  #live(key: string, kind?: Row['kind']): Row | null {
    const row = this.#sql.select.get(key);
    if (row === undefined) return null;
    const now = Date.now();
    if (row.expiresAt <= now) {
      // Guarded by the expiry, so a fresh value written meanwhile by another process survives.
      this.#sql.removeIfExpired.run(key, now);
      return null;
    }
    if (kind !== undefined && row.kind !== kind) {
      throw new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
    }
    return row;
  }

  #members(key: string): string[] {
    const row = this.#live(key, 'set');
    return row === null ? [] : (JSON.parse(row.value) as string[]);
  }

  #write<T>(fn: () => T): Promise<T> {
    return this.#run(() => this.#db.transaction(fn).immediate());
  }

  /**
   * Runs `fn` (statements, or one transaction), retrying while another connection holds the write
   * lock; a busy statement has changed nothing, so running it again is safe. Turns "SQLite cannot
   * serve" into UnavailableError, on which callers deny.
   */
  async #run<T>(fn: () => T): Promise<T> {
    const deadline = Date.now() + this.#timeoutMs;
    for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
      if (!this.#db.open) throw new UnavailableError(DEPENDENCY, 'the ephemeral store is closed');
      try {
        return fn();
      } catch (e) {
        if (!(e instanceof Database.SqliteError) || !UNAVAILABLE_CODES.test(e.code)) throw e;
        const wait = Math.min(pause, deadline - Date.now());
        if (e.code.startsWith('SQLITE_BUSY') && wait > 0) {
          await new Promise((resolve) => setTimeout(resolve, wait));
          continue;
        }
        throw new UnavailableError(DEPENDENCY, `the ephemeral store is unavailable: ${e.message}`, { cause: e });
      }
    }
  }

  #sweep(): void {
    if (!this.#db.open) return;
    try {
      const { changes } = this.#sql.sweep.run(Date.now(), SWEEP_BATCH);
      // A full batch means more may be waiting; continue soon, but let other work run in between.
      if (changes === SWEEP_BATCH) setImmediate(() => this.#sweep());
    } catch {
      // Busy or failing: the next sweep tries again, and expired rows are invisible meanwhile.
    }
  }
}

/** The expiry instant for a TTL, to the millisecond, as Redis's PX keeps it. */
function expiry(ttlSeconds: number): number {
  return Date.now() + ttlMilliseconds(ttlSeconds);
}
