// The services registry: opens the stores and builds every service once, in the one direction
// data flows (stores → directory/access → idp). server/app.ts builds HTTP on top of it; tests
// build it with their own configuration.
import path from 'node:path';
import { AccountService } from '../access/accounts.ts';
import { AdminPolicy } from '../access/admin/admin-policy.ts';
import { AdminRoleService } from '../access/admin/admin-role-service.ts';
import { AdminRoleLookup } from '../access/admin/admin-roles.ts';
import { DelegatedAdministratorService } from '../access/admin/delegated-administrator.ts';
import { AdminTokenService } from '../access/admin-tokens.ts';
import { AuditLog } from '../access/audit/audit-log.ts';
import { AuditRetention } from '../access/audit/audit-retention.ts';
import { currentAuditActor } from '../access/audit/audit-context.ts';
import { AddressPolicy } from '../access/applications/address-policy.ts';
import { ApplicationService } from '../access/applications/application-service.ts';
import { fetchMetadataDocument } from '../access/applications/metadata-fetcher.ts';
import { refreshApplicationMetadata } from '../access/applications/metadata-refresh.ts';
import { MetadataRefresher } from '../access/applications/metadata-refresher.ts';
import { AssignmentService } from '../access/assignments.ts';
import { AuthorizationEpoch } from '../access/authorization-epoch.ts';
import { AwsFederationService, type LeftOutSessionTag, type SamlIdentity } from '../access/aws-federation.ts';
import { CredentialCache } from '../access/credential-cache.ts';
import { EntitlementService } from '../access/entitlements.ts';
import { subscribeAccessReactions } from '../access/events/access-reactions.ts';
import { AccessEventBus } from '../access/events/bus.ts';
import { InstanceSettingsService } from '../access/instance-settings.ts';
import { PortalPreferences } from '../access/portal-preferences.ts';
import { ApplicationIcons } from '../access/applications/application-icons.ts';
import { PermissionSetService } from '../access/permission-sets.ts';
import { PortalSessionService } from '../access/portal-sessions.ts';
import { RoleCredentialService } from '../access/role-credentials.ts';
import { loadOrCreateServerSecret, type ServerSecret } from '../access/server-secret.ts';
import { PasswordCheck } from '../access/password-check.ts';
import { SignInService } from '../access/sign-in.ts';
import { MfaService } from '../access/mfa/mfa-service.ts';
import { PendingSignIns } from '../access/mfa/pending-sign-ins.ts';
import { WebauthnChallenges } from '../access/mfa/webauthn-challenges.ts';
import { relyingPartyOf, WebauthnService } from '../access/mfa/webauthn-service.ts';
import { SsoAccessTokenService } from '../access/sso-access-tokens.ts';
import { SsoLogoutService } from '../access/sso-logout.ts';
import { SsoOidcService } from '../access/sso-oidc/sso-oidc.ts';
import { TokenFamilies } from '../access/sso-oidc/token-families.ts';
import { SignInThrottle } from '../access/sign-in-throttle.ts';
import type { IdentitySource } from '../directory/identity-source.ts';
import { buildConsoleServices, type ConsoleServices } from '../access/admin/console-services.ts';
import { ConsoleAccess } from '../access/admin/console-access.ts';
import { buildAppSso, type AppSsoContext } from '../access/app-sso/app-sso-services.ts';
import { AccountSignIn } from '../access/aws/account-sign-in.ts';
import { UserAccess } from '../access/org/user-access.ts';
import { SignedInPeople } from '../access/sessions/signed-in-person.ts';
import { PortalSignOut } from '../access/sessions/sign-out.ts';
import { BrowserApprovals } from '../access/sso-oidc/browser-approvals.ts';
import { generateSigningKey, readConfiguredSigningKey, signingKeyFromPem } from '../idp/keys.ts';
import { ensureCurrentSigningKey } from '../access/signing-keys/first-start.ts';
import { SigningKeyring } from '../access/signing-keys/keyring.ts';
import { SigningKeyService } from '../access/signing-keys/signing-key-service.ts';
import { idpEntityId } from '../idp/saml/metadata.ts';
import { NAMEID_EMAIL, NAMEID_PERSISTENT, NAMEID_UNSPECIFIED } from '../idp/saml/namespaces.ts';
import { StsClient, type RoleCredentialBroker } from '../idp/sts/sts-client.ts';
import { dateNow, systemClock, type Clock } from '../model/clock.ts';
import type { User } from '../model/types.ts';
import type { AuditStore } from '../store/stores.ts';
import { BuiltinDirectory } from '../directory/builtin-directory.ts';
import { ActiveIdentitySource, IdentitySourceConfig } from '../directory/identity-source-config.ts';
import { GroupService } from '../directory/groups.ts';
import { UserService } from '../directory/users.ts';
import { PasswordHasher, type Argon2idCost } from '../directory/passwords.ts';
import type { EphemeralStore } from '../store/ephemeral/ephemeral-store.ts';
import { openEphemeralStore } from '../store/ephemeral/open.ts';
import { openSqlStores } from '../store/sql/open.ts';
import type { SqlStores, UnitOfWork } from '../store/stores.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import type { ProvisioningService } from '../access/provisioning/provisioning-service.ts';
import { buildProvisioning, type ProvisioningTestOptions } from './provisioning-services.ts';
import { subscribeProvisioning } from '../access/provisioning/provisioning-reactions.ts';
import { OuAssignmentService } from '../access/provisioning/ou-assignments.ts';
import { OidcAccess } from '../access/oidc/oidc-access.ts';
import { OidcGrants, subscribeOidcRevocation } from '../access/oidc/oidc-grants.ts';
import { OidcSigningKeys, type OidcKeyGenerator } from '../access/oidc/signing-keys.ts';
import { ephemeralAdapter } from '../access/oidc/ephemeral-adapter.ts';
import { oidcClientMetadata } from '../access/oidc/client-metadata.ts';
import { OidcProviderHolder } from './oidc/provider-holder.ts';
import { portalBridge } from './oidc/portal-bridge.ts';
import { ProviderLogout, subscribeOidcSessionEnd } from './oidc/provider-logout.ts';
import { OIDC_MOUNT } from './oidc/provider.ts';

