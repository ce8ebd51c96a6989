// The MFA policy form on /admin/settings (docs/mfa.md "The policy"): when sign-in asks for a second
// factor, which kinds of device are allowed, and what happens to a person with no device yet.
import { MFA_FACTORS, type MfaPolicy } from '../../model/mfa.ts';
import { html, type SafeHtml } from '../html.ts';
import { kindLabel } from '../sign-in-security.ts';
import { csrfField } from './form.ts';

const radio = (name: string, value: string, label: string, checked: boolean, hint?: string) =>
  html`<label class="check"><input type="radio" name="${name}" value="${value}"${checked ? html` checked` : ''}> ${label}${hint ? html` <span class="hint">${hint}</span>` : ''}</label>`;

export function mfaPolicyForm(o: { policy: MfaPolicy; csrfToken: string; error?: string }): SafeHtml {
  const p = o.policy;
  return html`<form method="post" action="/admin/settings/mfa" class="card" id="mfa-policy">${csrfField(o.csrfToken)}
<h2>Multi-factor authentication</h2>
${o.error ? html`<div class="error" role="alert">${o.error}</div>` : ''}
<fieldset><legend>Ask for a second factor</legend>
${radio('mode', 'every-sign-in', 'At every sign-in', p.mode === 'every-sign-in', 'after the password, for built-in and LDAP users alike')}
${radio('mode', 'never', 'Never', p.mode === 'never', 'a password alone signs in')}
</fieldset>
<fieldset><legend>Allowed kinds of device</legend>
${MFA_FACTORS.map((f) => html`<label class="check"><input type="checkbox" name="allowedFactors" value="${f}"${p.allowedFactors.includes(f) ? html` checked` : ''}> ${kindLabel(f)}</label>`)}
</fieldset>
<fieldset><legend>A person with no device yet</legend>
${radio('withoutDevice', 'register', 'Registers one during sign-in', p.withoutDevice === 'register')}
${radio('withoutDevice', 'refuse', 'Is refused, and told to ask an administrator', p.withoutDevice === 'refuse')}
</fieldset>
<div class="actions"><button type="submit">Save MFA settings</button></div>
</form>`;
}
