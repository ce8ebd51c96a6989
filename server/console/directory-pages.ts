// /admin/users and /admin/groups: the directory's people and groups, membership, enable and
// disable, password reset, unlock, and deletes that say what goes with them.
import { Router, type Request, type Response } from 'express';
import type { AdminPolicy } from '../../access/admin/admin-policy.ts';
import type { ConsoleCascades } from '../../access/admin/console-cascades.ts';
import type { ConsoleUserActions } from '../../access/admin/console-user-actions.ts';
import type { GroupService } from '../../directory/groups.ts';
import type { IdentitySource } from '../../directory/identity-source.ts';
import type { UserService } from '../../directory/users.ts';
import type { User } from '../../model/types.ts';
import { confirmPage } from '../../views/console/confirm.ts';
import { groupListPage, groupPage, userListPage, userPage } from '../../views/console/directory.ts';
import { emptyForm, type FormState } from '../../views/console/form.ts';
import { actorOf, adminOf } from './console-auth.ts';
import { field, listParams, noticeOf, refusedForm, render } from './render.ts';

export interface DirectoryPagesDeps {
  users: UserService;
  groups: GroupService;
  userActions: ConsoleUserActions;
  cascades: ConsoleCascades;
  identitySourceFor(source: User['source']): IdentitySource;
  /** Turning the administrator flag on or off is granting a role (access/admin/admin-policy.ts). */
  adminPolicy: Pick<AdminPolicy, 'authorize'>;
}

/** `emails.0.value` and the like belong to the form's one email field. */
const userFieldOf = (path: string) => (path.startsWith('emails') ? 'email' : (path.split('.')[0] ?? null));

export function userPages(deps: DirectoryPagesDeps): Router {
  const router = Router();
  const list = async (req: Request, res: Response, form: FormState, status = 200) => {
    const q = listParams(req);
    const page = await deps.users.list({ limit: 50, nextToken: q.nextToken, nameContains: q.name || undefined });
    const signInStates = await deps.userActions.signInStates(page.items);
    render(res, userListPage({ items: page.items, signInStates, name: q.name, nextToken: page.nextToken, firstPage: !q.nextToken, notice: noticeOf(req), form, csrfToken: adminOf(res).csrfToken, builtin: true }), status);
  };
  const show = async (res: Response, user: User, o: { notice?: string; newPassword?: string; form?: FormState; status?: number } = {}) => {
    const groups = await deps.identitySourceFor(user.source).groupsOf(user);
    const form = o.form ?? emptyForm({ displayName: user.displayName, email: user.emails[0]?.value ?? '', isAdmin: user.isAdmin ? 'on' : '' });
    render(res, userPage({ user, groups, notice: o.notice, newPassword: o.newPassword, csrfToken: adminOf(res).csrfToken, form }), o.status);
  };

  router.get('/', async (req, res) => list(req, res, emptyForm({ userName: '', displayName: '', email: '', password: '', isAdmin: '' })));

  router.post('/', async (req, res) => {
    const values = { userName: field(req, 'userName'), displayName: field(req, 'displayName'), email: field(req, 'email'), password: '', isAdmin: field(req, 'isAdmin') };
    const password = (req.body as Record<string, unknown>).password;
    try {
      const user = await deps.users.create({
        userName: values.userName,
        displayName: values.displayName,
        emails: values.email ? [{ value: values.email, primary: true }] : [],
        isAdmin: values.isAdmin === 'on',
        ...(typeof password === 'string' && password ? { password } : {}),
      }, actorOf(res));
      res.redirect(303, `/admin/users/${user.id}?done=created`);
    } catch (e) {
      await list(req, res, refusedForm(e, values, userFieldOf), 400);
    }
  });

  router.get('/:id', async (req, res) => show(res, await deps.users.get(req.params.id), { notice: noticeOf(req) }));

  router.post('/:id', async (req, res) => {
    const user = await deps.users.get(req.params.id);
    const values = { displayName: field(req, 'displayName'), email: field(req, 'email'), isAdmin: field(req, 'isAdmin') };
    try {
      // The form edits the primary address; others stay.
      const emails = values.email ? [{ value: values.email, primary: true }, ...user.emails.slice(1)] : user.emails.slice(1);
      // The flag is sent only when it changes: a change is a grant or a revocation.
      const isAdmin = values.isAdmin === 'on';
      if (isAdmin !== user.isAdmin) await deps.adminPolicy.authorize(adminOf(res), { kind: 'admin-role.change' });
      await deps.users.update(user.id, { displayName: values.displayName, emails, ...(isAdmin !== user.isAdmin ? { isAdmin } : {}) }, actorOf(res));
      res.redirect(303, `/admin/users/${user.id}?done=saved`);
    } catch (e) {
      await show(res, user, { form: refusedForm(e, values, userFieldOf), status: 400 });
    }
  });

  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    router.post(`/:id/${verb}`, async (req, res) => {
      await deps.users.update(req.params.id, { enabled }, actorOf(res));
      res.redirect(303, `/admin/users/${req.params.id}?done=${verb}d`);
    });
  }

  router.post('/:id/reset-password', async (req, res) => {
    const user = await deps.users.get(req.params.id);
    const password = await deps.userActions.resetPassword(user.id, actorOf(res));
    // Shown in this response only, never in a URL or a log.
    await show(res, user, { newPassword: password });
  });

  router.post('/:id/unlock', async (req, res) => {
    await deps.userActions.unlock(req.params.id, actorOf(res));
    res.redirect(303, `/admin/users/${req.params.id}?done=unlocked`);
  });

  router.get('/:id/delete', async (req, res) => {
    const user = await deps.users.get(req.params.id);
    const consequences = await deps.cascades.ofPrincipal('USER', user.id);
    const groups = await deps.identitySourceFor(user.source).groupsOf(user);
    consequences.push({ what: 'group membership', count: groups.length, atLeast: false });
    render(res, confirmPage({
      section: 'users', title: `Delete user ${user.userName}`, subject: `the user ${user.userName}`,
      consequences,
      note: 'Their application assignments go too, and their portal sessions end at once.',
      action: `/admin/users/${user.id}/delete`, cancel: `/admin/users/${user.id}`, csrfToken: adminOf(res).csrfToken, button: 'Delete user',
    }));
  });

  router.post('/:id/delete', async (req, res) => {
    await deps.users.delete(req.params.id, actorOf(res));
    res.redirect(303, '/admin/users?done=deleted');
  });
  return router;
}

