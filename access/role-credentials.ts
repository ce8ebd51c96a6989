// GetRoleCredentials (SSO portal API, aws-identity-center.md §1) and the portal's "Access keys"
// dialog (§7): short-term credentials for one (account, permission set) of the person asking.
//
// At every call, whatever the cache holds (security promise 3):
//   1. the user is re-read from their identity source and must still be enabled;
//   2. the pair must be among the user's entitlements at this moment;
//   3. only then is a cached entry used (credential-cache.ts), and on a miss a SAML assertion for
//      exactly that one role is signed (AwsFederationService) and exchanged at STS
//      AssumeRoleWithSAML for credentials lasting the permission set's session duration.
// The token itself (its life, its portal session) is checked by the caller before it gets here.
//
// The cached path is the hot one (every SDK credential refresh, every `aws` command with an SSO
// profile whose CLI cache expired), so it asks no more than the check needs: the user, their
// groups, the permission set by name and the one entitlements query, with independent reads
// issued together; the cache entry is read alongside the entitlements query but only handed out
// once the entitlement is confirmed.
import type { IdentitySource } from '../directory/identity-source.ts';
import type { RoleCredentialBroker } from '../idp/sts/sts-client.ts';
import { MAX_DURATION_SECONDS, MIN_DURATION_SECONDS } from '../idp/sts/sts-client.ts';
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../model/errors.ts';
import { ACCOUNT_ID, PERMISSION_SET_NAME } from '../model/ids.ts';
import type { PermissionSet, User } from '../model/types.ts';
import type { AssignmentStore, AuditStore, PermissionSetStore } from '../store/stores.ts';
import { ALL_ROLES, type AwsFederationService } from './aws-federation.ts';
import type { CredentialCache, RoleCredentials } from './credential-cache.ts';
import type { AccountAccess, EntitlementService } from './entitlements.ts';
import { parseIsoDurationSeconds } from './iso-duration.ts';
import { roleArnFor, roleNameFor, samlProviderArn } from './role-name.ts';

/** Who is asking: the user a token or portal session belongs to, and that session's SAML facts. */
export interface CredentialRequester {
  userId: string;
  source: User['source'];
  /** 'sso-api' (GetRoleCredentials with a bearer token) or 'portal' (the Access keys dialog). */
  via: 'sso-api' | 'portal';
  /** The portal session's AuthnInstant and SessionIndex for the assertion; null when the session is gone. Only read on a cache miss. */
  session(): Promise<{ authnInstant: string; sessionIndex: string } | null>;
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

export class RoleCredentialService {
  /** In-process single flight: concurrent misses for the same entry share one STS call. */
  readonly #inflight = new Map<string, Promise<RoleCredentials>>();

  constructor(
    private readonly deps: {
      identitySourceFor: (source: User['source']) => IdentitySource;
      entitlements: EntitlementService;
      /** For the hot check: the permission set by name and the user's entitlement rows. */
      permissionSets: PermissionSetStore;
      assignments: AssignmentStore;
      federation: AwsFederationService;
      broker: RoleCredentialBroker;
      cache: CredentialCache;
      audit: AuditStore;
    },
  ) {}

  /** The user as their directory has them now, with their groups; UnauthenticatedError when gone or disabled. */
  async currentUser(requester: Pick<CredentialRequester, 'userId' | 'source'>): Promise<{ user: User; source: IdentitySource; groups: Awaited<ReturnType<IdentitySource['groupsOf']>> }> {
    const source = this.deps.identitySourceFor(requester.source);
    const user = await source.getUser(requester.userId);
    if (!user || !user.enabled) throw new UnauthenticatedError(SESSION_INVALID);
    return { user, source, groups: await source.groupsOf(user) };
  }

  /** Every account and permission set the requester reaches at this moment (ListAccounts, ListAccountRoles). */
  async access(requester: Pick<CredentialRequester, 'userId' | 'source'>): Promise<AccountAccess[]> {
    const { user, groups } = await this.currentUser(requester);
    return this.deps.entitlements.forUser(user, groups);
  }

  async credentials(requester: CredentialRequester, accountId: string, roleName: string): Promise<IssuedRoleCredentials> {
    if (!ACCOUNT_ID.test(accountId)) throw new ValidationError('account_id must be a 12-digit AWS account id', [{ field: 'account_id', message: 'must be 12 digits' }]);
    // '*' (ALL_ROLES) is not a permission set name, so it can never widen this to several roles.
    if (!PERMISSION_SET_NAME.test(roleName) || roleName === ALL_ROLES) {
      throw new ValidationError('role_name must be a permission set name', [{ field: 'role_name', message: 'must match [\\w+=,.@-]{1,32}' }]);
    }
    const source = this.deps.identitySourceFor(requester.source);
    const [user, named] = await Promise.all([source.getUser(requester.userId), this.deps.permissionSets.getByName(roleName)]);
    if (!user || !user.enabled) throw new UnauthenticatedError(SESSION_INVALID);
    const groups = await source.groupsOf(user);
    // Names are unique case-insensitively, but a role is asked for by its exact name.
    const permissionSet = named?.name === roleName ? named : null;
    const [rows, cached] = await Promise.all([
      this.deps.assignments.entitlements(user.id, groups.map((g) => g.id)),
      permissionSet ? this.deps.cache.get(user.id, accountId, permissionSet.id) : null,
    ]);
    const entitled = permissionSet !== null && rows.some((r) => r.accountId === accountId && r.permissionSetIds.includes(permissionSet.id));
    if (!entitled) throw new ForbiddenError(NO_ACCESS);
    if (cached) return { credentials: cached, accountId, permissionSet, cached: true };

    const flightKey = `${user.id}:${accountId}:${permissionSet.id}`;
    let flight = this.#inflight.get(flightKey);
    if (!flight) {
      flight = this.#assume(requester, source, user, accountId, permissionSet).finally(() => this.#inflight.delete(flightKey));
      this.#inflight.set(flightKey, flight);
    }
    return { credentials: await flight, accountId, permissionSet, cached: false };
  }

  async #assume(requester: CredentialRequester, source: IdentitySource, user: User, accountId: string, permissionSet: PermissionSet): Promise<RoleCredentials> {
    const session = await requester.session();
    if (!session) throw new UnauthenticatedError(SESSION_INVALID);
    // Signs for exactly this one role, re-checking the entitlement as it does for the console.
    const signed = await this.deps.federation.signFor(source, { userId: user.id, ...session }, accountId, permissionSet.name);
    if (signed.permissionSets.length !== 1 || signed.permissionSets[0]?.id !== permissionSet.id) throw new ForbiddenError(NO_ACCESS);
    const { account } = signed;

    const credentials = await this.deps.broker.assumeRoleWithSaml({
      roleArn: roleArnFor(account.accountId, roleNameFor(permissionSet.name, permissionSet.id, account.accountId)),
      principalArn: samlProviderArn(account.accountId, account.samlProviderName),
      samlAssertion: signed.samlResponse,
      durationSeconds: durationSecondsOf(permissionSet),
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

/** STS DurationSeconds from the permission set's SessionDuration (PT1H → 3600), within STS's bounds. */
export function durationSecondsOf(permissionSet: Pick<PermissionSet, 'sessionDuration'>): number {
  const seconds = parseIsoDurationSeconds(permissionSet.sessionDuration) ?? 3600;
  return Math.min(MAX_DURATION_SECONDS, Math.max(MIN_DURATION_SECONDS, seconds));
}
