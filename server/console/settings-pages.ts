// /admin/settings: the instance's portal session duration, attributes for access control, and MFA policy.
import { Router } from 'express';
import type { InstanceSettingsService } from '../../access/instance-settings.ts';
import type { Instance } from '../../model/types.ts';
import { emptyForm } from '../../views/console/form.ts';
import { ATTRIBUTE_ROWS_EXTRA, settingsPage } from '../../views/console/settings.ts';
import { actorOf, adminOf } from './console-auth.ts';
import { field, many, noticeOf, refusedForm, render } from './render.ts';
import { isDomainError, ValidationError } from '../../model/errors.ts';

export interface SettingsPagesDeps {
  instanceSettings: InstanceSettingsService;
}

function valuesOf(instance: Instance): Record<string, string> {
  const entries = Object.entries(instance.accessControlAttributes);
  const values: Record<string, string> = { sessionDurationMinutes: String(instance.sessionDurationMinutes), rows: String(entries.length + ATTRIBUTE_ROWS_EXTRA) };
  entries.forEach(([attribute, tag], i) => {
    values[`attr${i}`] = attribute;
    values[`tag${i}`] = tag;
  });
  return values;
}

export function settingsPages(deps: SettingsPagesDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const instance = await deps.instanceSettings.get();
    render(res, settingsPage({ instance, form: emptyForm(valuesOf(instance)), notice: noticeOf(req), csrfToken: adminOf(res).csrfToken }));
  });

  router.post('/', async (req, res) => {
    const rows = Math.min(Math.max(Number(field(req, 'rows')) || 0, 0), 60);
    const values: Record<string, string> = { sessionDurationMinutes: field(req, 'sessionDurationMinutes'), rows: String(rows) };
    const attributes: Record<string, string> = {};
    const rowOf: Record<string, number> = {};
    for (let i = 0; i < rows; i++) {
      values[`attr${i}`] = field(req, `attr${i}`);
      values[`tag${i}`] = field(req, `tag${i}`);
      if (values[`attr${i}`] || values[`tag${i}`]) {
        attributes[values[`attr${i}`]!] = values[`tag${i}`]!;
        rowOf[values[`attr${i}`]!] = i;
      }
    }
    const minutes = Number(values.sessionDurationMinutes);
    try {
      await deps.instanceSettings.update({ sessionDurationMinutes: Number.isFinite(minutes) && values.sessionDurationMinutes !== '' ? minutes : values.sessionDurationMinutes, accessControlAttributes: attributes }, actorOf(res));
      res.redirect(303, '/admin/settings?done=saved');
    } catch (e) {
      // accessControlAttributes.<attribute> names the row by its attribute.
      const fieldOf = (path: string) => {
        if (!path.startsWith('accessControlAttributes')) return path.split('.')[0] ?? null;
        const attribute = path.slice('accessControlAttributes.'.length);
        return attribute in rowOf ? `tag${rowOf[attribute]}` : null;
      };
      const instance = await deps.instanceSettings.get();
      render(res, settingsPage({ instance, form: refusedForm(e, values, fieldOf), csrfToken: adminOf(res).csrfToken }), 400);
    }
  });
  // The MFA policy (docs/mfa.md "The policy"), its own form: fields left out keep their value.
  router.post('/mfa', async (req, res) => {
    try {
      await deps.instanceSettings.update({ mfa: { mode: field(req, 'mode') || undefined, withoutDevice: field(req, 'withoutDevice') || undefined, allowedFactors: many(req.body, 'allowedFactors') } }, actorOf(res));
      res.redirect(303, '/admin/settings?done=saved');
    } catch (e) {
      if (!isDomainError(e) || e.kind !== 'validation') throw e;
      const instance = await deps.instanceSettings.get();
      const problems = e instanceof ValidationError && e.problems.length ? e.problems.map((p) => `${p.field.replace(/^mfa\./, '')}: ${p.message}`).join('; ') : e.message;
      render(res, settingsPage({ instance, form: emptyForm(valuesOf(instance)), csrfToken: adminOf(res).csrfToken, mfaError: `Not saved. ${problems}` }), 400);
    }
  });
  return router;
}
