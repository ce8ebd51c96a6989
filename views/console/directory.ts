// Users and groups of the directory: lists with the form that adds one, a user's page (enable or
// disable, reset the password, unlock, groups, delete) and a group's page (members, delete).
import type { SignInState } from '../../access/sign-in-throttle.ts';
import type { Group, User } from '../../model/types.ts';
import { html } from '../html.ts';
import { checkbox, csrfField, filterForm, formatTime, noticeBox, pager, selectField, summaryError, textField, type FormState } from './form.ts';
import type { ConsolePage } from './layout.ts';

export function userListPage(o: { items: User[]; signInStates?: Map<string, SignInState>; name: string; nextToken?: string; firstPage: boolean; notice?: string; form: FormState; csrfToken: string; builtin: boolean }): ConsolePage {
  return {
    title: 'Users',
    section: 'users',
    body: html`${noticeBox(o.notice)}<div class="card">
<div class="toolbar">${filterForm('/admin/users', 'Filter by user name', o.name)}</div>
${o.items.length === 0
  ? html`<p class="muted">No users${o.name ? ' match this filter' : ' yet'}.</p>`
  : html`<table><thead><tr><th scope="col">User name</th><th scope="col">Display name</th><th scope="col">Email</th><th scope="col">Status</th></tr></thead><tbody>
${o.items.map((u) => html`<tr><td><a href="/admin/users/${u.id}">${u.userName}</a></td><td>${u.displayName}</td><td>${u.emails[0]?.value ?? ''}</td><td>${status(u)}${signInTag(o.signInStates?.get(u.id))}</td></tr>`)}
</tbody></table>`}
${pager('/admin/users', { name: o.name }, o.nextToken, o.firstPage)}
</div>
<form method="post" action="/admin/users" class="card" novalidate><h2>Add a user</h2>${summaryError(o.form)}${csrfField(o.csrfToken)}
${o.builtin ? '' : html`<p class="muted">People sign in with an LDAP directory; users added here are built-in users.</p>`}
<div class="grid2"><div>${textField({ name: 'userName', label: 'User name', state: o.form })}</div><div>${textField({ name: 'displayName', label: 'Display name', state: o.form })}</div>
<div>${textField({ name: 'email', label: 'Email', type: 'email', state: o.form, hint: 'Optional' })}</div><div>${textField({ name: 'password', label: 'Password', type: 'password', state: o.form, autocomplete: 'new-password', hint: 'Optional; at least 12 characters. Leave empty and reset it later to generate one.' })}</div></div>
${checkbox({ name: 'isAdmin', label: 'Administrator (may use this console and the admin API)', checked: o.form.values.isAdmin === 'on' })}
<div class="actions"><button type="submit">Add user</button></div></form>`,
  };
}

/** Locked until an administrator unlocks (the user's page has Unlock), or throttled for a while. */
const signInTag = (s: SignInState | undefined) =>
  s?.state === 'locked' ? html` <span class="tag off" data-sign-in="locked">locked</span>` : s?.state === 'throttled' ? html` <span class="tag off" data-sign-in="throttled">throttled, ${Math.ceil(s.retryAfterSeconds / 60)} min left</span>` : '';

const status = (u: User) => html`${u.enabled ? html`<span class="tag">enabled</span>` : html`<span class="tag off">disabled</span>`}${u.isAdmin ? html` <span class="tag">administrator</span>` : ''}${u.source === 'ldap' ? html` <span class="tag">LDAP</span>` : ''}`;