const NAMEID_FORMATS = { persistent: NAMEID_PERSISTENT, emailAddress: NAMEID_EMAIL, unspecified: NAMEID_UNSPECIFIED } as const;

export interface Services {
  config: Config;
  logger: Logger;
  sql: SqlStores;
  ephemeral: EphemeralStore;
  builtinDirectory: BuiltinDirectory;
  users: UserService;
  groups: GroupService;
  accounts: AccountService;
  permissionSets: PermissionSetService;
  assignments: AssignmentService;
  entitlements: EntitlementService;
  instanceSettings: InstanceSettingsService;
  /** Access-change events, published once each change commits (docs/architecture.md, "Events"). */
  accessEvents: AccessEventBus;
  adminTokens: AdminTokenService;
  /** Which admin role a person holds now (the console's portal-session path asks it too). */
  adminRoles: AdminRoleLookup;
  /** Who may do what in administration: API, console and command line alike. */
  adminPolicy: AdminPolicy;
  /** Grant and revoke admin roles. */
  adminRoleGrants: AdminRoleService;
  /** Register and deregister the delegated administrator account. */
  delegatedAdministrator: DelegatedAdministratorService;
  /** A user's group ids from the source that holds the user. */
  groupIdsOf(user: User): Promise<string[]>;
  audit: AuditStore;
  /** The audit log as read through the API and the console: filters and export. */
  auditLog: AuditLog;
  /** Purges audit events older than AUDIT_RETENTION_DAYS; started by server/main.ts only. */
  auditRetention: AuditRetention;
  /** The signing keys in use on this node: current signs, current + next + previous are published. */
  signingKeyring: SigningKeyring;
  /** Stage, promote, retire signing keys (admin API, gatehouse keys). */
  signingKeys: SigningKeyService;
  /** Our SAML identity; its `key` is always the current signing key. */
  saml: SamlIdentity;
  portalSessions: PortalSessionService;
  signIn: SignInService;
  /** Second factors: registration, checks, devices (docs/mfa.md). */
  mfa: MfaService;
  /** Passkeys and security keys: WebAuthn ceremonies (docs/mfa.md). */
  webauthn: WebauthnService;
  signInThrottle: SignInThrottle;
  awsFederation: AwsFederationService;
  ssoAccessTokens: SsoAccessTokenService;
  /** SSO OIDC API: client registrations, device and authorization codes, refresh tokens (server/aws/oidc). */
  ssoOidc: SsoOidcService;
  /** The portal API's Logout: ends the CLI sign-in of a bearer token on every node. */
  ssoLogout: SsoLogoutService;
  /** GATEHOUSE_SECRET, or the key generated once under certsDir. */
  serverSecret: ServerSecret;
  /** STS AssumeRoleWithSAML at config.stsEndpoint. */
  sts: RoleCredentialBroker;
  credentialCache: CredentialCache;
  /** GetRoleCredentials and the portal's Access keys dialog. */
  roleCredentials: RoleCredentialService;
  /** The identity source people sign in with (the built-in directory, or LDAP when configured). */
  identitySource(): IdentitySource;
  /** The source that holds a given user (for re-reading a signed-in user and their groups). */
  identitySourceFor(source: User['source']): IdentitySource;
  /** Which source is in force, and the admin API's way to change and test it. */
  identitySourceConfig: IdentitySourceConfig;
  /** Custom SAML applications: metadata intake, settings, assignments, what a user reaches (docs/saml-applications.md). */
  applications: ApplicationService;
  /** SSO into applications: decisions, pending requests, issued assertions, logout chains. */
  appSso: AppSsoContext;
  /** Re-fetches URL metadata when due; started by server/main.ts only (tests call tick()). */
  metadataRefresher: MetadataRefresher;
  /** The time every expiry decision reads (model/clock.ts). */
  clock: Clock;
  /** The signed-in person behind a portal session, re-checked against their identity source. */
  signedInPeople: SignedInPeople;
  portalSignOut: PortalSignOut;
  /** The portal's sign-in to an AWS account console. */
  accountSignIn: AccountSignIn;
  /** Icons of applications on the portal's Applications tab (access/applications/application-icons.ts). */
  applicationIcons: ApplicationIcons;
  /** Favourite and recently used accounts of each person (access/portal-preferences.ts). */
  portalPreferences: PortalPreferences;
  /** Device-code and consent decisions of the AWS CLI's browser steps. */
  browserApprovals: BrowserApprovals;
  /** The admin API's entitlements and unlock of one user. */
  userAccess: UserAccess;
  /** What the admin console adds over the admin API's use cases (docs/admin-console.md). */
  console: ConsoleServices;
  /** Who may use the admin console, with which admin role (the admin API's answer). */
  consoleAccess: ConsoleAccess;
  /** What /readyz checks: the SQL database and the ephemeral store. */
  readiness: { name: string; ping(): Promise<void> }[];
  /** IAM roles and SAML providers in each account: plans, jobs, status, drift (docs/provisioning.md). */
  provisioning: ProvisioningService;
  /** Assignments to every current and future account of an OU, and the organization import that expands them. */
  ouAssignments: OuAssignmentService;
  /** OpenID Connect: who reaches an OIDC application, and what it is told (docs/oidc-applications.md). */
  oidcAccess: OidcAccess;
  /** Revokes OIDC grants when access changes or the portal session ends. */
  oidcGrants: OidcGrants;
  /** The OpenID Provider's RS256 and ES256 keys: JWKS, rotation. */
  oidcSigningKeys: OidcSigningKeys;
  /** The OpenID Provider under /oidc, rebuilt when its keys change. */
  oidcProviders: OidcProviderHolder;
  close(): Promise<void>;
}

