// /admin/assign: the assign-access flow (views/console/assign.ts), and removing one assignment.
import { Router, type Request } from 'express';
import type { AccountService } from '../../access/accounts.ts';
import type { AdminPolicy } from '../../access/admin/admin-policy.ts';
import { MAX_BATCH, type ConsoleAssignAccess } from '../../access/admin/console-assign-access.ts';
import type { AssignmentService } from '../../access/assignments.ts';
import type { PermissionSetService } from '../../access/permission-sets.ts';
import type { GroupService } from '../../directory/groups.ts';
import type { UserService } from '../../directory/users.ts';
import { ValidationError } from '../../model/errors.ts';
import type { PrincipalType } from '../../model/types.ts';
import { assignDonePage, assignPickPage, assignReviewPage, type AssignChoices, type Option } from '../../views/console/assign.ts';
import { actorOf, adminOf } from './console-auth.ts';
import { namesFor } from './names.ts';
import { field, many, queryParam, render } from './render.ts';

export interface AssignPagesDeps {
  accounts: AccountService;
  users: UserService;
  groups: GroupService;
  permissionSets: PermissionSetService;
  assignments: AssignmentService;
  assignAccess: ConsoleAssignAccess;
  /** A delegated administrator is not offered the management account (access/admin/admin-policy.ts). */
  adminPolicy: Pick<AdminPolicy, 'allows'>;
}

/** How many of each kind a step lists; a filter finds the rest. */
const SHOWN = 200;

const choicesOf = (source: unknown): AssignChoices => ({
  accountIds: many(source, 'accountId'),
  principals: many(source, 'principal').filter((p) => /^(USER|GROUP):/.test(p)),
  permissionSetIds: many(source, 'permissionSetId'),
});

function url(path: string, c: AssignChoices): string {
  const q = new URLSearchParams();
  c.accountIds.forEach((v) => q.append('accountId', v));
  c.principals.forEach((v) => q.append('principal', v));
  c.permissionSetIds.forEach((v) => q.append('permissionSetId', v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

const principalOf = (p: string) => ({ type: p.slice(0, p.indexOf(':')) as PrincipalType, id: p.slice(p.indexOf(':') + 1) });

export function assignPages(deps: AssignPagesDeps): Router {
  const router = Router();
  // A step reached with nothing chosen at the one before goes back there and says so.
  const missing = (req: Request) => queryParam(req, 'missing', 32);

  router.get('/', async (req, res) => {
    const choices = choicesOf(req.query);
    const filter = queryParam(req, 'name');
    const page = await deps.accounts.list({ limit: SHOWN, nameContains: filter || undefined });
    const admin = adminOf(res);
    const offered = [];
    for (const a of page.items) if (await deps.adminPolicy.allows(admin, { kind: 'assignment.change', accountId: a.accountId })) offered.push(a);
    const options: Option[] = offered.map((a) => ({ value: a.accountId, label: a.name, detail: `${a.accountId} · ${a.email}` }));
    render(res, assignPickPage({
      step: 'accounts', choices, name: 'accountId', legend: 'Choose the AWS accounts', options, filter, more: !!page.nextToken,
      next: '/admin/assign/principals', back: null, error: missing(req) === 'accounts' ? 'Choose at least one account.' : undefined,
    }));
  });

  router.get('/principals', async (req, res) => {
    const choices = choicesOf(req.query);
    if (choices.accountIds.length === 0) return res.redirect(303, url('/admin/assign', choices) + `${choices.principals.length || choices.permissionSetIds.length ? '&' : '?'}missing=accounts`);
    const filter = queryParam(req, 'name');
    const [groups, users] = await Promise.all([
      deps.groups.list({ limit: SHOWN, nameContains: filter || undefined }),
      deps.users.list({ limit: SHOWN, nameContains: filter || undefined }),
    ]);
    const options: Option[] = [
      ...groups.items.map((g) => ({ value: `GROUP:${g.id}`, label: `Group ${g.displayName}`, detail: g.description })),
      ...users.items.map((u) => ({ value: `USER:${u.id}`, label: `User ${u.userName}`, detail: u.displayName })),
    ];
    render(res, assignPickPage({
      step: 'principals', choices, name: 'principal', legend: 'Choose the users and groups', options, filter, more: !!(groups.nextToken || users.nextToken),
      next: '/admin/assign/permission-sets', back: url('/admin/assign', choices), error: missing(req) === 'principals' ? 'Choose at least one user or group.' : undefined,
    }));
  });

  router.get('/permission-sets', async (req, res) => {
    const choices = choicesOf(req.query);
    if (choices.principals.length === 0) return res.redirect(303, `${url('/admin/assign/principals', choices)}&missing=principals`);
    const filter = queryParam(req, 'name');
    const page = await deps.permissionSets.list({ limit: SHOWN, nameContains: filter || undefined });
    const options: Option[] = page.items.map((s) => ({ value: s.id, label: s.name, detail: s.description ?? '' }));
    render(res, assignPickPage({
      step: 'permission-sets', choices, name: 'permissionSetId', legend: 'Choose the permission sets', options, filter, more: !!page.nextToken,
      next: '/admin/assign/review', back: url('/admin/assign/principals', choices), error: missing(req) === 'permission-sets' ? 'Choose at least one permission set.' : undefined,
    }));
  });

  router.get('/review', async (req, res) => {
    const choices = choicesOf(req.query);
    if (choices.permissionSetIds.length === 0) return res.redirect(303, `${url('/admin/assign/permission-sets', choices)}&missing=permission-sets`);
    const request = { accountIds: choices.accountIds, principals: choices.principals.map(principalOf), permissionSetIds: choices.permissionSetIds };
    const combos = deps.assignAccess.combinations(request);
    const planned = combos.length > MAX_BATCH ? combos.slice(0, MAX_BATCH).map((key) => ({ key, exists: false })) : await deps.assignAccess.plan(request);
    const nameOf = await namesFor(deps, planned.map((p) => p.key));
    render(res, assignReviewPage({
      choices,
      rows: planned.map(({ key: c, exists }) => ({
        account: nameOf.account(c.accountId),
        principal: `${c.principalType === 'USER' ? 'User' : 'Group'} ${nameOf.principal(c.principalType, c.principalId)}`,
        permissionSet: nameOf.permissionSet(c.permissionSetId),
        exists,
      })),
      back: url('/admin/assign/permission-sets', choices),
      csrfToken: adminOf(res).csrfToken,
      tooMany: combos.length > MAX_BATCH ? MAX_BATCH : null,
    }));
  });

  router.post('/', async (req, res) => {
    const choices = choicesOf(req.body);
    const request = { accountIds: choices.accountIds, principals: choices.principals.map(principalOf), permissionSetIds: choices.permissionSetIds };
    const count = deps.assignAccess.combinations(request).length;
    if (count === 0 || count > MAX_BATCH) throw new ValidationError(`Choose between 1 and ${MAX_BATCH} combinations of account, user or group, and permission set.`);
    const result = await deps.assignAccess.assign(request, actorOf(res));
    render(res, assignDonePage({ ...result, nameOf: await namesFor(deps, result.created) }));
  });

  router.post('/remove', async (req, res) => {
    const key = { accountId: field(req, 'accountId'), permissionSetId: field(req, 'permissionSetId'), principalType: field(req, 'principalType'), principalId: field(req, 'principalId') };
    await deps.assignments.delete(key, actorOf(res));
    const back = field(req, 'back');
    res.redirect(303, `${/^\/admin\/[\w\-/]*$/.test(back) ? back : '/admin/accounts'}?done=unassigned`);
  });
  return router;
}
