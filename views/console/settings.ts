// Instance settings: the portal session's duration, and which user attributes become session
// tags (attributes for access control).
import { mfaPolicyForm } from './mfa-policy.ts';
import type { Instance } from '../../model/types.ts';
import { html } from '../html.ts';
import { csrfField, noticeBox, summaryError, textField, type FormState } from './form.ts';
import type { ConsolePage } from './layout.ts';

export const ATTRIBUTE_ROWS_EXTRA = 2;

export function settingsPage(o: { instance: Instance; form: FormState; notice?: string; csrfToken: string; mfaError?: string }): ConsolePage {
  const rows = Number(o.form.values.rows ?? '0');
  const cell = (name: string, label: string) => {
    const error = o.form.errors[name];
    return html`<label class="check" for="f-${name}"><span class="hint">${label}</span></label><input type="text" id="f-${name}" name="${name}" value="${o.form.values[name] ?? ''}"${error ? html` aria-invalid="true" aria-describedby="f-${name}-error"` : ''}>${error ? html`<p class="field-error" id="f-${name}-error">${error}</p>` : ''}`;
  };
  return {
    title: 'Settings',
    section: 'settings',
    body: html`${noticeBox(o.notice)}<form method="post" action="/admin/settings" class="card" novalidate>${summaryError(o.form)}${csrfField(o.csrfToken)}
<h2>Access portal</h2>
${textField({ name: 'sessionDurationMinutes', label: 'Portal session duration (minutes)', type: 'number', state: o.form, hint: '15 to 129600 (90 days). Sessions already open keep their end.' })}
<h2>Attributes for access control</h2>
<p class="muted">User attributes sent to AWS as session tags (PrincipalTag), for attribute-based access control. At most 50.</p>
<table class="inputs"><thead><tr><th scope="col">User attribute</th><th scope="col">Session tag key</th></tr></thead><tbody>
${Array.from({ length: rows }, (_, i) => html`<tr><td>${cell(`attr${i}`, `Attribute ${i + 1}`)}</td><td>${cell(`tag${i}`, `Tag key ${i + 1}`)}</td></tr>`)}
</tbody></table><input type="hidden" name="rows" value="${rows}">
<div class="actions"><button type="submit">Save settings</button></div>
<p class="muted">Instance ${o.instance.id}</p>
</form>
${mfaPolicyForm({ policy: o.instance.mfa, csrfToken: o.csrfToken, error: o.mfaError })}`,
  };
}
