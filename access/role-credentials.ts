// GetRoleCredentials (SSO portal API, docs/aws-cli.md) and the portal's "Access keys"
// dialog (§7): short-term credentials for one (account, permission set) of the person asking.
//
// At every call, whatever the cache holds (docs/security.md: "Only what is assigned, at that moment"):
//   0. a bearer token must be live, and so must the portal session it was approved in (checked
//      here for the portal API; the portal's dialog checks its own session);
//   1. the user must exist in their identity source and be enabled;
//   2. the pair must be among the user's entitlements, directly or through a group;
//   3. only then is a cached entry used (credential-cache.ts), and on a miss a SAML assertion for
//      exactly that one role is signed (AwsFederationService, which re-reads 1 and 2 from the
//      stores) and exchanged at STS AssumeRoleWithSAML for credentials lasting the permission
//      set's session duration.
//
// The cached path is the hot one (every SDK credential refresh, every `aws` command with an SSO
// profile whose CLI cache expired), so step 1 and 2 are answered from a per-process snapshot of
// the user's access (the user, their groups, what they reach) that is only trusted while the
// authorization epoch is the one it was built under (access/authorization-epoch.ts): every
// change to users, groups, assignments, accounts, permission sets or the identity source
// replaces the epoch, so the next call on any node rebuilds from the stores. Snapshots are never
// older than SNAPSHOT_MAX_AGE_MS (30 s), which bounds what Gatehouse is not told about (group
// membership in an external directory, a user disabled there). With a bearer token the token,
// its portal session, the epoch and the cache entry the last snapshot points to are read in one
// round trip; the entry is handed out only once the current snapshot confirms exactly that
// permission set on that account.
//
// A refusal (a role the user is not assigned now) is a security decision and leaves a trace: an
// audit entry `credentials.refuse` with the reason, and a RoleRefusedError carrying the same
// facts for the surface's log. Both happen on the refusal path only; the granting path does no
// extra work.
import { BoundedCache } from '../cache/bounded-cache.ts';
import type { IdentitySource } from '../directory/identity-source.ts';
import type { RoleCredentialBroker } from '../idp/sts/sts-client.ts';
import { MAX_DURATION_SECONDS, MIN_DURATION_SECONDS } from '../idp/sts/sts-client.ts';
import type { Clock } from '../model/clock.ts';
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../model/errors.ts';
import { ACCOUNT_ID, PERMISSION_SET_NAME } from '../model/ids.ts';
import type { Account, Group, PermissionSet, User } from '../model/types.ts';
import type { AuditStore } from '../store/stores.ts';
import { EpochSnapshots, type AuthorizationEpoch } from './authorization-epoch.ts';
import { ALL_ROLES, type AwsFederationService } from './aws-federation.ts';
import type { CredentialCache, RoleCredentials } from './credential-cache.ts';
import type { AccountAccess, EntitlementService } from './entitlements.ts';
import { parseIsoDurationSeconds } from './iso-duration.ts';
import { federatedRoleFor } from './role-name.ts';
import type { SsoAccessToken, SsoAccessTokenService } from './sso-access-tokens.ts';
import { activeUser } from './sessions/signed-in-person.ts';

/** Who is asking: the user a token or portal session belongs to, and that session's SAML facts. */
export interface CredentialRequester {
  userId: string;
  source: User['source'];
  /** 'sso-api' (GetRoleCredentials with a bearer token) or 'portal' (the Access keys dialog). */
  via: 'sso-api' | 'portal';
  /** The portal session's AuthnInstant and SessionIndex for the assertion; null when the session is gone. Only read on a cache miss. */
  session(): Promise<{ authnInstant: string; sessionIndex: string } | null>;
  /** The id of the request asking (the log's reqId), kept in the audit entry of a refusal. */
  requestId?: string;
}

export interface IssuedRoleCredentials {
  credentials: RoleCredentials;
  accountId: string;
  permissionSet: PermissionSet;
  /** True when served from the cache (no STS call). */
  cached: boolean;
}

/** The message AWS gives for a role the caller cannot use (ForbiddenException "No access"). */
export const NO_ACCESS = 'No access';
/** The message AWS gives for a dead token (UnauthorizedException). */
export const SESSION_INVALID = 'Session token not found or invalid';