export function groupPages(deps: DirectoryPagesDeps): Router {
  const router = Router();
  const list = async (req: Request, res: Response, form: FormState, status = 200) => {
    const q = listParams(req);
    const page = await deps.groups.list({ limit: 50, nextToken: q.nextToken, nameContains: q.name || undefined });
    render(res, groupListPage({ items: page.items, name: q.name, nextToken: page.nextToken, firstPage: !q.nextToken, notice: noticeOf(req), form, csrfToken: adminOf(res).csrfToken }), status);
  };
  const show = async (req: Request, res: Response, form: FormState = emptyForm({ userId: '' }), status = 200) => {
    const group = await deps.groups.get(String(req.params.id));
    const members = await deps.groups.listMembers(group.id, { limit: 200 });
    const memberIds = new Set(members.items.map((u) => u.id));
    const candidates = (await deps.users.list({ limit: 200 })).items.filter((u) => !memberIds.has(u.id) && u.source === 'builtin');
    render(res, groupPage({ group, members: members.items, membersNext: members.nextToken, candidates, notice: noticeOf(req), csrfToken: adminOf(res).csrfToken, form }), status);
  };

  router.get('/', async (req, res) => list(req, res, emptyForm({ displayName: '', description: '' })));

  router.post('/', async (req, res) => {
    const values = { displayName: field(req, 'displayName'), description: field(req, 'description') };
    try {
      const group = await deps.groups.create(values, actorOf(res));
      res.redirect(303, `/admin/groups/${group.id}?done=created`);
    } catch (e) {
      await list(req, res, refusedForm(e, values), 400);
    }
  });

  router.get('/:id', async (req, res) => show(req, res));

  router.post('/:id/members', async (req, res) => {
    const values = { userId: field(req, 'userId') };
    try {
      if (!values.userId) return await show(req, res, { values, errors: { userId: 'Choose a user to add.' } }, 400);
      await deps.groups.addMember(req.params.id, values, actorOf(res));
      res.redirect(303, `/admin/groups/${req.params.id}?done=member-added`);
    } catch (e) {
      await show(req, res, refusedForm(e, values), 400);
    }
  });

  router.post('/:id/members/remove', async (req, res) => {
    await deps.groups.removeMember(req.params.id, field(req, 'userId'), actorOf(res));
    res.redirect(303, `/admin/groups/${req.params.id}?done=member-removed`);
  });

  router.get('/:id/delete', async (req, res) => {
    const group = await deps.groups.get(req.params.id);
    render(res, confirmPage({
      section: 'groups', title: `Delete group ${group.displayName}`, subject: `the group ${group.displayName}`,
      consequences: await deps.cascades.ofPrincipal('GROUP', group.id),
      note: 'Its application assignments go too. Its members stay in the directory.',
      action: `/admin/groups/${group.id}/delete`, cancel: `/admin/groups/${group.id}`, csrfToken: adminOf(res).csrfToken, button: 'Delete group',
    }));
  });

  router.post('/:id/delete', async (req, res) => {
    await deps.groups.delete(req.params.id, actorOf(res));
    res.redirect(303, '/admin/groups?done=deleted');
  });
  return router;
}