/** What only tests choose; server/main.ts passes none, so production always runs at the defaults. */
export interface ServiceOptions {
  /** argon2id cost of new password hashes (directory/passwords.ts); default: the production cost. */
  passwordHashCost?: Argon2idCost;
  /** The time expiry decisions read; default: the system clock. Tests pass one they can move forward. */
  clock?: Clock;
  /** The provisioning driver's AWS credentials, backoff and clock. */
  provisioning?: ProvisioningTestOptions;
  /** Makes the OpenID Provider's new signing keys; default: a new key pair each time. */
  oidcKeyGenerator?: OidcKeyGenerator;
}

export async function createServices(config: Config, logger: Logger, options: ServiceOptions = {}): Promise<Services> {
  const clock = options.clock ?? systemClock;
  const opened = await openSqlStores(config.database, {
    connectTimeoutMs: config.dependencyTimeoutMs,
    queryTimeoutMs: Math.max(config.dependencyTimeoutMs, config.postgres.statementTimeoutMs ?? 0, 5000),
    poolSize: config.postgres.poolSize,
    statementTimeoutMs: config.postgres.statementTimeoutMs ?? undefined,
    readTarget: config.postgres.readUrl === null ? undefined : { kind: 'postgres', url: config.postgres.readUrl },
    auditContext: currentAuditActor,
  });
  let ephemeral: EphemeralStore;
  try {
    ephemeral = await openEphemeralStore({
      redis: config.redis,
      // Embedded mode keeps short-lived state in the SQLite file too, so a restart loses nothing.
      sqliteFile: config.database.kind === 'sqlite' ? config.database.file : path.join(config.dataDir, 'ephemeral.db'),
      timeoutMs: config.dependencyTimeoutMs,
      onConnectionError: (err: unknown) => logger.warn({ err }, 'redis connection error'),
    });
  } catch (e) {
    await opened.close();
    throw e;
  }
  const sql = opened;
  // Every change to who reaches what publishes its events once it commits; the reactions
  // (the authorization epoch first) are subscribed below (access/events/access-reactions.ts).
  const accessEvents = new AccessEventBus();
  const authorizationEpoch = new AuthorizationEpoch(ephemeral);

  let serverSecret: ServerSecret;
  let signingKeyring: SigningKeyring;
  const entityId = idpEntityId(config.baseUrl);
  const signingSealKey = (secret: ServerSecret) => secret.deriveKey('signing-keys');
  try {
    serverSecret = await loadOrCreateServerSecret({ certsDir: config.certsDir, secret: config.secret });
    const { current } = await ensureCurrentSigningKey({
      store: sql.signingKeys,
      sealKey: signingSealKey(serverSecret),
      configured: () => readConfiguredSigningKey({ certsDir: config.certsDir, keyPem: config.signingKeyPem, certPem: config.signingCertPem }),
      generate: () => generateSigningKey(entityId),
      now: () => dateNow(clock),
    });
    if (config.signingKeyPem !== null && config.signingCertPem !== null) {
      const configured = signingKeyFromPem(config.signingKeyPem, config.signingCertPem, 'the environment');
      if (configured.fingerprintSha256 !== current.fingerprintSha256) {
        logger.warn(
          { current: current.id, configured: configured.fingerprintSha256 },
          'SIGNING_KEY_PEM is not the current signing key: the key set in the database decides (stage it with `gatehouse keys stage` to roll over to it)',
        );
      }
    }
    signingKeyring = new SigningKeyring({
      store: sql.signingKeys,
      sealKey: signingSealKey(serverSecret),
      refreshMs: config.signingKeysRefreshSeconds * 1000,
      now: () => clock.now(),
      onRefreshError: (err) => logger.error({ err }, 'signing keys could not be re-read; still using the ones read before'),
    });
    await signingKeyring.reload();
  } catch (e) {
    await Promise.allSettled([ephemeral.close(), sql.close()]);
    throw e;
  }
  const saml: SamlIdentity = {
    entityId,
    get key() {
      return signingKeyring.current();
    },
    awsNameIdFormat: NAMEID_FORMATS[config.awsNameIdFormat],
  };

  const passwords = new PasswordHasher(options.passwordHashCost);
  const builtinDirectory = new BuiltinDirectory(sql.directory, passwords);
  const identitySourceConfig = new IdentitySourceConfig({
    builtin: builtinDirectory,
    directory: sql.directory,
    settings: sql.settings,
    transaction: sql.transaction,
    environment: config.ldap,
    key: serverSecret.deriveKey('identity-source-settings'),
    logger: logger.child({ component: 'ldap' }),
    events: accessEvents,
  });
  const activeSource = new ActiveIdentitySource(identitySourceConfig, 'active');
  const ldapSource = new ActiveIdentitySource(identitySourceConfig, 'ldap');
  const identitySource = (): IdentitySource => activeSource;
  const identitySourceFor = (source: User['source']): IdentitySource => (source === 'ldap' ? ldapSource : builtinDirectory);
  const portalSessions = new PortalSessionService(ephemeral, clock);
  // A check's claim is stale once a directory bind and a store call could both have timed out.
  const signInThrottle = new SignInThrottle(ephemeral, undefined, { staleClaimMs: 2 * config.dependencyTimeoutMs + 1000, now: () => clock.now() });
  // One password check for every surface that takes a password, so their guesses add up.
  const passwordCheck = new PasswordCheck(signInThrottle, sql.audit, logger.child({ component: 'password-check' }));
  const mfaSealKey = serverSecret.deriveKey('mfa-secrets');
  const mfa = new MfaService({ stores: sql, throttle: signInThrottle, sealKey: mfaSealKey, issuer: 'Gatehouse', clock });
  const webauthn = new WebauthnService({
    stores: sql,
    challenges: new WebauthnChallenges(ephemeral, clock),
    throttle: signInThrottle,
    sealKey: mfaSealKey,
    rp: relyingPartyOf(config.baseUrl),
    log: logger.child({ component: 'webauthn' }),
    clock,
  });
  const entitlements = new EntitlementService(sql.assignments, sql.accounts, sql.permissionSets);
  const assignments = new AssignmentService(sql, accessEvents, sql.lagTolerant);
  // A mapped attribute too long to be a session tag is left out of the assertion (access/aws-federation.ts).
  const reportLeftOutTag = (tag: LeftOutSessionTag) =>
    logger.warn({ event: 'federation.session-tag.left-out', ...tag }, `session tag ${tag.tagKey} left out: ${tag.reason}`);
  const awsFederation = new AwsFederationService(entitlements, sql.instance, () => saml, reportLeftOutTag);
  const sts = new StsClient({ endpoint: config.stsEndpoint, timeoutMs: config.dependencyTimeoutMs });
  const credentialCache = new CredentialCache(ephemeral, serverSecret.deriveKey('role-credential-cache'), clock);
  const ssoAccessTokens = new SsoAccessTokenService(ephemeral, clock);
  const metadataAddresses = new AddressPolicy(config.metadataFetch.allowPrivateTargets);
  const applicationDeps = {
    store: sql.applications,
    directory: sql.directory,
    transaction: sql.transaction,
    ownEntityIds: [entityId],
    instanceTrust: async () => (await sql.instance.getOrCreate()).metadataTrust,
    fetch: (url: string) => fetchMetadataDocument(url, { timeoutMs: config.metadataFetch.timeoutMs, addresses: metadataAddresses }),
    now: () => dateNow(clock),
    events: accessEvents,
  };
  const applications = new ApplicationService(applicationDeps);
  const metadataRefresher = new MetadataRefresher({
    store: sql.applications,
    ephemeral,
    refresh: (app) => refreshApplicationMetadata(app, applicationDeps, 'system'),
    intervalMs: config.metadataFetch.refreshIntervalSeconds * 1000,
    now: () => dateNow(clock),
    // Longer than a fetch can take (one deadline covers every redirect hop).
    lockSeconds: Math.ceil(config.metadataFetch.timeoutMs / 1000) + 60,
    onError: (err, app) => logger.warn({ err, applicationId: app?.id }, 'metadata refresh failed'),
    onRefreshed: (r) => {
      if (r.outcome !== 'unchanged') logger.info({ applicationId: r.application.id, outcome: r.outcome, error: r.error }, 'metadata refreshed');
    },
  });
  // Deleting a user or group also removes its app assignments (with its account assignments), in
  // the deletion's transaction.
  const principalAssignments = {
    async deleteForPrincipal(tx: UnitOfWork, type: 'USER' | 'GROUP', id: string): Promise<number> {
      return (await assignments.deleteForPrincipal(tx, type, id)) + (await tx.applications.deleteAssignmentsForPrincipal(type, id));
    },
  };
  const groupIdsOf = async (user: User): Promise<string[]> =>
    user.source === 'builtin' ? sql.directory.groupIdsOfUser(user.id) : (await identitySourceFor(user.source).groupsOf(user)).map((g) => g.id);
  const adminRoles = new AdminRoleLookup(sql);
  const adminPolicy = new AdminPolicy({
    adminRoles: sql.adminRoles,
    delegatedAdministrator: sql.delegatedAdministrator,
    assignments: sql.assignments,
    instance: sql.instance,
    audit: sql.audit,
    async groupIdsOf(userId) {
      const user = await sql.directory.getUser(userId);
      return user ? groupIdsOf(user) : [];
    },
  });
  const users = new UserService(sql, principalAssignments, passwords, accessEvents);
  const appSso = buildAppSso({
    reachable: (user, groups) => applications.forUser(user, groups),
    applications: sql.applications,
    instance: sql.instance,
    audit: sql.audit,
    serverSecret,
    ephemeral,
    portalSessions,
    saml,
    baseUrl: config.baseUrl,
    user: (id) => users.get(id),
    identitySourceFor,
    reportLeftOutTag,
    clock,
  });
  const ssoOidc = new SsoOidcService(
    { store: ephemeral, accessTokens: ssoAccessTokens, portalSession: (hash) => portalSessions.getByHash(hash), identitySourceFor, clock, audit: sql.audit },
    { baseUrl: config.baseUrl },
  );
  const groups = new GroupService(sql, principalAssignments, accessEvents);
  const permissionSets = new PermissionSetService(sql, accessEvents, sql.lagTolerant);
  const userAccess = new UserAccess({ user: (id) => users.get(id), identitySourceFor, entitlements, throttle: signInThrottle, audit: sql.audit });
  const provisioning = buildProvisioning(config, sql, signingKeyring, logger, options.provisioning);
  const portalPreferences = new PortalPreferences({ settings: sql.settings, ephemeral });
  const oidcAccess = new OidcAccess({ applications: sql.applications, directory: sql.directory, identitySourceFor, audit: sql.audit });
  const oidcGrants = new OidcGrants({ store: ephemeral, access: oidcAccess });
  const oidcSigningKeys = new OidcSigningKeys({ stores: sql, audit: sql.audit, sealKey: serverSecret.deriveKey('oidc-signing-keys'), now: () => dateNow(clock), ...(options.oidcKeyGenerator ? { generate: options.oidcKeyGenerator } : {}) });
  // Generated at first start, as the SAML key is (access/oidc/signing-keys.ts).
  await oidcSigningKeys.ensure();
  const signedInPeople = new SignedInPeople({ sessions: portalSessions, identitySourceFor });
  // The provider sessions end through the provider, built below (server/oidc/provider-logout.ts).
  const oidcSessions = { endForPortalSession: (sessionId: string) => providerLogout.endForPortalSession(sessionId) };
  const portalSignOut = new PortalSignOut({ sessions: portalSessions, audit: sql.audit, singleLogout: appSso.singleLogout, oidcGrants, oidcSessions });
  const secureCookies = config.baseUrl.startsWith('https://');
  const bridge = portalBridge({ secureCookies, people: signedInPeople, access: oidcAccess, grants: oidcGrants, signOut: portalSignOut, logger: logger.child({ component: 'oidc' }) });
  const oidcProviders = new OidcProviderHolder({
    provider: {
      issuer: `${config.baseUrl}${OIDC_MOUNT}`,
      cookieKeys: [serverSecret.deriveKey('oidc-cookies').toString('base64url')],
      secureCookies,
      adapter: ephemeralAdapter({
        store: ephemeral,
        clients: async (id) => {
          const app = await oidcAccess.application(id);
          return app ? oidcClientMetadata(app) : undefined;
        },
        nowSeconds: () => Math.floor(Date.now() / 1000),
      }),
      access: oidcAccess,
      portalAllows: bridge.portalAllows,
      bindGrant: bridge.bindGrant,
    },
    keys: oidcSigningKeys,
    claimNames: () => oidcAccess.customClaimNames(),
    refreshMs: config.signingKeysRefreshSeconds * 1000,
    now: () => clock.now(),
    configure: bridge.configure,
  });
  const providerLogout = new ProviderLogout({ providers: oidcProviders, sessions: oidcGrants, logger: logger.child({ component: 'oidc' }) });
  const services: Services = {
    config,
    logger,
    sql,
    ephemeral,
    builtinDirectory,
    users,
    groups,
    accounts: new AccountService(sql, config.defaultSignInEndpoint, accessEvents, sql.lagTolerant),
    permissionSets,
    assignments,
    entitlements,
    instanceSettings: new InstanceSettingsService(sql, accessEvents),
    accessEvents,
    adminTokens: new AdminTokenService({
      builtin: builtinDirectory,
      passwords: passwordCheck,
      stores: sql,
      roles: adminRoles,
      policy: adminPolicy,
      groupIdsOf,
      ttlMinutes: config.adminTokenTtlMinutes,
      mfa,
      clock,
    }),
    adminRoles,
    adminPolicy,
    adminRoleGrants: new AdminRoleService(sql, adminPolicy, () => dateNow(clock)),
    delegatedAdministrator: new DelegatedAdministratorService(sql, adminPolicy, () => dateNow(clock)),
    groupIdsOf,
    audit: sql.audit,
    auditLog: new AuditLog({ audit: sql.lagTolerant.audit, directory: sql.lagTolerant.directory }),
    auditRetention: new AuditRetention({
      audit: sql.audit,
      ephemeral,
      retentionDays: config.auditRetentionDays,
      intervalMs: 3_600_000,
      now: () => dateNow(clock),
      onError: (err) => logger.warn({ err }, 'audit retention purge failed'),
    }),
    signingKeyring,
    signingKeys: new SigningKeyService({
      store: sql.signingKeys, audit: sql.audit, keyring: signingKeyring, sealKey: signingSealKey(serverSecret), entityId, now: () => dateNow(clock),
      providersBehind: () => provisioning.providersBehind(),
    }),
    saml,
    portalSessions,
    signIn: new SignInService({
      identitySource,
      passwords: passwordCheck,
      sessions: portalSessions,
      instance: sql.instance,
      audit: sql.audit,
      mfa,
      pending: new PendingSignIns(ephemeral, mfaSealKey, clock),
      webauthn,
    }),
    mfa,
    webauthn,
    signInThrottle,
    awsFederation,
    ssoAccessTokens,
    ssoOidc,
    ssoLogout: new SsoLogoutService({ tokens: ssoAccessTokens, families: new TokenFamilies(ephemeral), credentialCache, audit: sql.audit }),
    serverSecret,
    appSso,
    sts,
    credentialCache,
    roleCredentials: new RoleCredentialService({
      identitySourceFor,
      entitlements,
      federation: awsFederation,
      broker: sts,
      cache: credentialCache,
      audit: sql.audit,
      epoch: authorizationEpoch,
      tokens: ssoAccessTokens,
      portalSession: (hash) => portalSessions.getByHash(hash),
      clock,
    }),
    identitySource,
    identitySourceFor,
    identitySourceConfig,
    applications,
    metadataRefresher,
    provisioning,
    oidcAccess,
    oidcGrants,
    oidcSigningKeys,
    oidcProviders,
    ouAssignments: new OuAssignmentService({ stores: sql, assignments, importOrganization: (actor) => provisioning.importOrganization(actor), now: () => dateNow(clock) }),
    clock,
    signedInPeople,
    portalSignOut,
    accountSignIn: new AccountSignIn({ federation: awsFederation, identitySourceFor, audit: sql.audit, recentAccounts: portalPreferences }),
    portalPreferences,
    applicationIcons: new ApplicationIcons({ stores: sql }),
    // ssoOidc is read at each call: tests replace it with one of other settings (test/aws/oidc-fixtures.ts).
    browserApprovals: new BrowserApprovals({
      get devices() { return services.ssoOidc.devices; },
      get codes() { return services.ssoOidc.codes; },
      audit: sql.audit,
    }),
    userAccess,
    console: buildConsoleServices({
      users, groups, applications, assignments, permissionSets, userAccess, identitySourceFor, decisions: appSso.decisions, transaction: sql.transaction,
    }),
    consoleAccess: new ConsoleAccess({ roles: adminRoles, groupIdsOf, audit: sql.audit }),
    readiness: [
      { name: 'sql', ping: () => sql.ping() },
      { name: ephemeral.kind === 'redis' ? 'redis' : 'ephemeral-store', ping: () => ephemeral.ping() },
    ],
    async close() {
      await metadataRefresher.stop();
      services.auditRetention.stop();
      await provisioning.close();
      await Promise.allSettled([ephemeral.close(), sql.close()]);
    },
  };
  subscribeAccessReactions(accessEvents, { epoch: authorizationEpoch, portalSessions, credentialCache, snapshots: services.roleCredentials, preferences: portalPreferences });
  subscribeProvisioning(accessEvents, provisioning.trigger());
  // Provider sessions end (with back-channel logout tokens) before their grants are revoked.
  subscribeOidcSessionEnd(accessEvents, providerLogout);
  subscribeOidcRevocation(accessEvents, oidcGrants);
  return services;
}
