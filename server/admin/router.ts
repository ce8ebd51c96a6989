// The admin JSON API under /api/v1 (camelCase fields mirroring the AWS shapes).
import express, { Router } from 'express';
import { z } from 'zod';
import type { AccountService } from '../../access/accounts.ts';
import type { AdminPolicy } from '../../access/admin/admin-policy.ts';
import type { AdminTokenService } from '../../access/admin-tokens.ts';
import type { AssignmentService } from '../../access/assignments.ts';
import type { InstanceSettingsService } from '../../access/instance-settings.ts';
import type { MfaService } from '../../access/mfa/mfa-service.ts';
import type { AuditLog } from '../../access/audit/audit-log.ts';
import type { UserAccess } from '../../access/org/user-access.ts';
import type { PermissionSetService } from '../../access/permission-sets.ts';
import type { GroupService } from '../../directory/groups.ts';
import type { UserService } from '../../directory/users.ts';
import { parseInput } from '../../model/validate.ts';
import type { MfaDevice } from '../../model/mfa.ts';
import { applicationRoutes, type ApplicationRoutesDeps } from './application-routes.ts';
import { applicationIconRoutes, type ApplicationIconRoutesDeps } from './application-icon-routes.ts';
import { mountAdminRoles, type AdminRolesRoutesDeps } from './admin-roles-routes.ts';
import { mountAudit } from './audit-routes.ts';
import { actorOf, enforceAdminPolicy, requireAdmin } from './auth.ts';
import { mountIdentitySource, type IdentitySourceRoutesDeps } from './identity-source-routes.ts';
import { listQuery } from './list-query.ts';
import { openApiDocument } from './openapi.ts';
import { problemHandler } from './problem.ts';
import { mountResource } from './resource-routes.ts';
import { mountSigningKeys, type SigningKeyRoutesDeps } from './signing-key-routes.ts';
import { mountOidcSigningKeys, type OidcKeyRoutesDeps } from './oidc-key-routes.ts';
import { mountProvisioning, type ProvisioningRoutesDeps } from './provisioning-routes.ts';
import { federatedRoleFor } from '../../access/role-name.ts';

const credentialsSchema = z.strictObject({ userName: z.string().min(1).max(1024), password: z.string().min(1).max(1024), totpCode: z.string().max(32).optional() });

export interface AdminRouterDeps extends ApplicationRoutesDeps, ApplicationIconRoutesDeps, IdentitySourceRoutesDeps, SigningKeyRoutesDeps, AdminRolesRoutesDeps, ProvisioningRoutesDeps, OidcKeyRoutesDeps {
  /** For the OpenAPI document's server URL. */
  baseUrl: string;
  adminTokens: Pick<AdminTokenService, 'issue' | 'authenticate' | 'revoke' | 'list' | 'revokeById'>;
  adminPolicy: Pick<AdminPolicy, 'authorize' | 'guardWrites'>;
  users: Pick<UserService, 'create' | 'get' | 'list' | 'update' | 'delete'>;
  groups: Pick<GroupService, 'create' | 'get' | 'list' | 'update' | 'delete' | 'listMembers' | 'addMember' | 'removeMember'>;
  userAccess: Pick<UserAccess, 'entitlementsOf' | 'unlock' | 'signInStateOf'>;
  accounts: AccountService;
  permissionSets: PermissionSetService;
  assignments: Pick<AssignmentService, 'list' | 'create' | 'delete'>;
  instanceSettings: Pick<InstanceSettingsService, 'get' | 'update'>;
  /** A user's second-factor devices, for administrators (docs/mfa.md). */
  mfa: Pick<MfaService, 'devicesOfUser' | 'removeForUser' | 'reset'>;
  auditLog: Pick<AuditLog, 'list' | 'export'>;
}