/**
 * A role the caller is not assigned at the moment of the call. On the wire it is ForbiddenException
 * "No access", as AWS answers; the fields are for the log line an operator reads.
 */
export class RoleRefusedError extends ForbiddenError {
  constructor(
    readonly userId: string,
    readonly accountId: string,
    readonly roleName: string,
    /** Why, in words: which assignment is missing. */
    readonly reason: string,
  ) {
    super(NO_ACCESS);
    this.name = 'RoleRefusedError';
  }
}

/** What one user reaches, as read under one authorization epoch. */
interface AccessSnapshot {
  user: User;
  groups: Group[];
  access: AccountAccess[];
  /** `accountId \n permission set name` → the set (names are matched exactly). */
  roles: Map<string, PermissionSet>;
}

const roleKey = (accountId: string, roleName: string) => `${accountId}\n${roleName}`;
/** Distinct accounts and permission sets shared between snapshots (bounded; the least recently used go first). */
const SHARED_RECORDS = 5000;
const snapshotKey = (source: User['source'], userId: string) => `${source}:${userId}`;
const USER_SOURCES: readonly User['source'][] = ['builtin', 'ldap'];

export class RoleCredentialService {
  /** In-process single flight: concurrent misses for the same entry share one STS call. */
  readonly #inflight = new Map<string, Promise<RoleCredentials>>();
  readonly #snapshots: EpochSnapshots<AccessSnapshot>;
  /**
   * One frozen copy of each account and permission set version for all snapshots, so memory grows
   * with users times pairs, not with users times policy documents (an inline policy can be 32 KB).
   */
  readonly #shared = new BoundedCache<string, Account | PermissionSet>(SHARED_RECORDS);

  constructor(
    private readonly deps: {
      identitySourceFor: (source: User['source']) => IdentitySource;
      entitlements: EntitlementService;
      federation: AwsFederationService;
      broker: RoleCredentialBroker;
      cache: CredentialCache;
      audit: AuditStore;
      epoch: AuthorizationEpoch;
      /** Bearer tokens of the SSO portal API (for the one-round-trip checks). */
      tokens: SsoAccessTokenService;
      /** A token's portal session (AuthnInstant, SessionIndex), read on a cache miss only. */
      portalSession: (portalSessionHash: string) => Promise<{ authnInstant: string; sessionIndex: string } | null>;
      /** Snapshot bounds; defaults in authorization-epoch.ts. */
      snapshots?: { maxEntries?: number; maxAgeMs?: number };
      /** Decides when a snapshot is too old to use. */
      clock?: Clock;
    },
  ) {
    this.#snapshots = new EpochSnapshots({ ...deps.snapshots, clock: deps.clock });
  }

  /**
   * Drops this process's snapshots of these users, or all of them, after a change to what they
   * reach (access/events/access-reactions.ts). Only this node: other nodes learn of the change
   * through the authorization epoch, which alone is what makes a stale snapshot unusable.
   */
  forgetSnapshots(userIds: readonly string[] | 'all'): void {
    if (userIds === 'all') return this.#snapshots.clear();
    for (const userId of userIds) for (const source of USER_SOURCES) this.#snapshots.forget(snapshotKey(source, userId));
  }

