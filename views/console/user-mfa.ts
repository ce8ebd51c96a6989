// /admin/users/{id}/mfa: a user's second-factor devices of every kind, each removable, and a reset
// of their whole MFA (docs/mfa.md "Recovery and administrator reset"), behind a confirmation.
import type { MfaDevice, MfaPolicy } from '../../model/mfa.ts';
import type { User } from '../../model/types.ts';
import { html } from '../html.ts';
import { kindLabel } from '../sign-in-security.ts';
import { csrfField, formatTime, noticeBox } from './form.ts';
import type { ConsolePage } from './layout.ts';

export function userMfaPage(o: { user: User; devices: MfaDevice[]; recoveryCodesLeft: number; policy: MfaPolicy; csrfToken: string; notice?: string; error?: string }): ConsolePage {
  const u = o.user;
  const base = `/admin/users/${u.id}/mfa`;
  return {
    title: `Sign-in devices of ${u.userName}`,
    section: 'users',
    body: html`${noticeBox(o.notice)}${o.error ? html`<div class="error" role="alert">${o.error}</div>` : ''}
<p><a href="/admin/users/${u.id}">Back to ${u.userName}</a></p>
<div class="card"><h2>Devices</h2>
${o.devices.length === 0
  ? html`<p id="no-devices">${u.userName} has no sign-in device. ${o.policy.mode === 'never' ? 'Sign-in does not ask for one now.' : o.policy.withoutDevice === 'register' ? 'They register one at their next sign-in.' : 'Sign-in is refused until they have one (Settings: without a device, refuse).'}</p>`
  : html`<table id="devices"><thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Added</th><th scope="col">Last used</th><th scope="col">Action</th></tr></thead><tbody>
${o.devices.map((d) => html`<tr><td>${d.name}</td><td>${kindLabel(d.kind)}</td><td>${formatTime(d.createdAt)}</td><td>${d.lastUsedAt ? formatTime(d.lastUsedAt) : 'never'}</td><td><form method="post" action="${base}/devices/${d.id}/remove">${csrfField(o.csrfToken)}<button type="submit" class="secondary" aria-label="Remove ${d.name}">Remove</button></form></td></tr>`)}
</tbody></table>
<p class="muted">${o.recoveryCodesLeft} unused recovery ${o.recoveryCodesLeft === 1 ? 'code' : 'codes'}.</p>`}
</div>
<div class="card"><h2>Reset MFA</h2>
<p>Removes every device and recovery code of ${u.userName}, for a lost phone or a person locked out. ${o.policy.withoutDevice === 'register' ? 'Their next sign-in registers a new device.' : 'Under the current policy their next sign-in is refused until they have a device.'}</p>
<details class="confirm"><summary class="button secondary">Reset MFA</summary><form method="post" action="${base}/reset">${csrfField(o.csrfToken)}<button type="submit" class="danger">Reset the MFA of ${u.userName}</button></form></details>
</div>`,
  };
}
