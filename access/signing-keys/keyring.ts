// The signing keys this node uses: the current key signs every Response, assertion and logout
// message; the current, next and previous certificates are published in our metadata (SAML
// Metadata §2.4.1 allows several KeyDescriptor use="signing"; SAML2Int IDP32 asks relying parties
// to accept each of them).
//
// The set lives in SQL, so every node sharing the database uses the same keys. A node re-reads it
// when its copy is older than `refreshMs`: signing never waits for that read (it uses the copy it
// has and starts the read in the background), metadata waits for it. A change made on this node
// is read back at once. So another node signs with a newly promoted key at most `refreshMs` (plus
// one read) after the promotion; until then it signs with the old key, which metadata still lists
// as previous (docs/operations.md "Signing key rollover").

import { signingKeyFromPem, type SigningKey } from '../../idp/keys.ts';
import type { SigningKeyRecord } from '../../model/types.ts';
import type { SigningKeyStore } from '../../store/stores.ts';
import { openPrivateKey } from './sealed-private-key.ts';

export interface ActiveSigningKey extends SigningKey {
  id: string;
}

export interface SigningKeySet {
  current: ActiveSigningKey;
  next: ActiveSigningKey | null;
  previous: ActiveSigningKey | null;
  /** Changes whenever the set does: the ids in order. */
  version: string;
}

export interface SigningKeyringOptions {
  store: SigningKeyStore;
  /** The server key that seals private keys (ServerSecret.deriveKey('signing-keys')). */
  sealKey: Buffer;
  /** How old this node's copy may get before it is read again. */
  refreshMs: number;
  /** Milliseconds now; the clock tests move. */
  now?: () => number;
  /** A background re-read that failed: the node keeps the set it has and tries again after refreshMs. */
  onRefreshError?: (err: unknown) => void;
}

export class SigningKeyring {
  private set: SigningKeySet | null = null;
  private readAt = -Infinity;
  private reading: Promise<SigningKeySet> | null = null;
  /** Parsed keys by id: a key's certificate and private key never change once stored. */
  private readonly parsed = new Map<string, ActiveSigningKey>();
  private readonly now: () => number;

  constructor(private readonly o: SigningKeyringOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Reads the set from the store: a read that starts now, or right after the one in flight. */
  reload(): Promise<SigningKeySet> {
    const before = this.reading;
    const read = (before ? before.then(noop, noop) : Promise.resolve()).then(() => this.read());
    const tracked: Promise<SigningKeySet> = read.finally(() => {
      if (this.reading === tracked) this.reading = null;
    });
    this.reading = tracked;
    return tracked;
  }

  /** The set as this node has it, starting a background re-read when it is older than refreshMs. */
  snapshot(): SigningKeySet {
    if (!this.set) throw new Error('The signing keys have not been loaded yet');
    if (this.isStale()) {
      // The failure is reported, and the copy kept: it is still a set every relying party accepts.
      this.refresh().catch((err: unknown) => this.o.onRefreshError?.(err));
    }
    return this.set;
  }

  /** The set, re-read first when this node's copy is older than refreshMs (or the copy, if the read fails). */
  async fresh(): Promise<SigningKeySet> {
    if (!this.set || this.isStale()) {
      try {
        return await this.refresh();
      } catch (err) {
        if (!this.set) throw err;
        this.o.onRefreshError?.(err);
      }
    }
    return this.set;
  }

  /** The key that signs now. */
  current(): SigningKey {
    return this.snapshot().current;
  }

  /** The read in flight, or a new one: callers while the copy is stale share one read. */
  private refresh(): Promise<SigningKeySet> {
    return this.reading ?? this.reload();
  }

  private isStale(): boolean {
    return this.now() - this.readAt >= this.o.refreshMs;
  }

  private async read(): Promise<SigningKeySet> {
    const startedAt = this.now();
    try {
      const records = (await this.o.store.list()).filter((r) => r.status !== 'retired');
      const find = (status: SigningKeyRecord['status']) => {
        const record = records.find((r) => r.status === status);
        return record ? this.active(record) : null;
      };
      const current = find('current');
      if (!current) throw new Error('There is no current signing key in the database');
      const next = find('next');
      const previous = find('previous');
      for (const id of this.parsed.keys()) if (!records.some((r) => r.id === id)) this.parsed.delete(id);
      this.set = { current, next, previous, version: [current.id, next?.id ?? '-', previous?.id ?? '-'].join(' ') };
      return this.set;
    } finally {
      // After a failure too: the next attempt waits refreshMs rather than every request retrying.
      this.readAt = startedAt;
    }
  }

  private active(record: SigningKeyRecord): ActiveSigningKey {
    const known = this.parsed.get(record.id);
    if (known) return known;
    if (record.privateKeySealed === null) throw new Error(`Signing key ${record.id} is ${record.status} but has no private key`);
    const pem = openPrivateKey(this.o.sealKey, record.id, record.privateKeySealed);
    const key = { id: record.id, ...signingKeyFromPem(pem, record.certificatePem, `signing key ${record.id}`) };
    this.parsed.set(record.id, key);
    return key;
  }
}

const noop = () => undefined;

/** The certificates to publish: current first, then the key being rolled in, then the one rolled out. */
export function publishedKeys(set: SigningKeySet): ActiveSigningKey[] {
  return [set.current, set.next, set.previous].filter((k): k is ActiveSigningKey => k !== null);
}
