// The admin JSON API under /api/v1 (camelCase fields mirroring the AWS shapes).
import express, { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../../model/validate.ts';
import type { Services } from '../services.ts';
import { mountApplicationPreview } from './application-preview-routes.ts';
import { applicationRoutes } from './application-routes.ts';
import { actorOf, requireAdmin } from './auth.ts';
import { mountIdentitySource } from './identity-source-routes.ts';
import { listQuery } from './list-query.ts';
import { openApiDocument } from './openapi.ts';
import { problemHandler } from './problem.ts';
import { mountResource } from './resource-routes.ts';
import { mountSigningKeys } from './signing-key-routes.ts';
import { mountProvisioning } from './provisioning-routes.ts';
import { federatedRoleFor } from '../../access/role-name.ts';

const credentialsSchema = z.strictObject({ userName: z.string().min(1).max(1024), password: z.string().min(1).max(1024) });

export function adminRouter(services: Services): Router {
  const router = Router();
  // Applications take SP metadata documents, larger than the limit below: their own parsers, behind
  // the admin check (unmatched paths there fall through to the routes below).
  router.use('/applications', requireAdmin(services.adminTokens), applicationRoutes(services));
  // 256 KB leaves room for a 32 KB inline policy and lets an oversized one reach validation,
  // which names the field, instead of failing as a bare 413.
  router.use(express.json({ limit: '256kb', type: ['application/json', 'application/*+json'] }));

  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument(services.config.baseUrl));
  });

  router.post('/tokens', async (req, res) => {
    const { userName, password } = parseInput(credentialsSchema, req.body, 'credentials');
    const { token, expiresAt } = await services.adminTokens.issue(userName, password, req.ip ?? 'unknown');
    res.status(201).json({ token, tokenType: 'Bearer', expiresAt: expiresAt.toISOString() });
  });

  router.use(requireAdmin(services.adminTokens));

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
    const user = await users.get(req.params.id);
    const source = services.identitySourceFor(user.source);
    const access = await services.entitlements.forUser(user, await source.groupsOf(user));
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

  // An account locked by 100 consecutive failed sign-ins (NIST SP 800-63B §5.2.2) stays locked
  // until an administrator unlocks it here. Failures are counted per typed name, and a directory
  // whose login attribute is mail or userPrincipalName is signed in to with an address, so both
  // the userName and the e-mail addresses are unlocked.
  router.post('/users/:id/unlock', async (req, res) => {
    const user = await users.get(req.params.id);
    await services.signInThrottle.unlock(user.userName, ...user.emails.map((e) => e.value));
    await services.audit.append({ actor: actorOf(res), action: 'user.unlock', target: `user/${user.id}`, detail: {} });
    res.status(204).end();
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
  mountApplicationPreview(router, services);
  mountSigningKeys(router, services);
  mountProvisioning(router, services);

  router.get('/audit', async (req, res) => {
    const q = parseInput(
      z.object({ limit: z.coerce.number().int().min(1).max(1000).optional(), nextToken: z.string().max(512).optional(), action: z.string().max(128).optional(), actor: z.string().max(128).optional() }),
      req.query,
      'query',
    );
    res.json(await services.sql.audit.list(q));
  });

  router.use((_req, res) => {
    res.status(404).type('application/problem+json').json({ type: 'urn:gatehouse:problem:not-found', title: 'Not found', status: 404, detail: 'No such admin API endpoint' });
  });
  router.use(problemHandler);
  return router;
}