export function userPage(o: { user: User; groups: Group[]; notice?: string; csrfToken: string; newPassword?: string; form: FormState }): ConsolePage {
  const u = o.user;
  const builtin = u.source === 'builtin';
  return {
    title: `User ${u.userName}`,
    section: 'users',
    body: html`${noticeBox(o.notice)}
${o.newPassword ? html`<div class="notice" role="status" id="new-password"><p>The password of ${u.userName} is now:</p><pre>${o.newPassword}</pre><p>It is shown only this once. Hand it over safely; the user can sign in with it right away.</p></div>` : ''}
<div class="card"><dl class="facts"><dt>User name</dt><dd>${u.userName}</dd><dt>Status</dt><dd>${status(u)}</dd><dt>Id</dt><dd>${u.id}</dd><dt>Source</dt><dd>${builtin ? 'built-in directory' : 'LDAP directory'}</dd><dt>Created</dt><dd>${formatTime(u.createdAt)}</dd></dl>
<div class="actions">
<form method="post" action="/admin/users/${u.id}/${u.enabled ? 'disable' : 'enable'}">${csrfField(o.csrfToken)}<button type="submit" class="secondary">${u.enabled ? 'Disable user' : 'Enable user'}</button></form>
${builtin ? html`<details class="confirm"><summary class="button secondary">Reset password</summary><form method="post" action="/admin/users/${u.id}/reset-password">${csrfField(o.csrfToken)}<p>A new password is generated and shown once; the current one stops working at once.</p><button type="submit" class="danger">Reset the password of ${u.userName}</button></form></details>` : ''}
<form method="post" action="/admin/users/${u.id}/unlock">${csrfField(o.csrfToken)}<button type="submit" class="secondary">Unlock</button></form>
<a href="/admin/users/${u.id}/mfa">Sign-in devices (MFA)</a>
<a href="/admin/users/${u.id}/delete">Delete this user</a>
</div>
${u.enabled ? html`<p class="muted">Disabling ends the user's portal sessions at once; their assignments stay.</p>` : ''}
</div>
<form method="post" action="/admin/users/${u.id}" class="card" novalidate><h2>Details</h2>${summaryError(o.form)}${csrfField(o.csrfToken)}
<div class="grid2"><div>${textField({ name: 'displayName', label: 'Display name', state: o.form })}</div><div>${textField({ name: 'email', label: 'Email', type: 'email', state: o.form })}</div></div>
${checkbox({ name: 'isAdmin', label: 'Administrator', checked: o.form.values.isAdmin === 'on' })}
<div class="actions"><button type="submit">Save details</button></div></form>
<div class="card"><h2>Groups</h2>${o.groups.length === 0 ? html`<p class="muted">Not a member of any group.</p>` : html`<ul>${o.groups.map((g) => html`<li><a href="/admin/groups/${g.id}">${g.displayName}</a></li>`)}</ul>`}
<p><a href="/admin/assign?principal=USER:${u.id}">Assign access to this user</a></p></div>`,
  };
}

export function groupListPage(o: { items: Group[]; name: string; nextToken?: string; firstPage: boolean; notice?: string; form: FormState; csrfToken: string }): ConsolePage {
  return {
    title: 'Groups',
    section: 'groups',
    body: html`${noticeBox(o.notice)}<div class="card">
<div class="toolbar">${filterForm('/admin/groups', 'Filter by name', o.name)}</div>
${o.items.length === 0
  ? html`<p class="muted">No groups${o.name ? ' match this filter' : ' yet'}.</p>`
  : html`<table><thead><tr><th scope="col">Name</th><th scope="col">Description</th><th scope="col">Source</th></tr></thead><tbody>
${o.items.map((g) => html`<tr><td><a href="/admin/groups/${g.id}">${g.displayName}</a></td><td>${g.description}</td><td>${g.source === 'ldap' ? 'LDAP' : 'built-in'}</td></tr>`)}
</tbody></table>`}
${pager('/admin/groups', { name: o.name }, o.nextToken, o.firstPage)}
</div>
<form method="post" action="/admin/groups" class="card" novalidate><h2>Add a group</h2>${summaryError(o.form)}${csrfField(o.csrfToken)}
<div class="grid2"><div>${textField({ name: 'displayName', label: 'Name', state: o.form })}</div><div>${textField({ name: 'description', label: 'Description', state: o.form, hint: 'Optional' })}</div></div>
<div class="actions"><button type="submit">Add group</button></div></form>`,
  };
}

export function groupPage(o: { group: Group; members: User[]; membersNext?: string; candidates: User[]; notice?: string; csrfToken: string; form: FormState }): ConsolePage {
  const g = o.group;
  const builtin = g.source === 'builtin';
  return {
    title: `Group ${g.displayName}`,
    section: 'groups',
    body: html`${noticeBox(o.notice)}
<div class="card"><dl class="facts"><dt>Name</dt><dd>${g.displayName}</dd><dt>Description</dt><dd>${g.description || '—'}</dd><dt>Id</dt><dd>${g.id}</dd><dt>Source</dt><dd>${builtin ? 'built-in directory' : 'LDAP directory'}</dd></dl>
<div class="actions"><a class="button" href="/admin/assign?principal=GROUP:${g.id}">Assign access to this group</a><a href="/admin/groups/${g.id}/delete">Delete this group</a></div></div>
<div class="card"><h2>Members</h2>
${o.members.length === 0 ? html`<p class="muted">No members.</p>` : html`<table><thead><tr><th scope="col">User name</th><th scope="col">Display name</th><th scope="col"><span class="muted">Remove</span></th></tr></thead><tbody>
${o.members.map((u) => html`<tr><td><a href="/admin/users/${u.id}">${u.userName}</a></td><td>${u.displayName}</td><td>${builtin ? html`<details><summary>Remove</summary><form method="post" action="/admin/groups/${g.id}/members/remove">${csrfField(o.csrfToken)}<input type="hidden" name="userId" value="${u.id}"><button type="submit" class="danger">Remove ${u.userName} from ${g.displayName}</button></form></details>` : ''}</td></tr>`)}
</tbody></table>`}
${o.membersNext ? html`<p class="muted">Only the first members are shown.</p>` : ''}
${builtin ? html`<form method="post" action="/admin/groups/${g.id}/members" novalidate>${summaryError(o.form)}${csrfField(o.csrfToken)}
${selectField({ name: 'userId', label: 'Add a member', state: o.form, options: [['', 'Choose a user…'], ...o.candidates.map((u): [string, string] => [u.id, `${u.userName} (${u.displayName})`])] })}
<div class="actions"><button type="submit">Add member</button></div></form>` : html`<p class="muted">Membership of an LDAP group is managed in the directory.</p>`}
</div>`,
  };
}
