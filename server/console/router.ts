// The admin console at /admin (docs/admin-console.md): server-rendered pages over the same use
// cases as the admin API, for administrators signed in to the portal. This file only wires: it
// hands each page router the services it names in its own dependency type.
import express, { Router } from 'express';
import type { AccountService } from '../../access/accounts.ts';
import type { ConsoleServices } from '../../access/admin/console-services.ts';
import type { ApplicationService } from '../../access/applications/application-service.ts';
import type { AssignmentService } from '../../access/assignments.ts';
import type { InstanceSettingsService } from '../../access/instance-settings.ts';
import type { AuditLog } from '../../access/audit/audit-log.ts';
import type { PermissionSetService } from '../../access/permission-sets.ts';
import type { IdentitySourceFor } from '../../access/sessions/signed-in-person.ts';
import type { GroupService } from '../../directory/groups.ts';
import type { IdentitySourceConfig } from '../../directory/identity-source-config.ts';
import type { UserService } from '../../directory/users.ts';
import { NotFoundError } from '../../model/errors.ts';
import type { PortalSessionDeps } from '../http/portal-session.ts';
import type { AdminPolicy } from '../../access/admin/admin-policy.ts';
import type { ConsoleAccess } from '../../access/admin/console-access.ts';
import { enforceConsolePolicy, requireConsoleAdmin, requireCsrf } from './console-auth.ts';
import { consoleErrorHandler } from './console-errors.ts';
import { consoleSecurity } from './console-security.ts';
import { accountPages } from './account-pages.ts';
import { applicationPages } from './application-pages.ts';
import { assignPages } from './assign-pages.ts';
import { auditPages } from './audit-pages.ts';
import { groupPages, userPages } from './directory-pages.ts';
import { homePages } from './home-pages.ts';
import { identitySourcePages } from './identity-source-pages.ts';
import { permissionSetPages } from './permission-set-pages.ts';
import { settingsPages } from './settings-pages.ts';
import { apiTokenPages, type ApiTokenPagesDeps } from './api-token-pages.ts';
import { userMfaPages, type UserMfaPagesDeps } from './user-mfa-pages.ts';

export interface ConsoleRouterDeps extends PortalSessionDeps, ApiTokenPagesDeps, Pick<UserMfaPagesDeps, 'mfa'> {
  /** The OpenID Provider's issuer (BASE_URL/oidc), shown on OIDC application pages. */
  oidcIssuer?: string;
  accounts: AccountService;
  users: UserService;
  groups: GroupService;
  permissionSets: PermissionSetService;
  assignments: AssignmentService;
  applications: ApplicationService;
  instanceSettings: InstanceSettingsService;
  identitySourceConfig: IdentitySourceConfig;
  identitySourceFor: IdentitySourceFor;
  auditLog: AuditLog;
  console: ConsoleServices;
  /** Who holds an admin role now, and what that role may do: the admin API's answers. */
  consoleAccess: Pick<ConsoleAccess, 'actorOf' | 'refused'>;
  adminPolicy: Pick<AdminPolicy, 'authorize' | 'guardWrites' | 'allows'>;
}

export function consoleRouter(deps: ConsoleRouterDeps): Router {
  const router = Router();
  const { cascades, userActions, preview, assignAccess } = deps.console;
  router.use(consoleSecurity);
  router.use(requireConsoleAdmin(deps));
  // Metadata documents pasted or read from a file may be up to 1 MB (the parser's own limit).
  router.use(express.urlencoded({ extended: false, limit: '2mb', parameterLimit: 2000 }));
  router.use(requireCsrf);
  router.use(enforceConsolePolicy(deps.adminPolicy));

  const directory = { users: deps.users, groups: deps.groups, identitySourceFor: deps.identitySourceFor, cascades, userActions, adminPolicy: deps.adminPolicy };
  router.use('/accounts', accountPages({ ...deps, cascades }));
  router.use('/assign', assignPages({ ...deps, assignAccess }));
  router.use('/permission-sets', permissionSetPages({ ...deps, consolePermissionSets: deps.console.permissionSets, cascades }));
  router.use('/users', userMfaPages(deps));
  router.use('/users', userPages(directory));
  router.use('/groups', groupPages(directory));
  router.use('/applications', applicationPages({ ...deps, oidcIssuer: deps.oidcIssuer ?? '/oidc', preview, cascades }));
  router.use('/identity-source', identitySourcePages(deps));
  router.use('/settings', settingsPages(deps));
  router.use('/audit', auditPages(deps));
  router.use('/api-token', apiTokenPages(deps));
  router.use('/', homePages(deps));
  router.use((req) => {
    throw new NotFoundError('console page', req.path);
  });
  router.use(consoleErrorHandler);
  return router;
}
