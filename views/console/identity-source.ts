// The identity source page: which directory people sign in with, the LDAP settings with "test
// connection", and the way back to the built-in directory.
import type { IdentitySourceDescription } from '../../directory/identity-source-config.ts';
import type { ConnectionReport } from '../../directory/ldap/test-connection.ts';
import { html } from '../html.ts';
import { checkbox, csrfField, noticeBox, selectField, summaryError, textField, type FormState } from './form.ts';
import type { ConsolePage } from './layout.ts';

export function identitySourcePage(o: { source: IdentitySourceDescription; form: FormState; report: ConnectionReport | null; notice?: string; csrfToken: string }): ConsolePage {
  const fromEnv = o.source.configuredBy === 'environment';
  return {
    title: 'Identity source',
    section: 'identity-source',
    body: html`${noticeBox(o.notice)}<div class="card"><p>People sign in with <strong>${o.source.kind === 'ldap' ? 'an LDAP directory' : 'the built-in directory'}</strong>${o.source.configuredBy === 'environment' ? ', set by the environment (LDAP_URL …); change it there' : ''}.</p>
${o.source.kind === 'ldap' && !fromEnv ? html`<details><summary>Go back to the built-in directory</summary><form method="post" action="/admin/identity-source/reset">${csrfField(o.csrfToken)}<p>People then sign in with built-in users only. LDAP users can no longer sign in, and their assignments stop giving access.</p><button type="submit" class="danger">Use the built-in directory</button></form></details>` : ''}</div>
${o.report ? reportOf(o.report) : ''}
<form method="post" action="/admin/identity-source" class="card" novalidate><h2>LDAP or Active Directory</h2>${summaryError(o.form)}${csrfField(o.csrfToken)}
<div class="grid2">
<div>${textField({ name: 'url', label: 'URL', state: o.form, hint: 'ldap://host[:port] or ldaps://host[:port]' })}</div>
<div>${textField({ name: 'bindDn', label: 'Service account DN', state: o.form })}</div>
<div>${textField({ name: 'bindPassword', label: 'Service account password', type: 'password', state: o.form, autocomplete: 'new-password', hint: o.source.settings?.bindPasswordSet ? 'Leave empty to keep the stored one.' : undefined })}</div>
<div>${selectField({ name: 'loginAttribute', label: 'People sign in with', state: o.form, options: [['uid', 'uid'], ['sAMAccountName', 'sAMAccountName'], ['userPrincipalName', 'userPrincipalName'], ['mail', 'mail']] })}</div>
<div>${textField({ name: 'userBaseDn', label: 'Users under', state: o.form })}</div>
<div>${textField({ name: 'userFilter', label: 'User filter', state: o.form })}</div>
<div>${textField({ name: 'groupBaseDn', label: 'Groups under', state: o.form })}</div>
<div>${textField({ name: 'groupFilter', label: 'Group filter', state: o.form })}</div>
<div>${selectField({ name: 'groupMembership', label: 'Group membership', state: o.form, options: [['member', 'member attribute of groups'], ['memberOf', 'memberOf attribute of users'], ['ad-in-chain', 'Active Directory, nested (in-chain)']] })}</div>
<div>${textField({ name: 'sampleUser', label: 'Sample user for the test', state: o.form, hint: 'Optional: a login name to look up.' })}</div>
</div>
${checkbox({ name: 'startTls', label: 'StartTLS (for ldap:// URLs)', checked: o.form.values.startTls === 'on' })}
${checkbox({ name: 'tlsVerify', label: 'Verify the directory\'s certificate', checked: o.form.values.tlsVerify === 'on' })}
<div class="actions"><button type="submit" name="intent" value="test" class="secondary">Test connection</button>${fromEnv ? '' : html`<button type="submit" name="intent" value="save">Save and use</button>`}</div>
</form>`,
  };
}

function reportOf(r: ConnectionReport) {
  return html`<div class="card" id="test-report" role="status"><h2>Test connection: ${r.ok ? 'it works' : 'it failed'}</h2>
<ul>${r.steps.map((s) => html`<li>${s.ok ? '✔' : '✘'} ${s.step}: ${s.detail}</li>`)}</ul>
${r.userCount !== null ? html`<p>${r.userCount} users, ${r.groupCount ?? 0} groups found.</p>` : ''}
${r.sampleUser ? html`<p>Sample user: ${r.sampleUser.dn}${r.sampleUserGroups?.length ? html`, in ${r.sampleUserGroups.join(', ')}` : ''}</p>` : ''}
<p class="muted">Nothing was saved.</p></div>`;
}