  /** Every account and permission set the requester reaches at this moment (the portal's own pages). */
  async access(requester: Pick<CredentialRequester, 'userId' | 'source'>): Promise<AccountAccess[]> {
    return (await this.#snapshot(requester, await this.deps.epoch.current())).access;
  }

  /** ListAccounts, ListAccountRoles: the token's user's access now; UnauthenticatedError for a dead token. */
  async accessForToken(accessToken: string | undefined): Promise<{ token: SsoAccessToken; access: AccountAccess[] }> {
    const live = await this.deps.tokens.resolveWith(accessToken, () => [this.deps.epoch.key]);
    if (!live) throw new UnauthenticatedError(SESSION_INVALID);
    const epoch = await this.deps.epoch.settle(live.extras[0] ?? null);
    return { token: live.token, access: (await this.#snapshot(live.token, epoch)).access };
  }

  /** The portal's Access keys dialog (its session already checked by the caller). */
  async credentials(requester: CredentialRequester, accountId: string, roleName: string): Promise<IssuedRoleCredentials> {
    checkRoleParameters(accountId, roleName);
    const snapshot = await this.#snapshot(requester, await this.deps.epoch.current());
    const permissionSet = snapshot.roles.get(roleKey(accountId, roleName)) ?? (await this.#refuseMissing(snapshot, accountId, roleName, requester.via, requester.requestId));
    const cached = await this.deps.cache.get(snapshot.user.id, accountId, permissionSet.id);
    if (cached) return { credentials: cached, accountId, permissionSet, cached: true };
    return this.#issue(requester, snapshot.user, accountId, permissionSet);
  }

  /**
   * GetRoleCredentials with a bearer token: UnauthenticatedError for a dead token (checked before
   * the parameters, as AWS does), ValidationError, RoleRefusedError, or the credentials.
   * `requestId` names the call in the audit entry of a refusal.
   */
  async credentialsForToken(accessToken: string | undefined, accountId: string, roleName: string, requestId?: string): Promise<IssuedRoleCredentials> {
    let guessedKey: string | null = null;
    const live = await this.deps.tokens.resolveWith(accessToken, (token) => {
      // The entry the last snapshot (current or not) points to: read ahead, trusted only below.
      const guess = this.#snapshots.peek(snapshotKey(token.source, token.userId))?.roles.get(roleKey(accountId, roleName));
      guessedKey = guess ? this.deps.cache.keyOf(token.userId, accountId, guess.id) : null;
      return guessedKey === null ? [this.deps.epoch.key] : [this.deps.epoch.key, guessedKey];
    });
    if (!live) throw new UnauthenticatedError(SESSION_INVALID);
    checkRoleParameters(accountId, roleName);
    const { token } = live;
    const snapshot = await this.#snapshot(token, await this.deps.epoch.settle(live.extras[0] ?? null));
    const permissionSet = snapshot.roles.get(roleKey(accountId, roleName)) ?? (await this.#refuseMissing(snapshot, accountId, roleName, 'sso-api', requestId));
    const key = this.deps.cache.keyOf(token.userId, accountId, permissionSet.id);
    const cached = key === guessedKey ? this.deps.cache.read(key, live.extras[1] ?? null) : await this.deps.cache.get(token.userId, accountId, permissionSet.id);
    if (cached) return { credentials: cached, accountId, permissionSet, cached: true };
    const requester: CredentialRequester = {
      userId: token.userId,
      source: token.source,
      via: 'sso-api',
      session: () => this.deps.portalSession(token.portalSessionHash),
      requestId,
    };
    return this.#issue(requester, snapshot.user, accountId, permissionSet);
  }

  /** The trace of a refusal (audit entry now, log line by the surface), then the refusal itself. */
  async #refuse(userId: string, accountId: string, roleName: string, via: CredentialRequester['via'], requestId: string | undefined, reason: string): Promise<never> {
    // Both are already validated (a 12-digit id, a permission set name): safe to log and keep.
    await this.deps.audit.append({
      actor: userId,
      action: 'credentials.refuse',
      target: `account/${accountId}`,
      detail: { permissionSet: roleName, via, reason, ...(requestId !== undefined ? { requestId } : {}) },
    });
    throw new RoleRefusedError(userId, accountId, roleName, reason);
  }

  /** A role missing from the snapshot: refused, saying which assignment is missing. */
  #refuseMissing(snapshot: AccessSnapshot, accountId: string, roleName: string, via: CredentialRequester['via'], requestId: string | undefined): Promise<never> {
    const reason = snapshot.access.some((a) => a.account.accountId === accountId)
      ? `no assignment gives the user permission set "${roleName}" on this account`
      : 'the user is assigned no permission set on this account';
    return this.#refuse(snapshot.user.id, accountId, roleName, via, requestId, reason);
  }

  /** The requester's snapshot under `epoch` (read before anything else): rebuilt from the stores when stale. */
  async #snapshot(requester: Pick<CredentialRequester, 'userId' | 'source'>, epoch: string): Promise<AccessSnapshot> {
    const key = snapshotKey(requester.source, requester.userId);
    try {
      return await this.#snapshots.get(key, epoch, () => this.#build(requester));
    } catch (e) {
      this.#snapshots.forget(key);
      throw e;
    }
  }

  async #build(requester: Pick<CredentialRequester, 'userId' | 'source'>): Promise<AccessSnapshot> {
    // 1. The user as their identity source has them now, enabled.
    const source = this.deps.identitySourceFor(requester.source);
    const user = await activeUser(source, requester.userId);
    if (!user) throw new UnauthenticatedError(SESSION_INVALID);
    // 2. What they reach through their own and their groups' assignments.
    const groups = await source.groupsOf(user);
    const access = (await this.deps.entitlements.forUser(user, groups)).map((a) => ({
      // An account has no version: its content is its identity (small).
      account: this.#share(`account:${JSON.stringify(a.account)}`, a.account),
      permissionSets: a.permissionSets.map((set) => this.#share(`set:${set.id}:${set.version}`, set)),
    }));
    const roles = new Map<string, PermissionSet>();
    for (const a of access) for (const set of a.permissionSets) roles.set(roleKey(a.account.accountId, set.name), set);
    // Handed to every later call of this user: frozen, so a caller cannot change what others see.
    return { ...deepFreeze({ user, groups, access }), roles };
  }

  #share<T extends Account | PermissionSet>(key: string, record: T): T {
    const shared = this.#shared.get(key);
    if (shared !== undefined) return shared as T;
    this.#shared.set(key, deepFreeze(record));
    return record;
  }

  /** 3. A miss: one STS call per entry at a time in this process. */
  #issue(requester: CredentialRequester, user: User, accountId: string, permissionSet: PermissionSet): Promise<IssuedRoleCredentials> {
    const flightKey = `${user.id}:${accountId}:${permissionSet.id}`;
    let flight = this.#inflight.get(flightKey);
    if (!flight) {
      const source = this.deps.identitySourceFor(requester.source);
      flight = this.#assume(requester, source, user, accountId, permissionSet).finally(() => this.#inflight.delete(flightKey));
      this.#inflight.set(flightKey, flight);
    }
    return flight.then((credentials) => ({ credentials, accountId, permissionSet, cached: false }));
  }

