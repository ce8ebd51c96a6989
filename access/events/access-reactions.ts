// What Gatehouse itself does when access changes (docs/architecture.md, "Events"): the one place
// that subscribes the built-in reactions to the access-change events. A new feature that must react
// (provisioning, OIDC grants, MFA) subscribes to the same bus next to these, in its own function.
//
// Order matters only for failures: the epoch goes first, as the one effect every node depends on.
// Every subscriber runs even when an earlier one failed; the first failure fails the change's
// request (access/events/bus.ts).
//
// Effects on other nodes travel through shared state only: the epoch, the credential cache and
// portal sessions are in the ephemeral store (Redis with several nodes), so what is done here is
// seen everywhere. The snapshots are this process's memory: forgetting them frees this node at
// once, and other nodes drop theirs because the epoch changed.
import type { AccessEvent, AccessEventType } from '../../model/access-events.ts';
import type { AuthorizationEpoch } from '../authorization-epoch.ts';
import type { CredentialCache } from '../credential-cache.ts';
import type { PortalPreferences } from '../portal-preferences.ts';
import type { PortalSessionService } from '../portal-sessions.ts';
import type { RoleCredentialService } from '../role-credentials.ts';
import type { AccessEventBus } from './bus.ts';

/**
 * Whether an event changes what an access snapshot holds (the user, their groups, the accounts and
 * permission sets they reach), and so must replace the authorization epoch. A Record: a new event
 * type does not compile until someone decides.
 */
const CHANGES_SNAPSHOTS: Record<AccessEventType, boolean> = {
  'user.disabled': true,
  'user.deleted': true,
  // The snapshot holds the user record: kept as current as the rest of it.
  'user.attributes-changed': true,
  'membership.added': true,
  'membership.removed': true,
  'group.deleted': true,
  'assignment.created': true,
  'assignment.removed': true,
  'account.updated': true,
  'account.deleted': true,
  'permission-set.edited': true,
  'permission-set.deleted': true,
  // Applications and the tag mapping are read when an assertion is made, never from a snapshot.
  'application-assignment.changed': false,
  'instance.abac-changed': false,
  'identity-source.changed': true,
};

export interface AccessReactionTargets {
  epoch: Pick<AuthorizationEpoch, 'bump'>;
  portalSessions: Pick<PortalSessionService, 'destroyAllForUser'>;
  credentialCache: Pick<CredentialCache, 'purgeUser' | 'purgePair' | 'purgeAll'>;
  snapshots: Pick<RoleCredentialService, 'forgetSnapshots'>;
  preferences: Pick<PortalPreferences, 'forget'>;
}

export function subscribeAccessReactions(bus: AccessEventBus, t: AccessReactionTargets): void {
  // Every node: snapshots built before this are no longer trusted (access/authorization-epoch.ts).
  bus.subscribe(async (events) => {
    if (events.some((e) => CHANGES_SNAPSHOTS[e.type])) await t.epoch.bump();
  });

  // A disabled or deleted user's portal sessions end at once (docs/security.md: "Tokens and sessions").
  bus.subscribe(async (events) => {
    for (const userId of usersWhere(events, ['user.disabled', 'user.deleted'])) await t.portalSessions.destroyAllForUser(userId);
  });

  // A deleted user's favourites and recent accounts go with them (access/portal-preferences.ts).
  bus.subscribe(async (events) => {
    for (const userId of usersWhere(events, ['user.deleted'])) await t.preferences.forget(userId);
  });

  // Cached role credentials (docs/aws-cli.md) go with the user's disablement or deletion; with a
  // change of an attribute a session tag may carry, or of the mapping itself, so that the next
  // credentials are issued with the tags as they are now (credentials already handed out keep
  // theirs until they expire: STS cannot take them back); and with any assignment of their
  // (account, permission set), as a group's assignment may have been why anyone had it.
  bus.subscribe(async (events) => {
    if (events.some((e) => e.type === 'instance.abac-changed')) {
      await t.credentialCache.purgeAll();
      return;
    }
    for (const userId of usersWhere(events, ['user.disabled', 'user.deleted', 'user.attributes-changed'])) await t.credentialCache.purgeUser(userId);
    const pairs = new Map<string, { accountId: string; permissionSetId: string }>();
    for (const e of events) {
      if (e.type === 'assignment.removed') pairs.set(`${e.assignment.accountId}\n${e.assignment.permissionSetId}`, e.assignment);
    }
    for (const { accountId, permissionSetId } of pairs.values()) await t.credentialCache.purgePair(accountId, permissionSetId);
  });

  // This node's snapshots: a user's own change forgets theirs; anything wider forgets them all.
  bus.subscribe((events) => {
    const relevant = events.filter((e) => CHANGES_SNAPSHOTS[e.type]);
    if (relevant.length === 0) return;
    const users = relevant.map(userOf);
    t.snapshots.forgetSnapshots(users.every((u): u is string => u !== null) ? users : 'all');
  });
}

/** The distinct users the events of these types are about. */
function usersWhere(events: readonly AccessEvent[], types: readonly AccessEventType[]): string[] {
  return [...new Set(events.filter((e) => types.includes(e.type)).map(userOf))].filter((u): u is string => u !== null);
}

/** The one user an event is about, or null when it may concern several. */
function userOf(e: AccessEvent): string | null {
  switch (e.type) {
    case 'user.disabled':
    case 'user.deleted':
    case 'user.attributes-changed':
    case 'membership.added':
    case 'membership.removed':
      return e.userId;
    case 'assignment.created':
    case 'assignment.removed':
      return e.assignment.principalType === 'USER' ? e.assignment.principalId : null;
    default:
      return null;
  }
}
