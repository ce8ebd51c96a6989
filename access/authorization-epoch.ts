// The authorization epoch: one random value in the ephemeral store (Redis in HA mode) that every
// change to who reaches what replaces, so that per-process snapshots of a user's access can be
// trusted between changes and dropped on every node at the next call after one (docs/security.md:
// "Only what is assigned, at that moment"; "Tokens and sessions"). It is how the hot credential path (access/role-credentials.ts) avoids re-reading the
// directory and the assignments at every GetRoleCredentials call without ever acting on a
// superseded picture.
//
// Rules that make it correct:
// - A snapshot is tagged with the epoch read BEFORE its data is read, and is used only while the
//   epoch read at the moment of a call is that same value. A change commits its data first and
//   replaces the epoch after: the epoch subscribes to the access-change events, which are published
//   once the change's transaction has committed, never for one that rolled back
//   (access/events/access-reactions.ts; docs/architecture.md, "Events"). So a reader who saw the old
//   epoch either read the old data (and its snapshot is stale at the next call) or read the new
//   data (harmless).
// - A missing epoch (Redis restarted empty, evicted, expired) is created anew with a fresh random
//   value, so nothing built before is ever taken as current; values are random, never counters,
//   for exactly this reason.
// - Failing to replace the epoch fails the change's request (UnavailableError): an administrator
//   never sees success while other nodes keep trusting old snapshots. Snapshots also have a
//   maximum age (SNAPSHOT_MAX_AGE_MS), which bounds what Gatehouse is not told about: group
//   membership kept in an external directory (LDAP), a change whose epoch write failed, a change
//   made straight in the database.
import { randomBytes } from 'node:crypto';
import { BoundedCache } from '../cache/bounded-cache.ts';
import { systemClock, type Clock } from '../model/clock.ts';
import type { EphemeralStore } from '../store/ephemeral/ephemeral-store.ts';

export const AUTHORIZATION_EPOCH_KEY = 'authz-epoch';
/** After this long without a change the key lapses and is re-created: every snapshot is rebuilt once. */
const EPOCH_TTL_SECONDS = 7 * 24 * 3600;
/** The longest a snapshot is trusted, epoch unchanged (see above for what this bounds). */
export const SNAPSHOT_MAX_AGE_MS = 30_000;
/** Snapshots kept per process (least recently used go first). */
export const SNAPSHOT_MAX_ENTRIES = 10_000;

const newEpoch = () => randomBytes(12).toString('base64url');

export class AuthorizationEpoch {
  readonly key = AUTHORIZATION_EPOCH_KEY;

  constructor(private readonly store: EphemeralStore) {}

  /** The epoch now; creates one when there is none. */
  async current(): Promise<string> {
    return this.settle(await this.store.get(this.key));
  }

  /** The epoch from a value read alongside other keys (EphemeralStore.getMany); creates one when it was missing. */
  async settle(read: string | null): Promise<string> {
    if (read !== null) return read;
    const fresh = newEpoch();
    if (await this.store.setIfAbsent(this.key, fresh, EPOCH_TTL_SECONDS)) return fresh;
    // Another node created it a moment ago. Should it be gone again already, a value that is
    // stored nowhere makes this call build afresh and keeps nothing it builds from being reused.
    return (await this.store.get(this.key)) ?? newEpoch();
  }

  /** After a change to who reaches what: every snapshot on every node is stale from now on. */
  async bump(): Promise<void> {
    await this.store.set(this.key, newEpoch(), EPOCH_TTL_SECONDS);
  }
}

interface Held<T> {
  epoch: string;
  /** When the epoch it carries was read (Clock.now()). */
  at: number;
  value: T;
}

/**
 * Per-process snapshots keyed by user, each tagged with the epoch read before it was built.
 * Bounded (least recently used go first) and aged out after SNAPSHOT_MAX_AGE_MS. Concurrent
 * builds of one key for one epoch share one build.
 */
export class EpochSnapshots<T> {
  readonly #held: BoundedCache<string, Held<T>>;
  readonly #building = new Map<string, Promise<T>>();

  constructor(private readonly options: { maxEntries?: number; maxAgeMs?: number; clock?: Clock } = {}) {
    this.#held = new BoundedCache(options.maxEntries ?? SNAPSHOT_MAX_ENTRIES);
  }

  get #maxAgeMs(): number {
    return this.options.maxAgeMs ?? SNAPSHOT_MAX_AGE_MS;
  }

  /** Whatever is held, current or not: only for guessing which keys to read ahead. */
  peek(key: string): T | undefined {
    return this.#held.peek(key)?.value;
  }

  /** The snapshot for `key` if it was built under `epoch` and is young enough; else `build()` it under `epoch`. */
  async get(key: string, epoch: string, build: () => Promise<T>, now = (this.options.clock ?? systemClock).now()): Promise<T> {
    const held = this.#held.get(key);
    if (held !== undefined) {
      if (held.epoch === epoch && now - held.at < this.#maxAgeMs) {
        return held.value;
      }
      this.#held.delete(key);
    }
    const flightKey = `${key}\n${epoch}`;
    let flight = this.#building.get(flightKey);
    if (flight === undefined) {
      flight = build()
        .then((value) => {
          this.#hold(key, { epoch, at: now, value });
          return value;
        })
        .finally(() => this.#building.delete(flightKey));
      this.#building.set(flightKey, flight);
    }
    return flight;
  }

  /** Forgets one key (e.g. the user could not be read: nothing is kept for them). */
  forget(key: string): void {
    this.#held.delete(key);
  }

  /** Forgets every snapshot held. */
  clear(): void {
    this.#held.clear();
  }

  get size(): number {
    return this.#held.size;
  }

  #hold(key: string, held: Held<T>): void {
    const existing = this.#held.peek(key);
    // A slower build under an older reading never replaces a newer one.
    if (existing !== undefined && existing.at > held.at) return;
    this.#held.set(key, held);
  }
}
