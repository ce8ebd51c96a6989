// The durable stores, one per aggregate. store/sql implements them over Kysely (SQLite or
// PostgreSQL); nothing outside store/ sees a table, a query builder or a driver.
//
// Contract for every implementation (test/store/*.contract.ts checks it on every backend):
// - create* on a duplicate unique key throws ConflictError; get* returns null for unknown ids;
//   update*/delete* on an unknown id throw NotFoundError.
// - list* returns items in a stable order (by the natural name, then id) with an opaque
//   `nextToken` while more remain; `nameContains` filters case-insensitively on the display name.
// - Returned objects are fresh copies: mutating them changes nothing stored.

import type {
  Account,
  AccountAssignment,
  AccountEntitlement,
  AdminRole,
  AdminRoleGrant,
  ApiToken,
  Application,
  ApplicationAssignment,
  AuditEvent,
  AuditOutcome,
  DelegatedAdministratorAccount,
  Group,
  Instance,
  PermissionSet,
  PrincipalType,
  SigningKeyRecord,
  User,
} from '../model/types.ts';
import type { MfaDevice, MfaFactor } from '../model/mfa.ts';
import type { OrganizationAccount, OuAssignment, ProvisionedProvider, ProvisionedRole, ProvisioningJob, ProvisioningJobStatus } from '../model/provisioning.ts';

export interface ListQuery {
  /** 1..1000, default 100. */
  limit?: number;
  nextToken?: string;
  /** Case-insensitive substring of the name (userName, group displayName, account name, set name). */
  nameContains?: string;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export type NewUser = Omit<User, 'createdAt' | 'updatedAt'>;
export type UserPatch = Partial<Omit<User, 'id' | 'createdAt' | 'updatedAt' | 'source' | 'externalId'>>;
export type NewGroup = Omit<Group, 'createdAt' | 'updatedAt'>;
export type GroupPatch = Partial<Pick<Group, 'displayName' | 'description'>>;

export interface DirectoryStore {
  createUser(user: NewUser): Promise<User>;
  getUser(id: string): Promise<User | null>;
  /** userName is unique case-insensitively. */
  getUserByName(userName: string): Promise<User | null>;
  getUserByExternalId(source: User['source'], externalId: string): Promise<User | null>;
  listUsers(query?: ListQuery): Promise<Page<User>>;
  updateUser(id: string, patch: UserPatch): Promise<User>;
  /** Also removes the user's memberships, password, API tokens and admin role. */
  deleteUser(id: string): Promise<void>;
  /** An argon2id PHC string; never a clear password. */
  setPasswordHash(userId: string, hash: string): Promise<void>;
  getPasswordHash(userId: string): Promise<string | null>;

  createGroup(group: NewGroup): Promise<Group>;
  getGroup(id: string): Promise<Group | null>;
  getGroupByExternalId(source: Group['source'], externalId: string): Promise<Group | null>;
  listGroups(query?: ListQuery): Promise<Page<Group>>;
  updateGroup(id: string, patch: GroupPatch): Promise<Group>;
  /** Also removes its memberships and admin role. */
  deleteGroup(id: string): Promise<void>;

