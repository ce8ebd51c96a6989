// Builds the express app: one router per surface, each handed only the services it uses, as its
// own dependency type declares them (never the whole registry, never the stores). It serves
// everything but the SSO portal API, behind server/http-server.ts, which has already given the
// request its id, its request-log line and the headers every response carries.
import express, { type Express } from 'express';
import { actingAs } from '../access/audit/audit-context.ts';
import { adminRouter, type AdminRouterDeps } from './admin/router.ts';
import { apiDocsRouter } from './console/api-docs.ts';
import { consoleRouter } from './console/router.ts';
import { oidcRouter } from './aws/oidc/router.ts';
import { faviconRouter } from './favicon.ts';
import { healthRouter } from './health.ts';
import type { PortalSessionDeps } from './http/portal-session.ts';
import { notFoundRouter } from './not-found.ts';
import { portalApplicationsRouter } from './portal/applications.ts';
import { signInSecurityRouter } from './portal/sign-in-security.ts';
import { portalCredentialsRouter } from './portal/credentials.ts';
import { authorizeRouter } from './portal/authorize.ts';
import { deviceRouter } from './portal/device.ts';
import { portalRouter } from './portal/router.ts';
import { portalPasskeyRouter } from './portal/webauthn.ts';
import { samlRouter } from './saml/router.ts';
import { oidcProviderRouter } from './oidc/router.ts';
import { exposeRequestContext } from './request-log.ts';
import type { Services } from './services.ts';

export interface AppState {
  /** Set on SIGTERM: /readyz turns 503 so load balancers stop sending traffic first. */
  draining: boolean;
}

export function createApp(services: Services, state: AppState = { draining: false }): Express {
  const { config } = services;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');
  exposeRequestContext(app.request);
  // Every router that serves portal pages knows the signed-in person the same way.
  const portalSession: PortalSessionDeps = { secureCookies: config.baseUrl.startsWith('https://'), people: services.signedInPeople };
  const approvals = services.browserApprovals;

  app.use(faviconRouter());
  app.use(healthRouter({ dependencyTimeoutMs: config.dependencyTimeoutMs, readiness: services.readiness }, state));
  // Every audit event written while serving a request records the client's address; the admin API
  // names the person too once their token is checked (access/audit/audit-context.ts).
  app.use((req, _res, next) => actingAs({ actorId: null, actorName: null, address: req.ip ?? null }, () => next()));
  // The API's browsable documentation, public like the OpenAPI document it shows.
  app.use('/api/v1/docs', apiDocsRouter());
  app.use('/api/v1', adminRouter(adminRouterDeps(services)));
  app.use('/admin', consoleRouter({
    ...portalSession,
    oidcIssuer: `${config.baseUrl}/oidc`,
    accounts: services.accounts,
    users: services.users,
    groups: services.groups,
    permissionSets: services.permissionSets,
    assignments: services.assignments,
    applications: services.applications,
    instanceSettings: services.instanceSettings,
    identitySourceConfig: services.identitySourceConfig,
    identitySourceFor: services.identitySourceFor,
    auditLog: services.auditLog,
    console: services.console,
    consoleAccess: services.consoleAccess,
    adminPolicy: services.adminPolicy,
    adminTokens: services.adminTokens,
    mfa: services.mfa,
    config,
  }));
  app.use(samlRouter({
    ...portalSession,
    baseUrl: config.baseUrl,
    signingKeyring: services.signingKeyring,
    spInitiated: services.appSso.spInitiated,
    singleLogout: services.appSso.singleLogout,
  }));
  // SSO OIDC API (JSON) and its two browser pages, /device and /authorize; each router keeps to its own paths.
  // The SSO OIDC service is read at each request (getters): tests replace the registry's entry
  // with one of other settings while the server runs (test/aws/oidc-fixtures.ts).
  app.use(oidcRouter({ get ssoOidc() { return services.ssoOidc; } }));
  app.use(deviceRouter({ ...portalSession, approvals, get devices() { return services.ssoOidc.devices; } }));
  app.use(authorizeRouter({ ...portalSession, approvals, get codes() { return services.ssoOidc.codes; } }));
  app.use(portalCredentialsRouter({
    ...portalSession,
    baseUrl: config.baseUrl,
    ssoRegion: config.ssoRegion,
    roleCredentials: services.roleCredentials,
    accounts: services.accounts,
    clock: services.clock,
  }));
  // The OpenID Provider under /oidc (the root's /token, /authorize and /device_authorization are the AWS APIs').
  app.use(oidcProviderRouter({ ...portalSession, providers: services.oidcProviders, access: services.oidcAccess }));
  app.use(signInSecurityRouter({ ...portalSession, mfa: services.mfa }));
  app.use(portalApplicationsRouter({ ...portalSession, applications: services.applications, idpInitiated: services.appSso.idpInitiated, icons: services.applicationIcons }));
  app.use(portalPasskeyRouter({ ...portalSession, webauthn: services.webauthn, mfa: services.mfa }));
  app.use(portalRouter({
    ...portalSession,
    signIn: services.signIn,
    portalSessions: services.portalSessions,
    entitlements: services.entitlements,
    accountSignIn: services.accountSignIn,
    clock: services.clock,
    signOut: services.portalSignOut,
    consoleAccess: services.consoleAccess,
    preferences: services.portalPreferences,
  }));
  app.use(notFoundRouter());
  return app;
}

/** What the admin router is given (also walked by test/admin/admin-roles.test.ts). */
export function adminRouterDeps(services: Services): AdminRouterDeps {
  const { config } = services;
  return {
    provisioning: services.provisioning,
    ouAssignments: services.ouAssignments,
    baseUrl: config.baseUrl,
    adminTokens: services.adminTokens,
    mfa: services.mfa,
    users: services.users,
    groups: services.groups,
    userAccess: services.userAccess,
    accounts: services.accounts,
    permissionSets: services.permissionSets,
    assignments: services.assignments,
    instanceSettings: services.instanceSettings,
    identitySourceConfig: services.identitySourceConfig,
    identitySource: services.identitySource,
    applications: services.applications,
    applicationIcons: services.applicationIcons,
    applicationPreview: services.appSso.preview,
    signingKeys: services.signingKeys,
    oidcSigningKeys: services.oidcSigningKeys,
    oidcProviders: services.oidcProviders,
    auditLog: services.auditLog,
    adminPolicy: services.adminPolicy,
    adminRoleGrants: services.adminRoleGrants,
    delegatedAdministrator: services.delegatedAdministrator,
  };
}
