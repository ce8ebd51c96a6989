// /api/v1/identity-source: which directory people sign in with, its test, and a search of it for
// picking principals to assign (a found LDAP user or group gets its Gatehouse id right away).
import type { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../../model/validate.ts';
import type { IdentitySource } from '../../directory/identity-source.ts';
import type { IdentitySourceConfig } from '../../directory/identity-source-config.ts';
import { actorOf } from './auth.ts';

const searchSchema = z.object({ q: z.string().max(256).default(''), limit: z.coerce.number().int().min(1).max(100).default(25) });
const testQuery = z.object({ sampleUser: z.string().min(1).max(256).optional() });

export interface IdentitySourceRoutesDeps {
  identitySourceConfig: Pick<IdentitySourceConfig, 'describe' | 'configure' | 'reset' | 'test'>;
  /** The source people sign in with now, searched for principals to assign. */
  identitySource(): IdentitySource;
}

export function mountIdentitySource(router: Router, services: IdentitySourceRoutesDeps): void {
  const config = services.identitySourceConfig;
  router.get('/identity-source', async (_req, res) => {
    res.json(await config.describe());
  });
  router.put('/identity-source', async (req, res) => {
    res.json(await config.configure(req.body, actorOf(res)));
  });
  router.delete('/identity-source', async (_req, res) => {
    res.json(await config.reset(actorOf(res)));
  });
  router.post('/identity-source/test', async (req, res) => {
    const { sampleUser } = parseInput(testQuery, req.query, 'query');
    const body = req.body && typeof req.body === 'object' && Object.keys(req.body as object).length ? req.body : undefined;
    const report = await config.test(body, sampleUser);
    res.status(report.ok ? 200 : 422).json(report);
  });
  router.get('/identity-source/users', async (req, res) => {
    const { q, limit } = parseInput(searchSchema, req.query, 'query');
    res.json({ items: await services.identitySource().searchUsers(q, limit) });
  });
  router.get('/identity-source/groups', async (req, res) => {
    const { q, limit } = parseInput(searchSchema, req.query, 'query');
    res.json({ items: await services.identitySource().searchGroups(q, limit) });
  });
}