  /** Idempotent. NotFoundError when the group or user does not exist. */
  addMember(groupId: string, userId: string): Promise<void>;
  /** NotFoundError when not a member. */
  removeMember(groupId: string, userId: string): Promise<void>;
  listMembers(groupId: string, query?: ListQuery): Promise<Page<User>>;
  /** Ids of the groups the user is a direct member of. */
  groupIdsOfUser(userId: string): Promise<string[]>;
  /** The groups the user is a direct member of, by id, in one query (sign-in and credential checks). */
  groupsOfUser(userId: string): Promise<Group[]>;
}

export type NewAccount = Omit<Account, 'createdAt' | 'updatedAt'>;
export type AccountPatch = Partial<Omit<Account, 'accountId' | 'createdAt' | 'updatedAt'>>;

export interface AccountStore {
  create(account: NewAccount): Promise<Account>;
  get(accountId: string): Promise<Account | null>;
  list(query?: ListQuery): Promise<Page<Account>>;
  /** Many at once, for the portal's account list; unknown ids are left out. */
  getMany(accountIds: string[]): Promise<Account[]>;
  update(accountId: string, patch: AccountPatch): Promise<Account>;
  /**
   * With cascade false, ConflictError while assignments exist; with cascade true they go too.
   * Returns the assignments that went with it (so each can be told of: model/access-events.ts).
   */
  delete(accountId: string, options?: { cascade?: boolean }): Promise<AccountAssignment[]>;
}

export type NewPermissionSet = Omit<PermissionSet, 'createdAt' | 'updatedAt' | 'version'>;
export type PermissionSetPatch = Partial<
  Omit<PermissionSet, 'id' | 'arn' | 'name' | 'createdAt' | 'updatedAt' | 'version'>
>;

export interface PermissionSetStore {
  create(set: NewPermissionSet): Promise<PermissionSet>;
  get(id: string): Promise<PermissionSet | null>;
  getByName(name: string): Promise<PermissionSet | null>;
  getMany(ids: string[]): Promise<PermissionSet[]>;
  /**
   * Inside a transaction: reads the set and keeps every other transaction from changing it until
   * this one ends, so a limit checked on what it returns still holds at commit. Refused (an Error)
   * outside a transaction, where a lock would end with the statement.
   */
  getForUpdate(id: string): Promise<PermissionSet | null>;
  list(query?: ListQuery): Promise<Page<PermissionSet>>;
  /** Bumps `version`. */
  update(id: string, patch: PermissionSetPatch): Promise<PermissionSet>;
  /** As AccountStore.delete: returns the assignments a cascade removed. */
  delete(id: string, options?: { cascade?: boolean }): Promise<AccountAssignment[]>;
}

export interface AssignmentFilter {
  accountId?: string;
  permissionSetId?: string;
  principalType?: PrincipalType;
  principalId?: string;
}

export type AssignmentKey = Omit<AccountAssignment, 'createdAt'>;

export interface AssignmentStore {
  /** ConflictError if it exists; NotFoundError if the account or permission set does not. */
  create(assignment: AssignmentKey): Promise<AccountAssignment>;
  delete(assignment: AssignmentKey): Promise<void>;
  list(filter?: AssignmentFilter, query?: Omit<ListQuery, 'nameContains'>): Promise<Page<AccountAssignment>>;
  /** Removes every assignment of a principal (user or group deleted). Returns those that went. */
  deleteForPrincipal(principalType: PrincipalType, principalId: string): Promise<AccountAssignment[]>;
  /**
   * The hot query: every account reachable by the user directly or through one of `groupIds`, with
   * the permission sets on it, sorted by accountId then permission set id. Served by an index on
   * (principal_type, principal_id); never a scan of all assignments.
   */
  entitlements(userId: string, groupIds: string[]): Promise<AccountEntitlement[]>;
}

/**
 * What an audit event is appended with. actorName and address, when not given, come from the
 * request being served (AuditContextSource) when its actor is the event's actor; outcome defaults
 * to 'success'.
 */
export type NewAuditEvent = Omit<AuditEvent, 'id' | 'at' | 'actorName' | 'address' | 'outcome'> & {
  at?: Date;
  actorName?: string | null;
  address?: string | null;
  outcome?: AuditOutcome;
};

/** Who is acting in the current async context (the request being served), if anyone. */
export type AuditContextSource = () => { actorId: string | null; actorName: string | null; address: string | null } | undefined;

export interface AuditQuery {
  limit?: number;
  nextToken?: string;
  action?: string;
  actor?: string;
  /** Exact object, e.g. `user/<id>`. */
  target?: string;
  outcome?: AuditOutcome;
  /** Inclusive lower bound of `at`. */
  from?: Date;
  /** Exclusive upper bound of `at`. */
  to?: Date;
}

/** Append-only: nothing updates an event, and only the retention purge removes old ones. */
export interface AuditStore {
  append(event: NewAuditEvent): Promise<AuditEvent>;
  /** Newest first. */
  list(query?: AuditQuery): Promise<Page<AuditEvent>>;
  /** Removes events older than `before` (the retention period), at most `limit` per call; returns how many went. */
  purgeBefore(before: Date, limit?: number): Promise<number>;
}

export type NewApiToken = Omit<ApiToken, 'id' | 'role'> & Partial<Pick<ApiToken, 'id' | 'role'>>;

export interface ApiTokenStore {
  /** id defaults to a fresh `tok-` id, role to 'administrator'. */
  create(token: NewApiToken): Promise<ApiToken>;
  /** Null when unknown or expired. */
  find(hash: string, now?: Date): Promise<ApiToken | null>;
  /** By public id; null when unknown or expired. */
  get(id: string, now?: Date): Promise<ApiToken | null>;
  /** Unexpired tokens, newest first; of one user when `userId` is given. */
  list(query?: { userId?: string; limit?: number; nextToken?: string }, now?: Date): Promise<Page<ApiToken>>;
  delete(hash: string): Promise<void>;
  /** By public id; NotFoundError when unknown. */
  deleteById(id: string): Promise<void>;
  deleteForUser(userId: string): Promise<number>;
}

/**
 * Admin roles of users and groups. A user's `administrator` role is the user's isAdmin flag (the
 * first administrator keeps it); every other grant is a row here. One role per principal: a grant
 * replaces the principal's previous one.
 */
export interface AdminRoleStore {
  /** NotFoundError for an unknown user or group. */
  grant(grant: AdminRoleGrant): Promise<AdminRoleGrant>;
  /** NotFoundError when the principal holds no role. */
  revoke(principalType: PrincipalType, principalId: string): Promise<void>;
  get(principalType: PrincipalType, principalId: string): Promise<AdminRoleGrant | null>;
  /** Every grant, users with isAdmin included, by principal type then id. */
  list(): Promise<AdminRoleGrant[]>;
  /** Roles held by the user directly or through one of `groupIds`. */
  rolesOf(userId: string, groupIds: string[]): Promise<AdminRole[]>;
  /**
   * Inside a transaction: the roles the user holds directly or through their groups, none when the
   * user is missing, disabled or not of the built-in directory; every row read is held against
   * change until the transaction ends (PostgreSQL FOR SHARE), so no revocation commits in between.
   */
  heldRolesOf(userId: string): Promise<AdminRole[]>;
  /** Removes a deleted principal's grant (users lose isAdmin with the user row). */
  deleteForPrincipal(principalType: PrincipalType, principalId: string): Promise<void>;
}

export interface DelegatedAdministratorStore {
  get(): Promise<DelegatedAdministratorAccount | null>;
  /** Inside a transaction: get, holding the registration against deregistration until the transaction ends. */
  getHeld(): Promise<DelegatedAdministratorAccount | null>;
  /** ConflictError when an account is already registered; NotFoundError for an unknown account. */
  register(registration: DelegatedAdministratorAccount): Promise<DelegatedAdministratorAccount>;
  /** NotFoundError when none is registered. */
  deregister(): Promise<void>;
}

export interface InstanceStore {
  /** Creates the singleton instance on first call (fresh `ssoins-` id), then returns it. */
  getOrCreate(): Promise<Instance>;
  /** getOrCreate, holding the instance against other transactions until this one ends (see PermissionSetStore.getForUpdate). */
  getOrCreateForUpdate(): Promise<Instance>;
  update(patch: Partial<Pick<Instance, 'managementAccountId' | 'sessionDurationMinutes' | 'accessControlAttributes' | 'metadataTrust' | 'mfa'>>): Promise<Instance>;
}

export type NewApplication = Omit<Application, 'createdAt' | 'updatedAt'>;
export type ApplicationPatch = Partial<Omit<Application, 'id' | 'createdAt' | 'updatedAt'>>;

export interface ApplicationStore {
  /**
   * ConflictError when another app has the entity id. External AWS account apps all carry AWS's
   * entity id `urn:amazon:webservices`: they are unique per account id instead, and
   * getByEntityId never returns them (AWS sign-in is IdP-initiated only).
   */
  create(app: NewApplication): Promise<Application>;
  get(id: string): Promise<Application | null>;
  getByEntityId(entityId: string): Promise<Application | null>;
  list(query?: ListQuery): Promise<Page<Application>>;
  update(id: string, patch: ApplicationPatch): Promise<Application>;
  /** Its assignments go too. */
  delete(id: string): Promise<void>;
  /** Creates or replaces the principal's assignment (roleArns). NotFoundError for an unknown app. */
  assign(assignment: Omit<ApplicationAssignment, 'createdAt'>): Promise<ApplicationAssignment>;
  /** NotFoundError when not assigned. */
  unassign(applicationId: string, principalType: PrincipalType, principalId: string): Promise<void>;
  listAssignments(applicationId: string, query?: Omit<ListQuery, 'nameContains'>): Promise<Page<ApplicationAssignment>>;
  /** Removes every app assignment of a principal (user or group deleted). */
  deleteAssignmentsForPrincipal(principalType: PrincipalType, principalId: string): Promise<number>;
  /** The apps a user reaches directly or through `groupIds`, with the union of role ARNs per app; indexed like entitlements. */
  applicationsFor(userId: string, groupIds: string[]): Promise<{ applicationId: string; roleArns: string[] }[]>;
  /** URL-sourced apps whose metadata.nextFetchAt is at or before `now`. */
  dueForMetadataRefresh(now: Date, limit: number): Promise<Application[]>;
}

/** Named configuration documents (JSON), e.g. the identity source. */
export interface SettingsStore {
  get<T>(name: string): Promise<{ value: T; updatedAt: Date } | null>;
  /** Creates or replaces. */
  put(name: string, value: unknown): Promise<void>;
  /** Idempotent. */
  delete(name: string): Promise<void>;
}

export type NewSigningKey = Pick<SigningKeyRecord, 'id' | 'status' | 'origin' | 'certificatePem' | 'fingerprintSha256' | 'privateKeySealed'> & {
  status: 'next' | 'current';
  privateKeySealed: string;
};

/**
 * SAML signing keys and their rollover. At most one key is `next`, one `current` and one
 * `previous` at any moment, whatever nodes act at once; every change is one transaction.
 */
export interface SigningKeyStore {
  /** Every key, retired ones included, oldest first. */
  list(): Promise<SigningKeyRecord[]>;
  get(id: string): Promise<SigningKeyRecord | null>;
  /** ConflictError when a key already holds that status, or the same certificate was ever stored. */
  insert(key: NewSigningKey, at: Date): Promise<SigningKeyRecord>;
  /**
   * The `next` key `id` becomes current and the current one previous. NotFoundError for an unknown
   * id; ConflictError when `id` is not the next key or a previous key is still published.
   */
  promote(id: string, at: Date): Promise<void>;
  /**
   * A `next` or `previous` key leaves the set: retired, private key erased. NotFoundError for an
   * unknown id; ConflictError for the current key or one already retired.
   */
  retire(id: string, at: Date): Promise<void>;
}

export type NewProvisioningJob = Pick<ProvisioningJob, 'id' | 'accountId' | 'permissionSetId' | 'trigger'> & { at: Date; leaseExpiresAt: Date };

/** Provisioning jobs and what they left in each account (docs/provisioning.md). */
export interface ProvisioningStore {
  /** ConflictError while another job of the account is IN_PROGRESS (on any node). */
  startJob(job: NewProvisioningJob): Promise<ProvisioningJob>;
  /** Extends an IN_PROGRESS job's lease; false when the job is no longer IN_PROGRESS. */
  renewLease(id: string, leaseExpiresAt: Date, at: Date): Promise<boolean>;
  /** Ends an IN_PROGRESS job; false when it had already ended (then nothing changes). */
  finishJob(id: string, status: Exclude<ProvisioningJobStatus, 'IN_PROGRESS'>, failureReason: string | null, at: Date): Promise<boolean>;
  getJob(id: string): Promise<ProvisioningJob | null>;
  /** Newest first. */
  listJobs(filter: { accountId?: string; status?: ProvisioningJobStatus }, query?: Omit<ListQuery, 'nameContains'>): Promise<Page<ProvisioningJob>>;
  /** IN_PROGRESS jobs whose lease ended before `now`: their node stopped. */
  interruptedJobs(now: Date): Promise<ProvisioningJob[]>;

