// AWS account pages: the list (with the form that adds one) and one account with its assignments.
import type { Account, AccountAssignment } from '../../model/types.ts';
import { html } from '../html.ts';
import { csrfField, filterForm, formatTime, noticeBox, pager, selectField, summaryError, textField, type FormState } from './form.ts';
import type { ConsolePage } from './layout.ts';
import type { NameOf } from './names.ts';

export function accountListPage(o: { items: Account[]; name: string; nextToken?: string; firstPage: boolean; notice?: string; form: FormState; csrfToken: string }): ConsolePage {
  return {
    title: 'AWS accounts',
    section: 'accounts',
    body: html`${noticeBox(o.notice)}<div class="card">
<div class="toolbar">${filterForm('/admin/accounts', 'Filter by name', o.name)}<a class="button" href="/admin/assign">Assign access</a></div>
${o.items.length === 0
  ? html`<p class="muted">No accounts${o.name ? ' match this filter' : ' yet'}.</p>`
  : html`<table><thead><tr><th scope="col">Name</th><th scope="col">Account ID</th><th scope="col">Email</th><th scope="col">Kind</th></tr></thead><tbody>
${o.items.map((a) => html`<tr><td><a href="/admin/accounts/${a.accountId}">${a.name}</a></td><td>${a.accountId}</td><td>${a.email}</td><td>${a.kind}</td></tr>`)}
</tbody></table>`}
${pager('/admin/accounts', { name: o.name }, o.nextToken, o.firstPage)}
</div>
<form method="post" action="/admin/accounts" class="card" novalidate><h2>Add an account</h2>${summaryError(o.form)}${csrfField(o.csrfToken)}
<div class="grid2"><div>${textField({ name: 'accountId', label: 'Account ID', state: o.form, hint: '12 digits' })}</div><div>${textField({ name: 'name', label: 'Name', state: o.form })}</div>
<div>${textField({ name: 'email', label: 'Email', type: 'email', state: o.form })}</div><div>${selectField({ name: 'kind', label: 'Kind', state: o.form, options: [['member', 'Member account'], ['management', 'Management account'], ['external', 'External account']] })}</div></div>
<div class="actions"><button type="submit">Add account</button></div></form>`,
  };
}

export function accountPage(o: { account: Account; assignments: AccountAssignment[]; nameOf: NameOf; notice?: string; csrfToken: string }): ConsolePage {
  const a = o.account;
  return {
    title: `Account ${a.name}`,
    section: 'accounts',
    body: html`${noticeBox(o.notice)}<div class="card"><dl class="facts"><dt>Account ID</dt><dd>${a.accountId}</dd><dt>Email</dt><dd>${a.email}</dd><dt>Kind</dt><dd>${a.kind}</dd><dt>SAML provider</dt><dd>${a.samlProviderName}</dd><dt>Sign-in endpoint</dt><dd>${a.signInEndpoint}</dd><dt>Added</dt><dd>${formatTime(a.createdAt)}</dd></dl>
<div class="actions"><a class="button" href="/admin/assign?accountId=${a.accountId}">Assign access to this account</a><a href="/admin/accounts/${a.accountId}/delete">Delete this account</a></div></div>
<div class="card"><h2>Assignments</h2>${assignmentTable(o.assignments, o.nameOf, o.csrfToken, `/admin/accounts/${a.accountId}`)}</div>`,
  };
}

/** Assignments with their principal and permission set by name, each removable after a confirmation. */
export function assignmentTable(items: AccountAssignment[], nameOf: NameOf, csrfToken: string, back: string) {
  if (items.length === 0) return html`<p class="muted">No assignments.</p>`;
  return html`<table><thead><tr><th scope="col">Account</th><th scope="col">Principal</th><th scope="col">Permission set</th><th scope="col"><span class="muted">Remove</span></th></tr></thead><tbody>
${items.map((x) => html`<tr><td>${nameOf.account(x.accountId)}</td><td>${x.principalType === 'USER' ? 'User' : 'Group'} ${nameOf.principal(x.principalType, x.principalId)}</td><td>${nameOf.permissionSet(x.permissionSetId)}</td>
<td><details><summary>Remove</summary><form method="post" action="/admin/assign/remove">${csrfField(csrfToken)}<input type="hidden" name="accountId" value="${x.accountId}"><input type="hidden" name="permissionSetId" value="${x.permissionSetId}"><input type="hidden" name="principalType" value="${x.principalType}"><input type="hidden" name="principalId" value="${x.principalId}"><input type="hidden" name="back" value="${back}"><button type="submit" class="danger">Remove this assignment</button></form></details></td></tr>`)}
</tbody></table>`;
}
