// Revoking OIDC grants when access changes (docs/oidc-applications.md "Lifecycle"): a grant's
// tokens (access, refresh, codes) are deleted from the ephemeral store, which every node reads,
// so a revocation on one node counts on all of them at their next request.
import type { AccessEventBus } from '../events/bus.ts';
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';
import { hashSessionId } from '../portal-sessions.ts';
import { forgetGrant, grantIds, grantOwner, grantsOfClientKey, grantsOfUserKey, INDEX_TTL_SECONDS, revokeGrantRecords } from './ephemeral-adapter.ts';
import type { OidcAccess } from './oidc-access.ts';

const grantsOfPortalSessionKey = (sessionHash: string) => `oidc:grants-of-portal-session:${sessionHash}`;
const providerSessionsOfPortalSessionKey = (sessionHash: string) => `oidc:provider-sessions-of-portal-session:${sessionHash}`;
const providerSessionsOfUserKey = (userId: string) => `oidc:provider-sessions-of-user:${userId}`;

export class OidcGrants {
  constructor(private readonly deps: { store: EphemeralStore; access: Pick<OidcAccess, 'person' | 'reaches'> }) {}

  /**
   * Remembers that a grant was made under a portal session (its cookie value), and in which
   * provider session (its uid), to end both with that session.
   */
  async bindToPortalSession(sessionId: string, grantId: string, providerSessionUid?: string, userId?: string): Promise<void> {
    const hash = hashSessionId(sessionId);
    await this.deps.store.addToSet(grantsOfPortalSessionKey(hash), grantId, INDEX_TTL_SECONDS);
    if (providerSessionUid) await this.deps.store.addToSet(providerSessionsOfPortalSessionKey(hash), providerSessionUid, INDEX_TTL_SECONDS);
    if (providerSessionUid && userId) await this.deps.store.addToSet(providerSessionsOfUserKey(userId), providerSessionUid, INDEX_TTL_SECONDS);
  }

  /**
   * The uids of the provider sessions opened under a portal session, forgotten as they are read:
   * the portal session is signing out, and each is ended once (OpenID Connect Back-Channel Logout
   * 1.0 §2.3: the OP remembers the RPs a session signed in to).
   */
  async takeProviderSessions(sessionId: string): Promise<string[]> {
    const key = providerSessionsOfPortalSessionKey(hashSessionId(sessionId));
    const uids = await this.deps.store.setMembers(key);
    await this.deps.store.delete(key);
    return uids;
  }

  /** The uids of every provider session a user opened, forgotten as they are read (the user was disabled or deleted). */
  async takeProviderSessionsOfUser(userId: string): Promise<string[]> {
    const key = providerSessionsOfUserKey(userId);
    const uids = await this.deps.store.setMembers(key);
    await this.deps.store.delete(key);
    return uids;
  }

  /** The portal session signed out: the grants made under it go (OpenID Connect RP-Initiated Logout 1.0 §2, the OP side). */
  async revokeForPortalSession(sessionId: string): Promise<number> {
    const key = grantsOfPortalSessionKey(hashSessionId(sessionId));
    const ids = await this.deps.store.setMembers(key);
    for (const id of ids) await revokeGrantRecords(this.deps.store, id);
    await this.deps.store.delete(key);
    return ids.length;
  }

  /** Every grant of a user (disabled, deleted). */
  async revokeForUser(userId: string): Promise<number> {
    const ids = await grantIds(this.deps.store, grantsOfUserKey(userId));
    for (const id of ids) await revokeGrantRecords(this.deps.store, id);
    await this.deps.store.delete(grantsOfUserKey(userId));
    return ids.length;
  }

  /**
   * The grants of a client whose user no longer reaches it (an assignment or membership removed,
   * the app deleted): each grant's user is re-read and re-checked.
   */
  async revokeUnassigned(clientId: string): Promise<number> {
    const key = grantsOfClientKey(clientId);
    let revoked = 0;
    for (const id of await grantIds(this.deps.store, key)) {
      const owner = await grantOwner(this.deps.store, id);
      const person = owner ? await this.deps.access.person(owner.accountId) : null;
      if (owner && person && (await this.deps.access.reaches(person, clientId))) continue;
      await revokeGrantRecords(this.deps.store, id);
      await forgetGrant(this.deps.store, key, id);
      revoked++;
    }
    return revoked;
  }

  /** The clients a user holds grants for. */
  async clientsOfUser(userId: string): Promise<string[]> {
    const clients = new Set<string>();
    for (const id of await grantIds(this.deps.store, grantsOfUserKey(userId))) {
      const owner = await grantOwner(this.deps.store, id);
      if (owner) clients.add(owner.clientId);
    }
    return [...clients];
  }
}

/**
 * The reactions (docs/architecture.md "Events"): a disabled or deleted user loses every grant; an
 * application's assignment change (or its deletion) re-checks that app's grants; a membership
 * removed or a group deleted re-checks the grants of the apps concerned.
 */
export function subscribeOidcRevocation(bus: AccessEventBus, grants: OidcGrants): void {
  bus.subscribe(async (events) => {
    const clients = new Set<string>();
    for (const e of events) {
      if (e.type === 'user.disabled' || e.type === 'user.deleted') await grants.revokeForUser(e.userId);
      else if (e.type === 'application-assignment.changed') clients.add(e.applicationId);
      else if (e.type === 'membership.removed') for (const c of await grants.clientsOfUser(e.userId)) clients.add(c);
    }
    for (const c of clients) await grants.revokeUnassigned(c);
  });
}
