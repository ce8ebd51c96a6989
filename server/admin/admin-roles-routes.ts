// Admin roles, the delegated administrator account and API tokens (docs/admin-api.md):
//   GET    /admin-roles                               every grant
//   PUT    /admin-roles/{USER|GROUP}/{id}  {role}     give a role (replaces the one held)
//   DELETE /admin-roles/{USER|GROUP}/{id}             take it away (their API tokens go too)
//   GET    /delegated-administrator                   the registered account (404 when none)
//   PUT    /delegated-administrator  {accountId, administrators?}   register
//   DELETE /delegated-administrator                   deregister (assignments stay)
//   GET    /tokens[?userId=]                          unexpired API tokens (never their secret)
//   DELETE /tokens/{id}                               revoke one, on every node at once
import type { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../../model/validate.ts';
import type { AdminRoleService } from '../../access/admin/admin-role-service.ts';
import type { DelegatedAdministratorService } from '../../access/admin/delegated-administrator.ts';
import type { AdminTokenService } from '../../access/admin-tokens.ts';
import { principalOf } from './auth.ts';

const tokenQuery = z.object({
  userId: z.string().max(128).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  nextToken: z.string().max(512).optional(),
});

export interface AdminRolesRoutesDeps {
  adminRoleGrants: Pick<AdminRoleService, 'list' | 'grant' | 'revoke'>;
  delegatedAdministrator: Pick<DelegatedAdministratorService, 'get' | 'register' | 'deregister'>;
  adminTokens: Pick<AdminTokenService, 'list' | 'revokeById'>;
}

export function mountAdminRoles(router: Router, services: AdminRolesRoutesDeps): void {
  const roles = services.adminRoleGrants;
  router.get('/admin-roles', async (_req, res) => {
    res.json({ items: await roles.list() });
  });
  router.put('/admin-roles/:principalType/:principalId', async (req, res) => {
    res.json(await roles.grant(principalOf(res), req.params.principalType, req.params.principalId, req.body));
  });
  router.delete('/admin-roles/:principalType/:principalId', async (req, res) => {
    await roles.revoke(principalOf(res), req.params.principalType, req.params.principalId);
    res.status(204).end();
  });

  const delegated = services.delegatedAdministrator;
  router.get('/delegated-administrator', async (_req, res) => {
    res.json(await delegated.get());
  });
  router.put('/delegated-administrator', async (req, res) => {
    res.json(await delegated.register(principalOf(res), req.body));
  });
  router.delete('/delegated-administrator', async (_req, res) => {
    await delegated.deregister(principalOf(res));
    res.status(204).end();
  });

  router.get('/tokens', async (req, res) => {
    res.json(await services.adminTokens.list(principalOf(res), parseInput(tokenQuery, req.query, 'query')));
  });
  router.delete('/tokens/:id', async (req, res) => {
    await services.adminTokens.revokeById(principalOf(res), req.params.id);
    res.status(204).end();
  });
}