  async #assume(requester: CredentialRequester, source: IdentitySource, user: User, accountId: string, permissionSet: PermissionSet): Promise<RoleCredentials> {
    const session = await requester.session();
    if (!session) throw new UnauthenticatedError(SESSION_INVALID);
    // Signs for exactly this one role, re-checking the entitlement as it does for the console.
    const signed = await this.deps.federation.signFor(source, { userId: user.id, ...session }, accountId, permissionSet.name);
    const signedSet = signed.permissionSets.length === 1 ? signed.permissionSets[0] : undefined;
    if (signedSet?.id !== permissionSet.id) {
      // Taken away (or changed) between the check above and the signing, which re-read the stores.
      return this.#refuse(user.id, accountId, permissionSet.name, requester.via, requester.requestId, 'the assignment changed while credentials were being issued');
    }
    const { account } = signed;
    const role = federatedRoleFor(account, signedSet);

    const credentials = await this.deps.broker.assumeRoleWithSaml({
      roleArn: role.roleArn,
      principalArn: role.providerArn,
      samlAssertion: signed.samlResponse,
      durationSeconds: durationSecondsOf(signedSet),
    });
    await this.deps.cache.put(user.id, account.accountId, permissionSet.id, credentials);
    await this.deps.audit.append({
      actor: user.id,
      action: 'credentials.issue',
      target: `account/${account.accountId}`,
      detail: { permissionSet: permissionSet.name, via: requester.via, accessKeyId: credentials.accessKeyId, expiration: credentials.expiration.toISOString() },
    });
    return credentials;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function checkRoleParameters(accountId: string, roleName: string): void {
  if (!ACCOUNT_ID.test(accountId)) throw new ValidationError('account_id must be a 12-digit AWS account id', [{ field: 'account_id', message: 'must be 12 digits' }]);
  // '*' (ALL_ROLES) is not a permission set name, so it can never widen this to several roles.
  if (!PERMISSION_SET_NAME.test(roleName) || roleName === ALL_ROLES) {
    throw new ValidationError('role_name must be a permission set name', [{ field: 'role_name', message: 'must match [\\w+=,.@-]{1,32}' }]);
  }
}

/** STS DurationSeconds from the permission set's SessionDuration (PT1H → 3600), within STS's bounds. */
export function durationSecondsOf(permissionSet: Pick<PermissionSet, 'sessionDuration'>): number {
  const seconds = parseIsoDurationSeconds(permissionSet.sessionDuration) ?? 3600;
  return Math.min(MAX_DURATION_SECONDS, Math.max(MIN_DURATION_SECONDS, seconds));
}
