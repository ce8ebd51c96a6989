// The services registry: opens the stores and builds every service once, in the one direction
// data flows (stores → directory/access → idp). server/app.ts builds HTTP on top of it; tests
// build it with their own configuration.
import path from 'node:path';
import { AccountService } from '../access/accounts.ts';
import { AdminTokenService } from '../access/admin-tokens.ts';
import { AddressPolicy } from '../access/applications/address-policy.ts';
import { ApplicationService } from '../access/applications/application-service.ts';
import { fetchMetadataDocument } from '../access/applications/metadata-fetcher.ts';
import { refreshApplicationMetadata } from '../access/applications/metadata-refresh.ts';
import { MetadataRefresher } from '../access/applications/metadata-refresher.ts';
import { AssignmentService } from '../access/assignments.ts';
import { AuthorizationEpoch, bumpingEpochOnAccessChanges } from '../access/authorization-epoch.ts';
import { AwsFederationService, type LeftOutSessionTag, type SamlIdentity } from '../access/aws-federation.ts';
import { CredentialCache } from '../access/credential-cache.ts';
import { EntitlementService } from '../access/entitlements.ts';
import { InstanceSettingsService } from '../access/instance-settings.ts';
import { PermissionSetService } from '../access/permission-sets.ts';
import { PortalSessionService } from '../access/portal-sessions.ts';
import { RoleCredentialService } from '../access/role-credentials.ts';
import { loadOrCreateServerSecret, type ServerSecret } from '../access/server-secret.ts';
import { PasswordCheck } from '../access/password-check.ts';
import { SignInService } from '../access/sign-in.ts';
import { SsoAccessTokenService } from '../access/sso-access-tokens.ts';
import { SsoLogoutService } from '../access/sso-logout.ts';
import { SsoOidcService } from '../access/sso-oidc/sso-oidc.ts';
import { TokenFamilies } from '../access/sso-oidc/token-families.ts';
import { SignInThrottle } from '../access/sign-in-throttle.ts';
import type { IdentitySource } from '../directory/identity-source.ts';
import { buildAppSso, type AppSsoContext } from './saml/app-sso-context.ts';
import { generateSigningKey, readConfiguredSigningKey, signingKeyFromPem } from '../idp/keys.ts';
import { ensureCurrentSigningKey } from '../access/signing-keys/first-start.ts';
import { SigningKeyring } from '../access/signing-keys/keyring.ts';
import { SigningKeyService } from '../access/signing-keys/signing-key-service.ts';
import { idpEntityId } from '../idp/saml/metadata.ts';
import { NAMEID_EMAIL, NAMEID_PERSISTENT, NAMEID_UNSPECIFIED } from '../idp/saml/namespaces.ts';
import { StsClient, type RoleCredentialBroker } from '../idp/sts/sts-client.ts';
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
import { OuAssignmentService } from '../access/provisioning/ou-assignments.ts';

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
  adminTokens: AdminTokenService;
  audit: AuditStore;
  /** The signing keys in use on this node: current signs, current + next + previous are published. */
  signingKeyring: SigningKeyring;
  /** Stage, promote, retire signing keys (admin API, gatehouse keys). */
  signingKeys: SigningKeyService;
  /** Our SAML identity; its `key` is always the current signing key. */
  saml: SamlIdentity;
  portalSessions: PortalSessionService;
  signIn: SignInService;
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
  /** IAM roles and SAML providers in each account: plans, jobs, status, drift (docs/provisioning.md). */
  provisioning: ProvisioningService;
  /** Assignments to every current and future account of an OU, and the organization import that expands them. */
  ouAssignments: OuAssignmentService;
  close(): Promise<void>;
}

/** What only tests choose; server/main.ts passes none, so production always runs at the defaults. */
export interface ServiceOptions {
  /** argon2id cost of new password hashes (directory/passwords.ts); default: the production cost. */
  passwordHashCost?: Argon2idCost;
  /** The provisioning driver's AWS credentials, backoff and clock. */
  provisioning?: ProvisioningTestOptions;
}

