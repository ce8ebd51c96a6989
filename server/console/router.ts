// The admin console at /admin (docs/admin-console.md): server-rendered pages over the same use
// cases as the admin API, for administrators signed in to the portal. This file only wires: it
// hands each page router the services it names in its own dependency type.
import express, { Router } from 'express';
import { ConsoleAssignAccess } from '../../access/admin/console-assign-access.ts';
import { ConsoleAuditLog } from '../../access/admin/console-audit-log.ts';
import { ConsoleCascades } from '../../access/admin/console-cascades.ts';
import { ConsolePermissionSets } from '../../access/admin/console-permission-sets.ts';
import { ConsolePreview } from '../../access/admin/console-preview.ts';
import { ConsoleUserActions } from '../../access/admin/console-user-actions.ts';
import { NotFoundError } from '../../model/errors.ts';
import type { Services } from '../services.ts';
import { requireConsoleAdmin, requireCsrf } from './console-auth.ts';
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

export function consoleRouter(services: Services): Router {
  const router = Router();
  const cascades = new ConsoleCascades({ assignments: services.assignments, groups: services.groups, applications: services.applications });
  router.use(consoleSecurity);
  router.use(requireConsoleAdmin(services));
  // Metadata documents pasted or read from a file may be up to 1 MB (the parser's own limit).
  router.use(express.urlencoded({ extended: false, limit: '2mb', parameterLimit: 2000 }));
  router.use(requireCsrf);

  const directory = { ...services, cascades, userActions: new ConsoleUserActions({ users: services.users, throttle: services.signInThrottle, audit: services.audit }) };
  const preview = new ConsolePreview({ applications: services.applications, users: services.users, identitySourceFor: services.identitySourceFor, decisions: services.appSso.decisions });

  router.use('/accounts', accountPages({ ...services, cascades }));
  router.use('/assign', assignPages({ ...services, assignAccess: new ConsoleAssignAccess({ assignments: services.assignments, transaction: services.sql.transaction }) }));
  router.use('/permission-sets', permissionSetPages({ ...services, consolePermissionSets: new ConsolePermissionSets(services.permissionSets), cascades }));
  router.use('/users', userPages(directory));
  router.use('/groups', groupPages(directory));
  router.use('/applications', applicationPages({ ...services, preview, cascades }));
  router.use('/identity-source', identitySourcePages(services));
  router.use('/settings', settingsPages(services));
  router.use('/audit', auditPages({ auditLog: new ConsoleAuditLog(services.audit), users: services.users }));
  router.use('/', homePages(services));
  router.use((req) => {
    throw new NotFoundError('console page', req.path);
  });
  router.use(consoleErrorHandler);
  return router;
}