  /** Creates or replaces the record of (account, permission set). */
  putRole(role: ProvisionedRole): Promise<void>;
  deleteRole(accountId: string, permissionSetId: string): Promise<void>;
  /** Sorted by account, then permission set id. */
  listRoles(filter?: { accountId?: string; permissionSetId?: string }): Promise<ProvisionedRole[]>;
  putProvider(provider: ProvisionedProvider): Promise<void>;
  deleteProvider(accountId: string): Promise<void>;
  listProviders(filter?: { accountId?: string }): Promise<ProvisionedProvider[]>;
  /** Creates or replaces what Organizations said of an account. */
  putOrganizationAccount(account: OrganizationAccount): Promise<void>;
  /** Sorted by account id. */
  listOrganizationAccounts(): Promise<OrganizationAccount[]>;
  /** ConflictError for the same (OU, permission set, principal) twice. */
  createOuAssignment(a: OuAssignment): Promise<void>;
  getOuAssignment(id: string): Promise<OuAssignment | null>;
  listOuAssignments(): Promise<OuAssignment[]>;
  /** Also forgets its members. */
  deleteOuAssignment(id: string): Promise<void>;
  /** Records that the expansion made the account assignment of `accountId` (idempotent). */
  addOuMember(ouAssignmentId: string, accountId: string): Promise<void>;
  listOuMembers(ouAssignmentId: string): Promise<string[]>;
}

export interface NewMfaDevice {
  id: string;
  userId: string;
  kind: MfaFactor;
  name: string;
  /** The device's secret, sealed under the server key (crypto/secret-box.ts). */
  secretSealed: string;
  /** The TOTP step the registration was confirmed with (so it cannot sign in again), or null. */
  lastStep: number | null;
  createdAt: Date;
}

export interface StoredMfaDevice {
  device: MfaDevice;
  secretSealed: string;
  lastStep: number | null;
}

/** A user's second factors (docs/mfa.md). Deleting the user deletes them. */
export interface MfaStore {
  /** NotFoundError when the user does not exist. */
  createDevice(device: NewMfaDevice): Promise<MfaDevice>;
  /** Oldest first. */
  listDevices(userId: string): Promise<MfaDevice[]>;
  getDevice(userId: string, deviceId: string): Promise<StoredMfaDevice | null>;
  /**
   * Records that the device signed in with TOTP time step `step`; false, and nothing changed,
   * when that step or a later one was used before (a replayed code), whoever asked first.
   */
  useTotpStep(deviceId: string, step: number, at: Date): Promise<boolean>;
  /**
   * Records a WebAuthn assertion with signature counter `counter` (kept in lastStep): false, and
   * nothing changed, when the stored counter is not below it, unless both are 0 (an authenticator
   * without a counter, WebAuthn L3 §6.1.1).
   */
  useWebauthnCounter(deviceId: string, counter: number, at: Date): Promise<boolean>;
  renameDevice(userId: string, deviceId: string, name: string): Promise<MfaDevice>;
  deleteDevice(userId: string, deviceId: string): Promise<void>;
  /** Removes every device and recovery code of the user; returns how many devices there were. */
  deleteAllForUser(userId: string): Promise<number>;
  /** The user's recovery codes become exactly these (SHA-256 hex each), all unused. */
  replaceRecoveryCodes(userId: string, codeHashes: string[]): Promise<void>;
  /** Marks an unused code used; false when it is unknown or used already. */
  useRecoveryCode(userId: string, codeHash: string, at: Date): Promise<boolean>;
  countUnusedRecoveryCodes(userId: string): Promise<number>;
}

/** One store per aggregate: the same set outside a transaction and, bound to it, inside one. */
export interface StoreSet {
  directory: DirectoryStore;
  accounts: AccountStore;
  permissionSets: PermissionSetStore;
  assignments: AssignmentStore;
  audit: AuditStore;
  apiTokens: ApiTokenStore;
  instance: InstanceStore;
  settings: SettingsStore;
  applications: ApplicationStore;
  signingKeys: SigningKeyStore;
  adminRoles: AdminRoleStore;
  delegatedAdministrator: DelegatedAdministratorStore;
  provisioning: ProvisioningStore;
  mfa: MfaStore;
}

/**
 * The stores bound to one open transaction (docs/architecture.md, "Transactions"): everything
 * written through them commits together or not at all.
 */
export interface UnitOfWork extends StoreSet {
  /**
   * Runs `hook` once the transaction has committed, never when it rolls back (for effects outside
   * the database: cache purges, the authorization epoch, events). Hooks run in the order they were
   * added; a hook that fails does not undo the commit, the others still run, and the first failure
   * becomes the transaction's result.
   */
  afterCommit(hook: () => void | Promise<void>): void;
}

/** What a service that changes things is given: the stores it reads, and transactions for its writes. */
export type TransactionalStores<K extends keyof StoreSet> = Pick<StoreSet, K> & Pick<SqlStores, 'transaction'>;

/** Everything durable, opened together and closed together. */
export interface SqlStores extends StoreSet {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * The same stores over the read-only replica when one is configured (docs/operations.md,
   * "PostgreSQL"), else over the primary. Only for reads that tolerate a few seconds of lag and
   * follow no write of the same request: lists and the audit log. Never for a sign-in, an
   * authorization decision, or a read of what the request just wrote.
   */
  readonly lagTolerant: StoreSet;
  /**
   * Runs `work` in one transaction over every store and commits when it resolves; when it throws,
   * rolls back and rethrows. Only the stores of `tx` may be used inside: a store of this object
   * used there is refused with an Error (on SQLite it would wait for the transaction forever). A
   * call made inside an open transaction joins it: its work runs in the same transaction and its
   * afterCommit hooks wait for the outer commit.
   */
  transaction<T>(work: (tx: UnitOfWork) => Promise<T>): Promise<T>;
  /** Cheap round trip for /readyz; throws UnavailableError when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
