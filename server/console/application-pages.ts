// /admin/applications: SAML applications from their metadata, their settings, attribute
// mappings, assignments and the assertion preview.
import { Router, type Request, type Response } from 'express';
import type { ConsoleCascades } from '../../access/admin/console-cascades.ts';
import type { ConsolePreview } from '../../access/admin/console-preview.ts';
import type { ApplicationService } from '../../access/applications/application-service.ts';
import type { AccountService } from '../../access/accounts.ts';
import type { PermissionSetService } from '../../access/permission-sets.ts';
import type { GroupService } from '../../directory/groups.ts';
import type { UserService } from '../../directory/users.ts';
import type { Application } from '../../model/types.ts';
import { applicationListPage, applicationNewPage, applicationPage, MAPPING_ROWS_EXTRA, type ApplicationPageModel } from '../../views/console/applications.ts';
import { confirmPage } from '../../views/console/confirm.ts';
import { oidcApplicationNewPage, oidcApplicationPage, oidcFormValues } from '../../views/console/oidc-applications.ts';
import { emptyForm } from '../../views/console/form.ts';
import { actorOf, adminOf } from './console-auth.ts';
import { namesFor } from './names.ts';
import { field, listParams, many, noticeOf, queryParam, refusedForm, render } from './render.ts';

export interface ApplicationPagesDeps {
  applications: ApplicationService;
  users: UserService;
  groups: GroupService;
  accounts: AccountService;
  permissionSets: PermissionSetService;
  preview: ConsolePreview;
  cascades: ConsoleCascades;
  oidcIssuer: string;
}

const settingsValues = (a: Application): Record<string, string> => ({
  name: a.name,
  description: a.description,
  nameIdFormat: a.nameIdFormat,
  nameIdSource: a.nameIdSource,
  sessionDurationSeconds: a.sessionDurationSeconds === null ? '' : String(a.sessionDurationSeconds),
  defaultRelayState: a.defaultRelayState ?? '',
  signResponse: a.signResponse ? 'on' : '',
  signAssertion: a.signAssertion ? 'on' : '',
  encryptAssertion: a.encryptAssertion ? 'on' : '',
});

function mappingValues(a: Application): Record<string, string> {
  const values: Record<string, string> = { rows: String(a.attributeMappings.length + MAPPING_ROWS_EXTRA) };
  a.attributeMappings.forEach((m, i) => {
    values[`mapName${i}`] = m.name;
    values[`mapValue${i}`] = m.value;
  });
  return values;
}

