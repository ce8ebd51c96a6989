// /admin/permission-sets: list, create, edit, delete (with what goes along), and the policy
// editor's check endpoint.
import express, { Router, type Request } from 'express';
import type { ConsoleCascades } from '../../access/admin/console-cascades.ts';
import type { ConsolePermissionSets } from '../../access/admin/console-permission-sets.ts';
import { checkPolicy } from '../../access/admin/console-policy.ts';
import type { AssignmentService } from '../../access/assignments.ts';
import type { PermissionSetService } from '../../access/permission-sets.ts';
import { confirmPage } from '../../views/console/confirm.ts';
import { emptyForm } from '../../views/console/form.ts';
import { permissionSetFormPage, permissionSetListPage, permissionSetValues } from '../../views/console/permission-sets.ts';
import { actorOf, adminOf } from './console-auth.ts';
import { field, listParams, noticeOf, refusedForm, render } from './render.ts';

export interface PermissionSetPagesDeps {
  permissionSets: PermissionSetService;
  consolePermissionSets: ConsolePermissionSets;
  assignments: AssignmentService;
  cascades: ConsoleCascades;
}

const FORM_FIELDS = ['name', 'description', 'sessionDuration', 'relayState', 'managedPolicies', 'inlinePolicy'];

/** The service input from the form: empty optional fields clear (on edit) or are left out (on create). */
function inputOf(values: Record<string, string>, editing: boolean): Record<string, unknown> {
  const optional = (v: string) => (v ? v : editing ? null : undefined);
  const input: Record<string, unknown> = {
    description: optional(values.description!),
    sessionDuration: values.sessionDuration || undefined,
    relayState: optional(values.relayState!),
    managedPolicies: values.managedPolicies!.split('\n').map((l) => l.trim()).filter(Boolean),
    inlinePolicy: optional(values.inlinePolicy!),
  };
  if (!editing) input.name = values.name;
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}

const valuesOf = (req: Request) => Object.fromEntries(FORM_FIELDS.map((f) => [f, f === 'inlinePolicy' ? ((req.body as Record<string, unknown>)?.inlinePolicy as string | undefined) ?? '' : field(req, f)]));

export function permissionSetPages(deps: PermissionSetPagesDeps): Router {
  const router = Router();
  const fieldOf = (path: string) => (path.startsWith('managedPolicies') || path.startsWith('customerManagedPolicies') ? 'managedPolicies' : (path.split('.')[0] ?? null));

  router.get('/', async (req, res) => {
    const q = listParams(req);
    const page = await deps.permissionSets.list({ limit: 50, nextToken: q.nextToken, nameContains: q.name || undefined });
    render(res, permissionSetListPage({ items: page.items, name: q.name, nextToken: page.nextToken, firstPage: !q.nextToken, notice: noticeOf(req) }));
  });

  router.get('/new', (_req, res) => {
    render(res, permissionSetFormPage({ set: null, state: emptyForm(permissionSetValues(null)), csrfToken: adminOf(res).csrfToken }));
  });

  // The policy editor's as-you-type check (JSON in and out; the CSRF token comes as a header).
  router.post('/check-policy', express.json({ limit: '64kb' }), (req, res) => {
    const policy = (req.body as { policy?: unknown } | undefined)?.policy;
    res.json(checkPolicy(typeof policy === 'string' ? policy : ''));
  });

  router.post('/', async (req, res) => {
    const values = valuesOf(req);
    try {
      const set = await deps.consolePermissionSets.create(inputOf(values, false), actorOf(res));
      res.redirect(303, `/admin/permission-sets/${set.id}?done=created`);
    } catch (e) {
      render(res, permissionSetFormPage({ set: null, state: refusedForm(e, values, fieldOf), csrfToken: adminOf(res).csrfToken }), 400);
    }
  });

  router.get('/:id', async (req, res) => {
    const set = await deps.permissionSets.get(req.params.id);
    const assignments = await deps.assignments.list({ permissionSetId: set.id }, { limit: 100 });
    render(res, permissionSetFormPage({ set, state: emptyForm(permissionSetValues(set)), csrfToken: adminOf(res).csrfToken, assignments: assignments.items, notice: noticeOf(req) }));
  });

  router.post('/:id', async (req, res) => {
    const set = await deps.permissionSets.get(req.params.id);
    const values = { ...valuesOf(req), name: set.name };
    try {
      await deps.consolePermissionSets.update(set.id, inputOf(values, true), actorOf(res));
      res.redirect(303, `/admin/permission-sets/${set.id}?done=saved`);
    } catch (e) {
      render(res, permissionSetFormPage({ set, state: refusedForm(e, values, fieldOf), csrfToken: adminOf(res).csrfToken }), 400);
    }
  });

  router.get('/:id/delete', async (req, res) => {
    const set = await deps.permissionSets.get(req.params.id);
    render(res, confirmPage({
      section: 'permission-sets',
      title: `Delete permission set ${set.name}`,
      subject: `the permission set ${set.name}`,
      consequences: await deps.cascades.ofPermissionSet(set.id),
      action: `/admin/permission-sets/${set.id}/delete`,
      cancel: `/admin/permission-sets/${set.id}`,
      csrfToken: adminOf(res).csrfToken,
      button: 'Delete permission set',
    }));
  });

  router.post('/:id/delete', async (req, res) => {
    await deps.permissionSets.delete(req.params.id, true, actorOf(res));
    res.redirect(303, '/admin/permission-sets?done=deleted');
  });
  return router;
}
