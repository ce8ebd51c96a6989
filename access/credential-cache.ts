// The role-credential cache (docs/aws-cli.md): STS credentials kept in the ephemeral store (Redis
// in HA mode) so repeated GetRoleCredentials calls do not each cost an STS round trip.
//
// - One entry per (user, account, permission set): never shared between users. The entry is
//   sealed (crypto/secret-box.ts: AES-256-GCM) under a key derived from the server secret, with the
//   entry's own store key as associated data, so a dump of the store yields no credentials and a
//   value copied under another user's key does not open (it is treated as a miss).
// - Kept until 5 minutes before the credentials expire, so nobody is handed credentials about to
//   lapse (JS SDK and botocore refresh shortly before expiry).
// - Purged when the user signs out of the CLI (SSO Logout), is disabled or deleted, when an
//   attribute a session tag can carry changes, and when an assignment of the (account, permission
//   set) goes away: then every user's entry for that pair goes, as a group assignment may have been
//   the reason any of them had it. Everything goes when the attribute → session tag mapping
//   changes (access/events/access-reactions.ts).
//
// The cache is never the authority: callers check the token, the user and the entitlement at the
// moment of every call before they ask it (docs/security.md: "Only what is assigned, at that moment"). A purge racing a concurrent fill
// can leave an entry behind; such an entry can only be read by its own user, after the entitlement
// check has passed again.
import { BoundedCache } from '../cache/bounded-cache.ts';
import { open, seal } from '../crypto/secret-box.ts';
import type { StsCredentials } from '../idp/sts/sts-response.ts';
import { systemClock, type Clock } from '../model/clock.ts';
import type { EphemeralStore } from '../store/ephemeral/ephemeral-store.ts';

/** What STS AssumeRoleWithSAML hands out, as cached and handed on. */
export type RoleCredentials = StsCredentials;

/** Entries go this long before the credentials expire. */
export const CACHE_MARGIN_SECONDS = 300;
/** The longest credentials live (STS DurationSeconds maximum); the index sets outlive every entry. */
const MAX_ENTRY_SECONDS = 43200;

const entryKey = (userId: string, accountId: string, permissionSetId: string) => `role-creds:${userId}:${accountId}:${permissionSetId}`;
const userIndexKey = (userId: string) => `role-creds-by-user:${userId}`;
const pairIndexKey = (accountId: string, permissionSetId: string) => `role-creds-by-pair:${accountId}:${permissionSetId}`;
const ALL_INDEX_KEY = 'role-creds-all';
const PURGE_SLICE = 500;

/** Entries this process keeps opened (least recently used go first). */
const OPENED_ENTRIES = 5000;

export class CredentialCache {
  /**
   * Entries this process has already decrypted, by key, with the exact stored value they came
   * from: a value read again unchanged is not decrypted again (AES-GCM setup was the largest cost
   * of a cached GetRoleCredentials). Only ever consulted with a value just read from the store
   * under the same key, so a purge or a new entry takes effect as before.
   */
  readonly #opened = new BoundedCache<string, { raw: string; credentials: RoleCredentials }>(OPENED_ENTRIES);

  constructor(
    private readonly store: EphemeralStore,
    /** 32 bytes (ServerSecret.deriveKey('role-credential-cache')). */
    private readonly key: Buffer,
    private readonly clock: Clock = systemClock,
  ) {
    if (key.length !== 32) throw new Error('the credential cache key must be 32 bytes');
  }

  /** The cached credentials, or null when absent, unreadable, or within the margin of expiry. */
  async get(userId: string, accountId: string, permissionSetId: string, now = this.clock.now()): Promise<RoleCredentials | null> {
    const key = entryKey(userId, accountId, permissionSetId);
    return this.read(key, await this.store.get(key), now);
  }

  /** The store key of one entry, for callers that read it together with other keys (EphemeralStore.getMany). */
  keyOf(userId: string, accountId: string, permissionSetId: string): string {
    return entryKey(userId, accountId, permissionSetId);
  }

  /** What `get` would return, from a value already read under `key` (only that entry's key opens it). */
  read(key: string, raw: string | null, now = this.clock.now()): RoleCredentials | null {
    if (raw === null) return null;
    const credentials = this.#openOnce(key, raw);
    if (!credentials || credentials.expiration.getTime() - now <= CACHE_MARGIN_SECONDS * 1000) return null;
    return { ...credentials, expiration: new Date(credentials.expiration) };
  }

  #openOnce(key: string, raw: string): RoleCredentials | null {
    const opened = this.#opened.get(key);
    if (opened !== undefined && opened.raw === raw) return opened.credentials;
    const credentials = this.open(raw, key);
    if (credentials === null) {
      this.#opened.delete(key);
      return null;
    }
    this.#opened.set(key, { raw, credentials });
    return credentials;
  }

  /** Stores credentials until 5 minutes before they expire; credentials closer to expiry are not kept. */
  async put(userId: string, accountId: string, permissionSetId: string, credentials: RoleCredentials, now = this.clock.now()): Promise<void> {
    const ttl = Math.floor((credentials.expiration.getTime() - now) / 1000) - CACHE_MARGIN_SECONDS;
    if (ttl < 1) return;
    const key = entryKey(userId, accountId, permissionSetId);
    // Indexes first: an entry is never in the store without a way for a purge to find it.
    await this.store.addToSet(userIndexKey(userId), key, MAX_ENTRY_SECONDS);
    await this.store.addToSet(pairIndexKey(accountId, permissionSetId), key, MAX_ENTRY_SECONDS);
    await this.store.addToSet(ALL_INDEX_KEY, key, MAX_ENTRY_SECONDS);
    await this.store.set(key, this.seal(credentials, key), Math.min(ttl, MAX_ENTRY_SECONDS));
  }

  /** Every entry of one user (SSO Logout, user disabled or deleted). Returns how many keys went. */
  async purgeUser(userId: string): Promise<number> {
    return this.purgeIndex(userIndexKey(userId));
  }

  /** Every user's entry for one (account, permission set): an assignment of it went away. */
  async purgePair(accountId: string, permissionSetId: string): Promise<number> {
    return this.purgeIndex(pairIndexKey(accountId, permissionSetId));
  }

  /** Every entry (the attribute → session tag mapping changed: every entry may carry other tags). */
  async purgeAll(): Promise<number> {
    return this.purgeIndex(ALL_INDEX_KEY);
  }

  private async purgeIndex(indexKey: string): Promise<number> {
    const keys = await this.store.setMembers(indexKey);
    // In slices: the all-entries index can hold more keys than one call should carry.
    for (let i = 0; i < keys.length; i += PURGE_SLICE) await this.store.delete(...keys.slice(i, i + PURGE_SLICE));
    await this.store.delete(indexKey);
    for (const key of keys) this.#opened.delete(key);
    return keys.length;
  }

  private seal(c: RoleCredentials, entryKey: string): string {
    return seal(this.key, JSON.stringify({ a: c.accessKeyId, s: c.secretAccessKey, t: c.sessionToken, e: c.expiration.getTime() }), entryKey);
  }

  /** Null for anything that does not open under this key and this entry's name. */
  private open(raw: string, entryKey: string): RoleCredentials | null {
    const plain = open(this.key, raw, entryKey);
    if (plain === null) return null;
    try {
      const v = JSON.parse(plain) as { a: string; s: string; t: string; e: number };
      return { accessKeyId: v.a, secretAccessKey: v.s, sessionToken: v.t, expiration: new Date(v.e) };
    } catch {
      return null;
    }
  }
}