export function applicationPages(deps: ApplicationPagesDeps): Router {
  const router = Router();

  const show = async (req: Request, res: Response, forms: Partial<Pick<ApplicationPageModel, 'settings' | 'mappings' | 'metadata' | 'assign'>> = {}, status = 200, clientSecret: string | null = null) => {
    const app = await deps.applications.get(String(req.params.id));
    const assignments = (await deps.applications.listAssignments(app.id, { limit: 200 })).items;
    const [users, groups] = await Promise.all([deps.users.list({ limit: 200 }), deps.groups.list({ limit: 200 })]);
    if (app.kind === 'oidc') {
      return render(res, oidcApplicationPage({
        app,
        issuer: deps.oidcIssuer,
        assignments,
        nameOf: await namesFor(deps, assignments),
        principals: [...groups.items.map((g): [string, string] => [`GROUP:${g.id}`, `Group ${g.displayName}`]), ...users.items.map((u): [string, string] => [`USER:${u.id}`, `User ${u.userName}`])],
        settings: forms.settings ?? emptyForm(oidcFormValues(app)),
        assign: forms.assign ?? emptyForm({ principal: '' }),
        clientSecret,
        notice: noticeOf(req),
        csrfToken: adminOf(res).csrfToken,
      }), status);
    }
    const previewUserId = queryParam(req, 'previewUser', 128);
    render(res, applicationPage({
      app,
      assignments,
      nameOf: await namesFor(deps, assignments),
      principals: [...groups.items.map((g): [string, string] => [`GROUP:${g.id}`, `Group ${g.displayName}`]), ...users.items.map((u): [string, string] => [`USER:${u.id}`, `User ${u.userName}`])],
      users: users.items.map((u) => [u.id, u.userName]),
      settings: forms.settings ?? emptyForm(settingsValues(app)),
      mappings: forms.mappings ?? emptyForm(mappingValues(app)),
      metadata: forms.metadata ?? emptyForm({ metadataUrl: '', metadataXml: '' }),
      assign: forms.assign ?? emptyForm({ principal: '' }),
      preview: previewUserId ? await deps.preview.preview(app.id, previewUserId) : null,
      previewUserId,
      notice: noticeOf(req),
      csrfToken: adminOf(res).csrfToken,
    }), status);
  };

  router.get('/', async (req, res) => {
    const q = listParams(req);
    const page = await deps.applications.list({ limit: 50, nextToken: q.nextToken, nameContains: q.name || undefined });
    render(res, applicationListPage({ items: page.items, name: q.name, nextToken: page.nextToken, firstPage: !q.nextToken, notice: noticeOf(req) }));
  });

  router.get('/new', (_req, res) => {
    render(res, applicationNewPage({ state: emptyForm({ name: '', description: '', metadataUrl: '', metadataXml: '' }), csrfToken: adminOf(res).csrfToken }));
  });

  router.post('/', async (req, res) => {
    const values = { name: field(req, 'name'), description: field(req, 'description'), metadataUrl: field(req, 'metadataUrl'), metadataXml: field(req, 'metadataXml') };
    try {
      const app = await deps.applications.create({
        name: values.name,
        ...(values.description ? { description: values.description } : {}),
        ...(values.metadataUrl ? { metadataUrl: values.metadataUrl } : {}),
        ...(values.metadataXml ? { metadataXml: values.metadataXml } : {}),
      }, actorOf(res));
      res.redirect(303, `/admin/applications/${app.id}?done=created`);
    } catch (e) {
      render(res, applicationNewPage({ state: refusedForm(e, values), csrfToken: adminOf(res).csrfToken }), 400);
    }
  });

  // OpenID Connect applications (docs/oidc-applications.md).
  const oidcValues = (req: Request) => ({
    ...Object.fromEntries(['name', 'description', 'redirectUris', 'postLogoutRedirectUris', 'tokenEndpointAuthMethod', 'initiateLoginUri', 'backchannelLogoutUri', 'accessTokenSeconds', 'refreshTokenSeconds'].map((n) => [n, field(req, n)])),
    grantTypes: many(req.body, 'grantType').join(' '),
  });
  const lines = (v: string | undefined) => (v ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const oidcInput = (v: Record<string, string>) => ({
    name: v.name,
    description: v.description,
    redirectUris: lines(v.redirectUris),
    postLogoutRedirectUris: lines(v.postLogoutRedirectUris),
    tokenEndpointAuthMethod: v.tokenEndpointAuthMethod,
    grantTypes: (v.grantTypes ?? '').split(' ').filter(Boolean),
    initiateLoginUri: v.initiateLoginUri || null,
    backchannelLogoutUri: v.backchannelLogoutUri || null,
    lifetimes: { accessTokenSeconds: Number(v.accessTokenSeconds), idTokenSeconds: Number(v.accessTokenSeconds), refreshTokenSeconds: Number(v.refreshTokenSeconds) },
  });
  const oidcFieldOf = (p: string) => (p.startsWith('lifetimes.') ? (p.includes('refresh') ? 'refreshTokenSeconds' : 'accessTokenSeconds') : (p.split('.')[0] ?? null));

  router.get('/new-oidc', (_req, res) => {
    render(res, oidcApplicationNewPage({ state: emptyForm(oidcFormValues(null)), csrfToken: adminOf(res).csrfToken }));
  });

  router.post('/oidc', async (req, res) => {
    const values = oidcValues(req);
    try {
      const app = await deps.applications.create({ kind: 'oidc', ...oidcInput(values) }, actorOf(res));
      (req.params as Record<string, string>).id = app.id;
      await show(req, res, {}, 201, app.clientSecret ?? null);
    } catch (e) {
      render(res, oidcApplicationNewPage({ state: refusedForm(e, values, oidcFieldOf), csrfToken: adminOf(res).csrfToken }), 400);
    }
  });

  router.post('/:id/oidc', async (req, res) => {
    const values = oidcValues(req);
    try {
      const updated = await deps.applications.update(req.params.id, oidcInput(values), actorOf(res));
      if (updated.clientSecret) return await show(req, res, {}, 200, updated.clientSecret);
      res.redirect(303, `/admin/applications/${req.params.id}?done=saved#settings`);
    } catch (e) {
      await show(req, res, { settings: refusedForm(e, values, oidcFieldOf) }, 400);
    }
  });

  router.post('/:id/client-secret', async (req, res) => {
    const rotated = await deps.applications.rotateClientSecret(req.params.id, actorOf(res));
    await show(req, res, {}, 200, rotated.clientSecret);
  });

  router.get('/:id', async (req, res) => show(req, res));

  router.post('/:id/settings', async (req, res) => {
    const names = ['name', 'description', 'nameIdFormat', 'nameIdSource', 'sessionDurationSeconds', 'defaultRelayState', 'signResponse', 'signAssertion', 'encryptAssertion'];
    const values = Object.fromEntries(names.map((n) => [n, field(req, n)]));
    try {
      await deps.applications.update(req.params.id, {
        name: values.name,
        description: values.description,
        nameIdFormat: values.nameIdFormat,
        nameIdSource: values.nameIdSource,
        sessionDurationSeconds: values.sessionDurationSeconds ? Number(values.sessionDurationSeconds) : null,
        defaultRelayState: values.defaultRelayState || null,
        signResponse: values.signResponse === 'on',
        signAssertion: values.signAssertion === 'on',
        encryptAssertion: values.encryptAssertion === 'on',
      }, actorOf(res));
      res.redirect(303, `/admin/applications/${req.params.id}?done=saved#settings`);
    } catch (e) {
      await show(req, res, { settings: refusedForm(e, values) }, 400);
    }
  });

  router.post('/:id/mappings', async (req, res) => {
    const rows = Math.min(Math.max(Number(field(req, 'rows')) || 0, 0), 60);
    const values: Record<string, string> = { rows: String(rows) };
    const mappings: { name: string; value: string }[] = [];
    // Which form row each mapping came from, to put its problem next to it.
    const rowOf: number[] = [];
    for (let i = 0; i < rows; i++) {
      values[`mapName${i}`] = field(req, `mapName${i}`);
      values[`mapValue${i}`] = field(req, `mapValue${i}`);
      if (values[`mapName${i}`] || values[`mapValue${i}`]) {
        mappings.push({ name: values[`mapName${i}`]!, value: values[`mapValue${i}`]! });
        rowOf.push(i);
      }
    }
    try {
      await deps.applications.update(req.params.id, { attributeMappings: mappings }, actorOf(res));
      res.redirect(303, `/admin/applications/${req.params.id}?done=saved#mappings`);
    } catch (e) {
      const fieldOf = (path: string) => {
        const m = /^attributeMappings\.(\d+)\.?(\w*)/.exec(path);
        if (!m) return null;
        return `${m[2] === 'value' ? 'mapValue' : 'mapName'}${rowOf[Number(m[1])] ?? 0}`;
      };
      await show(req, res, { mappings: refusedForm(e, values, fieldOf) }, 400);
    }
  });

  router.post('/:id/metadata', async (req, res) => {
    const values = { metadataUrl: field(req, 'metadataUrl'), metadataXml: field(req, 'metadataXml') };
    try {
      await deps.applications.update(req.params.id, { ...(values.metadataUrl ? { metadataUrl: values.metadataUrl } : {}), ...(values.metadataXml ? { metadataXml: values.metadataXml } : {}) }, actorOf(res));
      res.redirect(303, `/admin/applications/${req.params.id}?done=saved`);
    } catch (e) {
      await show(req, res, { metadata: refusedForm(e, values) }, 400);
    }
  });

  router.post('/:id/refresh', async (req, res) => {
    await deps.applications.refreshMetadata(req.params.id, actorOf(res));
    res.redirect(303, `/admin/applications/${req.params.id}?done=saved`);
  });

  router.post('/:id/assignments', async (req, res) => {
    const values = { principal: field(req, 'principal') };
    const [type, id] = [values.principal.slice(0, values.principal.indexOf(':')), values.principal.slice(values.principal.indexOf(':') + 1)];
    try {
      if (!values.principal) return await show(req, res, { assign: { values, errors: { principal: 'Choose a user or group.' } } }, 400);
      const roleArns = many(req.body, 'roleArn');
      await deps.applications.assign(req.params.id, { principalType: type, principalId: id, ...(roleArns.length ? { roleArns } : {}) }, actorOf(res));
      res.redirect(303, `/admin/applications/${req.params.id}?done=assigned#assignments`);
    } catch (e) {
      await show(req, res, { assign: refusedForm(e, values, (p) => (p.startsWith('principal') ? 'principal' : null)) }, 400);
    }
  });

  router.post('/:id/unassign', async (req, res) => {
    const principal = field(req, 'principal');
    const at = principal.indexOf(':');
    await deps.applications.unassign(req.params.id, { principalType: principal.slice(0, at), principalId: principal.slice(at + 1) }, actorOf(res));
    res.redirect(303, `/admin/applications/${req.params.id}?done=unassigned#assignments`);
  });

  router.get('/:id/delete', async (req, res) => {
    const app = await deps.applications.get(req.params.id);
    render(res, confirmPage({
      section: 'applications', title: `Delete application ${app.name}`, subject: `the application ${app.name}`,
      consequences: await deps.cascades.ofApplication(app.id),
      note: 'People signed in to it keep their session there until it ends; they cannot sign in to it again.',
      action: `/admin/applications/${app.id}/delete`, cancel: `/admin/applications/${app.id}`, csrfToken: adminOf(res).csrfToken, button: 'Delete application',
    }));
  });

  router.post('/:id/delete', async (req, res) => {
    await deps.applications.delete(req.params.id, true, actorOf(res));
    res.redirect(303, '/admin/applications?done=deleted');
  });
  return router;
}
