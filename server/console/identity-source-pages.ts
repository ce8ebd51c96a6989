// /admin/identity-source: which directory people sign in with, its LDAP settings, and "test
// connection" (with the settings typed, not stored).
import { Router, type Request } from 'express';
import type { IdentitySourceConfig } from '../../directory/identity-source-config.ts';
import { emptyForm } from '../../views/console/form.ts';
import { identitySourcePage } from '../../views/console/identity-source.ts';
import { actorOf, adminOf } from './console-auth.ts';
import { field, noticeOf, refusedForm, render } from './render.ts';

export interface IdentitySourcePagesDeps {
  identitySourceConfig: IdentitySourceConfig;
}

const TEXT = ['url', 'bindDn', 'loginAttribute', 'userBaseDn', 'userFilter', 'groupBaseDn', 'groupFilter', 'groupMembership', 'sampleUser'];

function settingsOf(values: Record<string, string>, bindPassword: string): Record<string, unknown> {
  const { sampleUser: _sample, startTls, tlsVerify, bindPassword: _shown, intent: _intent, ...text } = values;
  return {
    ...Object.fromEntries(Object.entries(text).filter(([, v]) => v !== '')),
    startTls: startTls === 'on',
    tlsVerify: tlsVerify === 'on',
    // Left out when empty: the stored password is kept (and used for the test).
    ...(bindPassword ? { bindPassword } : {}),
  };
}

export function identitySourcePages(deps: IdentitySourcePagesDeps): Router {
  const router = Router();
  const config = deps.identitySourceConfig;
  const valuesOf = (req: Request): Record<string, string> => ({
    ...Object.fromEntries(TEXT.map((n) => [n, field(req, n)])),
    bindPassword: '',
    startTls: field(req, 'startTls'),
    tlsVerify: field(req, 'tlsVerify'),
  });

  router.get('/', async (req, res) => {
    const source = await config.describe();
    const s = source.settings;
    const values: Record<string, string> = {
      url: s?.url ?? '', bindDn: s?.bindDn ?? '', bindPassword: '', loginAttribute: s?.loginAttribute ?? 'uid', userBaseDn: s?.userBaseDn ?? '',
      userFilter: s?.userFilter ?? '(objectClass=inetOrgPerson)', groupBaseDn: s?.groupBaseDn ?? '', groupFilter: s?.groupFilter ?? '(objectClass=groupOfNames)',
      groupMembership: s?.groupMembership ?? 'member', sampleUser: '', startTls: s?.startTls ? 'on' : '', tlsVerify: !s || s.tlsVerify ? 'on' : '',
    };
    render(res, identitySourcePage({ source, form: emptyForm(values), report: null, notice: noticeOf(req), csrfToken: adminOf(res).csrfToken }));
  });

  router.post('/', async (req, res) => {
    const values = valuesOf(req);
    const password = (req.body as Record<string, unknown>).bindPassword;
    const settings = settingsOf(values, typeof password === 'string' ? password : '');
    const source = await config.describe();
    try {
      if (field(req, 'intent') === 'save') {
        await config.configure(settings, actorOf(res));
        return res.redirect(303, '/admin/identity-source?done=saved');
      }
      const report = await config.test(settings, values.sampleUser || undefined);
      render(res, identitySourcePage({ source, form: emptyForm(values), report, csrfToken: adminOf(res).csrfToken }));
    } catch (e) {
      render(res, identitySourcePage({ source, form: refusedForm(e, values), report: null, csrfToken: adminOf(res).csrfToken }), 400);
    }
  });

  router.post('/reset', async (_req, res) => {
    await config.reset(actorOf(res));
    res.redirect(303, '/admin/identity-source?done=reset');
  });
  return router;
}