export function adminRouter(services: AdminRouterDeps): Router {
  const router = Router();
  // Applications take SP metadata documents, larger than the limit below: their own parsers, behind
  // the admin check (unmatched paths there fall through to the routes below).
  router.use('/applications', requireAdmin(services.adminTokens), enforceAdminPolicy(services.adminPolicy), applicationRoutes(services));
  router.use('/applications', applicationIconRoutes(services));
  // 256 KB leaves room for a 32 KB inline policy and lets an oversized one reach validation,
  // which names the field, instead of failing as a bare 413.
  router.use(express.json({ limit: '256kb', type: ['application/json', 'application/*+json'] }));

  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument(services.baseUrl));
  });

  router.post('/tokens', async (req, res) => {
    const { userName, password, totpCode } = parseInput(credentialsSchema, req.body, 'credentials');
    const { token, expiresAt, id, role } = await services.adminTokens.issue(userName, password, req.ip ?? 'unknown', totpCode);
    res.status(201).json({ token, tokenType: 'Bearer', expiresAt: expiresAt.toISOString(), id, role });
  });

  router.use(requireAdmin(services.adminTokens));

  // What the caller's admin role may not do is refused here, before any route (access/admin/admin-policy.ts).
  router.use(enforceAdminPolicy(services.adminPolicy));

  router.delete('/tokens/current', async (req, res) => {
    await services.adminTokens.revoke(/^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1] ?? '');
    res.status(204).end();
  });

  const { users, groups } = services;
  mountResource(router, '/users', {
    create: (input, actor) => users.create(input, actor),
    get: (id) => users.get(id),
    list: (q) => users.list(q),
    update: (id, input, actor) => users.update(id, input, actor),
    delete: (id, _cascade, actor) => users.delete(id, actor),
  });
  router.get('/users/:id/entitlements', async (req, res) => {
    const { user, access } = await services.userAccess.entitlementsOf(req.params.id);
    res.json({
      userId: user.id,
      accounts: access.map(({ account, permissionSets }) => ({
        accountId: account.accountId,
        accountName: account.name,
        emailAddress: account.email,
        permissionSets: permissionSets.map((s) => {
          const { roleName, roleArn } = federatedRoleFor(account, s);
          return { id: s.id, name: s.name, arn: s.arn, roleName, roleArn };
        }),
      })),
    });
  });

  // An account locked by consecutive failed sign-ins stays locked until an administrator unlocks
  // it here (access/org/user-access.ts).
  router.post('/users/:id/unlock', async (req, res) => {
    await services.userAccess.unlock(req.params.id, actorOf(res));
    res.status(204).end();
  });

  // Whether the user is locked or throttled from signing in now (docs/admin-api.md).
  router.get('/users/:id/sign-in-state', async (req, res) => {
    res.json(await services.userAccess.signInStateOf(req.params.id));
  });

  // A user's second factors (docs/mfa.md "Recovery and administrator reset"): listed without any
  // secret, removed one at a time, or all reset at once; each change audited.
  router.get('/users/:id/mfa-devices', async (req, res) => {
    const { devices, recoveryCodesLeft } = await services.mfa.devicesOfUser(req.params.id);
    res.json({ items: devices.map(deviceView), recoveryCodesLeft });
  });
  router.delete('/users/:id/mfa-devices/:deviceId', async (req, res) => {
    await services.mfa.removeForUser(req.params.id, req.params.deviceId, actorOf(res));
    res.status(204).end();
  });
  router.post('/users/:id/mfa-reset', async (req, res) => {
    res.json({ devicesRemoved: await services.mfa.reset(req.params.id, actorOf(res)) });
  });

  mountResource(router, '/groups', {
    create: (input, actor) => groups.create(input, actor),
    get: (id) => groups.get(id),
    list: (q) => groups.list(q),
    update: (id, input, actor) => groups.update(id, input, actor),
    delete: (id, _cascade, actor) => groups.delete(id, actor),
  });
  router.get('/groups/:id/members', async (req, res) => {
    res.json(await groups.listMembers(req.params.id, listQuery(req.query)));
  });
  router.post('/groups/:id/members', async (req, res) => {
    await groups.addMember(req.params.id, req.body, actorOf(res));
    res.status(204).end();
  });
  router.delete('/groups/:id/members/:userId', async (req, res) => {
    await groups.removeMember(req.params.id, req.params.userId, actorOf(res));
    res.status(204).end();
  });

  mountResource(router, '/accounts', services.accounts);
  mountResource(router, '/permission-sets', services.permissionSets);

  router.get('/account-assignments', async (req, res) => {
    const { limit, nextToken, ...filter } = req.query as Record<string, string>;
    const q = listQuery({ limit, nextToken });
    res.json(await services.provisioning.withRoles(await services.assignments.list(filter, { limit: q.limit, nextToken: q.nextToken })));
  });
  router.post('/account-assignments', async (req, res) => {
    res.status(201).json(await services.assignments.create(req.body, actorOf(res)));
  });
  // DELETE takes the assignment's four fields in the query (or the body, for clients that send one).
  router.delete('/account-assignments', async (req, res) => {
    const key = req.body && typeof req.body === 'object' && Object.keys(req.body as object).length ? req.body : req.query;
    await services.assignments.delete(key, actorOf(res));
    res.status(204).end();
  });

  router.get('/instance', async (_req, res) => {
    res.json(await services.instanceSettings.get());
  });
  router.patch('/instance', async (req, res) => {
    res.json(await services.instanceSettings.update(req.body, actorOf(res)));
  });

  mountIdentitySource(router, services);
  mountSigningKeys(router, services);
  mountOidcSigningKeys(router, services);
  mountProvisioning(router, services);

  mountAdminRoles(router, services);
  mountAudit(router, services.auditLog);

  router.use((_req, res) => {
    res.status(404).type('application/problem+json').json({ type: 'urn:gatehouse:problem:not-found', title: 'Not found', status: 404, detail: 'No such admin API endpoint' });
  });
  router.use(problemHandler);
  return router;
}

function deviceView(d: MfaDevice) {
  return { id: d.id, kind: d.kind, name: d.name, createdAt: d.createdAt.toISOString(), lastUsedAt: d.lastUsedAt?.toISOString() ?? null };
}
