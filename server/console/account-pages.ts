// /admin/accounts: list, add, one account with its assignments, delete (with its assignments).
import { Router, type Request, type Response } from 'express';
import type { AccountService } from '../../access/accounts.ts';
import type { ConsoleCascades } from '../../access/admin/console-cascades.ts';
import type { AssignmentService } from '../../access/assignments.ts';
import { accountListPage, accountPage } from '../../views/console/accounts.ts';
import { confirmPage } from '../../views/console/confirm.ts';
import { emptyForm, type FormState } from '../../views/console/form.ts';
import { actorOf, adminOf } from './console-auth.ts';
import { namesFor, type NameDeps } from './names.ts';
import { field, listParams, noticeOf, refusedForm, render } from './render.ts';

export interface AccountPagesDeps extends NameDeps {
  accounts: AccountService;
  assignments: AssignmentService;
  cascades: ConsoleCascades;
}

export function accountPages(deps: AccountPagesDeps): Router {
  const router = Router();
  const list = async (req: Request, res: Response, form: FormState, status = 200) => {
    const q = listParams(req);
    const page = await deps.accounts.list({ limit: 50, nextToken: q.nextToken, nameContains: q.name || undefined });
    render(res, accountListPage({ items: page.items, name: q.name, nextToken: page.nextToken, firstPage: !q.nextToken, notice: noticeOf(req), form, csrfToken: adminOf(res).csrfToken }), status);
  };

  router.get('/', async (req, res) => list(req, res, emptyForm({ accountId: '', name: '', email: '', kind: 'member' })));

  router.post('/', async (req, res) => {
    const values = { accountId: field(req, 'accountId'), name: field(req, 'name'), email: field(req, 'email'), kind: field(req, 'kind') || 'member' };
    try {
      const account = await deps.accounts.create(values, actorOf(res));
      res.redirect(303, `/admin/accounts/${account.accountId}?done=created`);
    } catch (e) {
      await list(req, res, refusedForm(e, values), 400);
    }
  });

  router.get('/:id', async (req, res) => {
    const account = await deps.accounts.get(req.params.id);
    const assignments = (await deps.assignments.list({ accountId: account.accountId }, { limit: 200 })).items;
    render(res, accountPage({ account, assignments, nameOf: await namesFor(deps, assignments), notice: noticeOf(req), csrfToken: adminOf(res).csrfToken }));
  });

  router.get('/:id/delete', async (req, res) => {
    const account = await deps.accounts.get(req.params.id);
    render(res, confirmPage({
      section: 'accounts',
      title: `Delete account ${account.name}`,
      subject: `the account ${account.name} (${account.accountId})`,
      consequences: await deps.cascades.ofAccount(account.accountId),
      action: `/admin/accounts/${account.accountId}/delete`,
      cancel: `/admin/accounts/${account.accountId}`,
      csrfToken: adminOf(res).csrfToken,
      button: 'Delete account',
    }));
  });

  router.post('/:id/delete', async (req, res) => {
    await deps.accounts.delete(req.params.id, true, actorOf(res));
    res.redirect(303, '/admin/accounts?done=deleted');
  });
  return router;
}
