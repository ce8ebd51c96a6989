// The "AWS accounts" tab: each account expands (a native <details>, so it works without script)
// to the permission sets the user has on it; each set is a form that federates into the account.
import type { AccountAccess } from '../access/entitlements.ts';
import { html } from './html.ts';
import { layout } from './layout.ts';

const SEARCH_SCRIPT = `
const box = document.getElementById('account-search');
const accounts = Array.from(document.querySelectorAll('details.account'));
const none = document.getElementById('no-match');
box.addEventListener('input', () => {
  const q = box.value.trim().toLowerCase();
  let shown = 0;
  for (const a of accounts) {
    const hit = !q || a.dataset.search.includes(q);
    a.hidden = !hit;
    if (hit) shown++;
  }
  none.hidden = shown !== 0;
});
`;

export function accountsPage(o: { nonce: string; userName: string; csrfToken: string; accounts: AccountAccess[]; query: string; tabs?: { applications: boolean }; adminConsole?: boolean }): string {
  const q = o.query.trim().toLowerCase();
  const matches = (a: AccountAccess) => !q || `${a.account.name} ${a.account.accountId} ${a.account.email}`.toLowerCase().includes(q);
  const shown = o.accounts.filter(matches);
  return layout({
    title: 'AWS accounts',
    nonce: o.nonce,
    signedIn: { userName: o.userName, csrfToken: o.csrfToken, adminConsole: o.adminConsole },
    body: html`<nav class="tabs"><a href="/start" aria-current="page">AWS accounts</a>${o.tabs?.applications === false ? '' : html`<a href="/start/applications">Applications</a>`}</nav>
<div class="card">
<form method="get" action="/start" role="search">
<label for="account-search">Search accounts</label>
<input type="search" id="account-search" name="q" value="${o.query}" placeholder="Account name, ID or email" autocomplete="off">
</form>
${
  o.accounts.length === 0
    ? html`<p class="muted" id="no-accounts">You have not been given access to any account yet. Ask your administrator.</p>`
    : html`<p class="muted" id="no-match"${shown.length ? ' hidden' : ''}>No account matches your search.</p>
${o.accounts.map(
  (a) => html`<details class="account" data-account-id="${a.account.accountId}" data-search="${`${a.account.name} ${a.account.accountId} ${a.account.email}`.toLowerCase()}"${matches(a) ? '' : ' hidden'}>
<summary><span class="name">${a.account.name}</span><span class="muted">${a.account.accountId}</span><span class="muted">${a.account.email}</span></summary>
<ul class="roles">
${a.permissionSets.map(
  (s) => html`<li><span class="role-name">${s.name}</span><form method="post" action="/start/federate"><input type="hidden" name="csrf" value="${o.csrfToken}"><input type="hidden" name="accountId" value="${a.account.accountId}"><input type="hidden" name="permissionSet" value="${s.name}"><button type="submit" class="link" data-role="${s.name}" aria-label="Management console as ${s.name} in ${a.account.name}">Management console</button></form><form method="post" action="/start/credentials"><input type="hidden" name="csrf" value="${o.csrfToken}"><input type="hidden" name="accountId" value="${a.account.accountId}"><input type="hidden" name="permissionSet" value="${s.name}"><button type="submit" class="link" data-access-keys="${s.name}" aria-label="Access keys for ${s.name} in ${a.account.name}">Access keys</button></form>${s.description ? html`<span class="muted">${s.description}</span>` : ''}</li>`,
)}
${
  a.permissionSets.length > 1
    ? html`<li><form method="post" action="/start/federate"><input type="hidden" name="csrf" value="${o.csrfToken}"><input type="hidden" name="accountId" value="${a.account.accountId}"><input type="hidden" name="permissionSet" value="*"><button type="submit" class="link secondary" data-role="*">All roles (choose at sign-in)</button></form></li>`
    : ''
}
</ul>
</details>`,
)}`
}
</div>`,
    script: SEARCH_SCRIPT,
  });
}
