// oidc-provider's storage adapter over the ephemeral store (Redis with several nodes, the embedded
// store otherwise; store/ephemeral/ephemeral-store.ts), so every node sees the same sessions,
// codes, grants and tokens, and a revocation on one node counts on all of them at once.
//
// Besides each record (`oidc:<Model>:<id>`), three indexes are kept: the records of a grant (so a
// reused authorization code revokes what the first exchange issued, RFC 6749 §4.1.2), the grants
// of a user and of a client (so disabling a user or removing an assignment revokes them,
// docs/oidc-applications.md "Lifecycle"), and the lookups by user code and by uid the provider asks for.
// Clients are not stored here: they are applications, read through `clients`.
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';

/** The record shape oidc-provider hands the adapter (only the fields read here are named). */
export interface AdapterPayload {
  grantId?: string;
  userCode?: string;
  uid?: string;
  accountId?: string;
  clientId?: string;
  consumed?: number;
  [key: string]: unknown;
}

/** The longest any indexed record lives (the longest refresh token lifetime allowed, docs/oidc-applications.md). */
export const INDEX_TTL_SECONDS = 91 * 24 * 3600;
/** Records the provider saves without an expiry (none in practice) still must have one here. */
const DEFAULT_TTL_SECONDS = 14 * 24 * 3600;

const recordKey = (model: string, id: string) => `oidc:${model}:${id}`;
const grantIndex = (grantId: string) => `oidc:grant-records:${grantId}`;
const userCodeKey = (code: string) => `oidc:user-code:${code}`;
const uidKey = (uid: string) => `oidc:uid:${uid}`;
export const grantsOfUserKey = (accountId: string) => `oidc:grants-of-user:${accountId}`;
export const grantsOfClientKey = (clientId: string) => `oidc:grants-of-client:${clientId}`;

export interface AdapterDeps {
  store: EphemeralStore;
  /** The client metadata of an OIDC application, or undefined. */
  clients: (clientId: string) => Promise<Record<string, unknown> | undefined>;
  /** Seconds since the epoch, as oidc-provider counts `consumed`. */
  nowSeconds: () => number;
}

/** The adapter class oidc-provider instantiates once per model name. */
export function ephemeralAdapter(deps: AdapterDeps) {
  const { store } = deps;
  return class EphemeralAdapter {
    constructor(readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const ttl = expiresIn && expiresIn > 0 ? Math.ceil(expiresIn) : DEFAULT_TTL_SECONDS;
      const key = recordKey(this.model, id);
      await store.set(key, JSON.stringify(payload), ttl);
      if (payload.grantId) await store.addToSet(grantIndex(payload.grantId), key, INDEX_TTL_SECONDS);
      if (payload.userCode) await store.set(userCodeKey(payload.userCode), id, ttl);
      if (payload.uid) await store.set(uidKey(payload.uid), id, ttl);
      if (this.model === 'Grant' && payload.accountId && payload.clientId) {
        await store.addToSet(grantsOfUserKey(payload.accountId), id, INDEX_TTL_SECONDS);
        await store.addToSet(grantsOfClientKey(payload.clientId), id, INDEX_TTL_SECONDS);
      }
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return (await deps.clients(id)) as AdapterPayload | undefined;
      const raw = await store.get(recordKey(this.model, id));
      return raw ? (JSON.parse(raw) as AdapterPayload) : undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const id = await store.get(userCodeKey(userCode));
      return id ? this.find(id) : undefined;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const id = await store.get(uidKey(uid));
      return id ? this.find(id) : undefined;
    }

    async consume(id: string): Promise<void> {
      const key = recordKey(this.model, id);
      const raw = await store.get(key);
      if (!raw) return;
      const ttl = (await store.ttl(key)) ?? 1;
      await store.set(key, JSON.stringify({ ...(JSON.parse(raw) as AdapterPayload), consumed: deps.nowSeconds() }), Math.max(1, ttl));
    }

    async destroy(id: string): Promise<void> {
      await store.delete(recordKey(this.model, id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await revokeGrantRecords(store, grantId);
    }
  };
}

/** Deletes every record issued under a grant (codes, tokens) and the grant itself. */
export async function revokeGrantRecords(store: EphemeralStore, grantId: string): Promise<void> {
  const keys = await store.setMembers(grantIndex(grantId));
  // One key per command: in a Redis Cluster the keys of a grant live in different slots.
  await Promise.all([...keys, grantIndex(grantId), recordKey('Grant', grantId)].map((k) => store.delete(k)));
}

/** The grant ids recorded for a user or a client. */
export async function grantIds(store: EphemeralStore, indexKey: string): Promise<string[]> {
  return store.setMembers(indexKey);
}

/** A grant's client and user, or null once it is gone. */
export async function grantOwner(store: EphemeralStore, grantId: string): Promise<{ accountId: string; clientId: string } | null> {
  const raw = await store.get(recordKey('Grant', grantId));
  if (!raw) return null;
  const p = JSON.parse(raw) as AdapterPayload;
  return p.accountId && p.clientId ? { accountId: p.accountId, clientId: p.clientId } : null;
}

export async function forgetGrant(store: EphemeralStore, indexKey: string, grantId: string): Promise<void> {
  await store.removeFromSet(indexKey, grantId);
}