export async function createServices(config: Config, logger: Logger, options: ServiceOptions = {}): Promise<Services> {
  const opened = await openSqlStores(config.database, {
    connectTimeoutMs: config.dependencyTimeoutMs,
    queryTimeoutMs: Math.max(config.dependencyTimeoutMs, 5000),
  });
  let ephemeral: EphemeralStore;
  try {
    ephemeral = await openEphemeralStore({
      redisUrl: config.redisUrl,
      // Embedded mode keeps short-lived state in the SQLite file too, so a restart loses nothing.
      sqliteFile: config.database.kind === 'sqlite' ? config.database.file : path.join(config.dataDir, 'ephemeral.db'),
      timeoutMs: config.dependencyTimeoutMs,
      onConnectionError: (err: unknown) => logger.warn({ err }, 'redis connection error'),
    });
  } catch (e) {
    await opened.close();
    throw e;
  }
  // Every change to who reaches what appends its audit event with the change; once that commits,
  // the authorization epoch is replaced, which invalidates the per-node access snapshots of the
  // credential path on every node (access/authorization-epoch.ts).
  const authorizationEpoch = new AuthorizationEpoch(ephemeral);
  const sql = bumpingEpochOnAccessChanges(opened, authorizationEpoch);

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
      now: () => new Date(),
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
  });
  const activeSource = new ActiveIdentitySource(identitySourceConfig, 'active');
  const ldapSource = new ActiveIdentitySource(identitySourceConfig, 'ldap');
  const identitySource = (): IdentitySource => activeSource;
  const identitySourceFor = (source: User['source']): IdentitySource => (source === 'ldap' ? ldapSource : builtinDirectory);
  const portalSessions = new PortalSessionService(ephemeral);
  const signInThrottle = new SignInThrottle(ephemeral);
  // One password check for every surface that takes a password, so their guesses add up.
  const passwordCheck = new PasswordCheck(signInThrottle, sql.audit, logger.child({ component: 'password-check' }));
  const entitlements = new EntitlementService(sql.assignments, sql.accounts, sql.permissionSets);
  const assignments = new AssignmentService(sql);
  // A mapped attribute too long to be a session tag is left out of the assertion (access/aws-federation.ts).
  const reportLeftOutTag = (tag: LeftOutSessionTag) =>
    logger.warn({ event: 'federation.session-tag.left-out', ...tag }, `session tag ${tag.tagKey} left out: ${tag.reason}`);
  const awsFederation = new AwsFederationService(entitlements, sql.instance, () => saml, reportLeftOutTag);
  const sts = new StsClient({ endpoint: config.stsEndpoint, timeoutMs: config.dependencyTimeoutMs });
  const credentialCache = new CredentialCache(ephemeral, serverSecret.deriveKey('role-credential-cache'));
  const ssoAccessTokens = new SsoAccessTokenService(ephemeral);
  const metadataAddresses = new AddressPolicy(config.metadataFetch.allowPrivateTargets);
  const applicationDeps = {
    store: sql.applications,
    directory: sql.directory,
    transaction: sql.transaction,
    ownEntityIds: [entityId],
    instanceTrust: async () => (await sql.instance.getOrCreate()).metadataTrust,
    fetch: (url: string) => fetchMetadataDocument(url, { timeoutMs: config.metadataFetch.timeoutMs, addresses: metadataAddresses }),
    now: () => new Date(),
  };
  const applications = new ApplicationService(applicationDeps);
  const metadataRefresher = new MetadataRefresher({
    store: sql.applications,
    ephemeral,
    refresh: (app) => refreshApplicationMetadata(app, applicationDeps, 'system'),
    intervalMs: config.metadataFetch.refreshIntervalSeconds * 1000,
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
  const provisioning = buildProvisioning(config, sql, signingKeyring, logger, options.provisioning);
  const services: Services = {
    config,
    logger,
    sql,
    ephemeral,
    builtinDirectory,
    users: new UserService(sql, principalAssignments, passwords),
    groups: new GroupService(sql, principalAssignments),
    accounts: new AccountService(sql, config.defaultSignInEndpoint),
    permissionSets: new PermissionSetService(sql),
    assignments,
    entitlements,
    instanceSettings: new InstanceSettingsService(sql),
    adminTokens: new AdminTokenService(builtinDirectory, passwordCheck, sql, config.adminTokenTtlMinutes),
    audit: sql.audit,
    signingKeyring,
    signingKeys: new SigningKeyService({ store: sql.signingKeys, audit: sql.audit, keyring: signingKeyring, sealKey: signingSealKey(serverSecret), entityId }),
    saml,
    portalSessions,
    signIn: new SignInService(identitySource, passwordCheck, portalSessions, sql.instance, sql.audit),
    signInThrottle,
    awsFederation,
    ssoAccessTokens,
    ssoOidc: new SsoOidcService(
      { store: ephemeral, accessTokens: ssoAccessTokens, portalSession: (hash) => portalSessions.getByHash(hash), identitySourceFor },
      { baseUrl: config.baseUrl },
    ),
    ssoLogout: new SsoLogoutService({ tokens: ssoAccessTokens, families: new TokenFamilies(ephemeral), credentialCache, audit: sql.audit }),
    serverSecret,
    appSso: buildAppSso({
      reachable: (user, groups) => applications.forUser(user, groups),
      instance: sql.instance,
      serverSecret,
      ephemeral,
      portalSessions,
      reportLeftOutTag,
    }),
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
    }),
    identitySource,
    identitySourceFor,
    identitySourceConfig,
    applications,
    metadataRefresher,
    provisioning,
    ouAssignments: new OuAssignmentService({ stores: sql, assignments, importOrganization: (actor) => provisioning.importOrganization(actor), now: () => new Date() }),
    async close() {
      await metadataRefresher.stop();
      provisioning.stopRecovery();
      await provisioning.idle();
      await Promise.allSettled([ephemeral.close(), sql.close()]);
    },
  };
  // A disabled or deleted user's portal sessions end at once (docs/security.md: "Tokens and sessions").
  services.users.onLifecycle({
    userDisabled: async (id) => void (await portalSessions.destroyAllForUser(id)),
    userDeleted: async (id) => void (await portalSessions.destroyAllForUser(id)),
  });
  // Cached role credentials go with the user's disablement or deletion, and with any assignment
  // of their (account, permission set): docs/aws-cli.md.
  services.users.onLifecycle({
    userDisabled: async (id) => void (await credentialCache.purgeUser(id)),
    userDeleted: async (id) => void (await credentialCache.purgeUser(id)),
  });
  assignments.onRemoved(async (removed) => void (await credentialCache.purgePair(removed.accountId, removed.permissionSetId)));
  // Provisioning follows assignments and permission set edits (docs/provisioning.md).
  const trigger = provisioning.trigger();
  assignments.onCreated((a) => trigger.assignmentsChanged(a.accountId));
  assignments.onRemoved(async (removed) => trigger.assignmentsChanged(removed.accountId));
  services.permissionSets.onChanged((id, deleted) => trigger.permissionSetChanged(id, deleted));
  return services;
}
