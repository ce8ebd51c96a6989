// /api/v1 provisioning (docs/provisioning.md), the admin API's counterparts of sso-admin
// ProvisionPermissionSet, DescribePermissionSetProvisioningStatus,
// ListPermissionSetsProvisionedToAccount and ListAccountsForProvisionedPermissionSet, plus plan,
// apply, drift and the instance's provisioning setting. Jobs run in the background: starting
// one answers 202 with the job IN_PROGRESS, to poll at /provisioning/jobs/{id}.
import type { Router } from 'express';
import { z } from 'zod';
import { ACCOUNT_ID } from '../../model/ids.ts';
import { parseInput } from '../../model/validate.ts';
import type { OuAssignmentService } from '../../access/provisioning/ou-assignments.ts';
import type { ProvisioningService } from '../../access/provisioning/provisioning-service.ts';
import { actorOf } from './auth.ts';
import { listQuery } from './list-query.ts';

const accountBody = z.strictObject({ accountId: z.string().regex(ACCOUNT_ID, 'must be exactly 12 digits').optional() });
const statusQuery = z.object({ provisioningStatus: z.string().optional() });

export interface ProvisioningRoutesDeps {
  provisioning: ProvisioningService;
  ouAssignments: OuAssignmentService;
}

export function mountProvisioning(router: Router, services: ProvisioningRoutesDeps): void {
  const p = services.provisioning;
  router.post('/permission-sets/:id/provision', async (req, res) => {
    const { accountId } = parseInput(accountBody, req.body ?? {}, 'provision request');
    res.status(202).json({ items: await p.provisionPermissionSet(req.params.id, accountId, actorOf(res)) });
  });
  router.get('/permission-sets/:id/provisioned-accounts', async (req, res) => {
    const { provisioningStatus } = parseInput(statusQuery, req.query, 'query');
    res.json({ items: await p.status({ permissionSetId: req.params.id, provisioningStatus }) });
  });
  router.get('/accounts/:accountId/provisioned-permission-sets', async (req, res) => {
    const { provisioningStatus } = parseInput(statusQuery, req.query, 'query');
    res.json({ items: await p.status({ accountId: req.params.accountId, provisioningStatus }) });
  });
  router.get('/accounts/:accountId/drift', async (req, res) => {
    res.json(await p.drift(req.params.accountId));
  });
  router.get('/provisioning/plan', async (req, res) => {
    const { accountId } = parseInput(accountBody, req.query, 'query');
    res.json({ driver: p.driverName, accounts: accountId !== undefined ? [await p.planAccount(accountId)] : await p.plan() });
  });
  // Apply: one job per account that has something to change (or the one named).
  router.post('/provisioning/apply', async (req, res) => {
    const { accountId } = parseInput(accountBody, req.body ?? {}, 'apply request');
    const targets = accountId !== undefined ? [accountId] : (await p.plan()).map((c) => c.accountId);
    const items = [];
    for (const a of targets) items.push(await p.start(a, 'apply', actorOf(res)));
    res.status(202).json({ items });
  });
  // StackSets-ready CloudFormation: one template per group of accounts sharing the same sets.
  router.get('/provisioning/stacksets', async (_req, res) => {
    res.json({ items: await p.stackSets() });
  });
  router.get('/provisioning/jobs', async (req, res) => {
    const { limit, nextToken, accountId } = req.query as Record<string, string | undefined>;
    const q = listQuery({ limit, nextToken });
    res.json(await p.jobs({ accountId }, { limit: q.limit, nextToken: q.nextToken }));
  });
  router.get('/provisioning/jobs/:id', async (req, res) => {
    res.json(await p.job(req.params.id));
  });
  // Accounts from AWS Organizations (aws driver): create or update, flag closed and removed ones.
  router.post('/organization/import', async (_req, res) => {
    res.json(await services.ouAssignments.importOrganization(actorOf(res)));
  });
  router.get('/ou-assignments', async (_req, res) => {
    res.json({ items: await services.ouAssignments.list() });
  });
  router.post('/ou-assignments', async (req, res) => {
    res.status(201).json(await services.ouAssignments.create(req.body, actorOf(res)));
  });
  router.delete('/ou-assignments/:id', async (req, res) => {
    await services.ouAssignments.delete(req.params.id, actorOf(res));
    res.status(204).end();
  });
  router.get('/organization/accounts', async (_req, res) => {
    res.json({ items: await p.organizationAccounts() });
  });
  router.get('/provisioning/settings', async (_req, res) => {
    res.json(await p.settings());
  });
  router.put('/provisioning/settings', async (req, res) => {
    res.json(await p.updateSettings(req.body, actorOf(res)));
  });
}
