// The "AWS accounts" tab: each account expands (a native <details>, so it works without script)
// to the permission sets the user has on it. Per role: "Management console" (a form that federates
// into the account, in a new tab), "Access keys", and a shareable link (docs/portal.md). The
// person's favourites come first, then the accounts they used last, then the rest by name.
import type { AccountAccess } from '../access/entitlements.ts';
import { parseIsoDurationSeconds } from '../access/iso-duration.ts';
import { FOLLOW_CONSOLE_LINK_SCRIPT } from './console-link-script.ts';
import { html, raw } from './html.ts';
import { instantSearchScript } from './instant-search.ts';
import { layout } from './layout.ts';

const SEARCH_SCRIPT = instantSearchScript({ box: 'account-search', rows: 'li.account-row', none: 'no-match', count: 'account-count', noun: ['account', 'accounts'] });

const STYLE = `
ul.accounts{list-style:none;margin:0;padding:0}
li.account-row{display:flex;align-items:flex-start;gap:.25rem;border-top:1px solid #e9ebed}
li.account-row details.account{flex:1;border-top:0;min-width:0}
form.favourite{margin:0;padding-top:.6rem}
form.favourite button{background:none;border:0;color:#5f6b7a;font-size:1.3rem;min-width:44px;padding:0}
form.favourite button[aria-pressed=true]{color:#8d5400}
.tag{font-size:.8rem;border:1px solid #5f6b7a;border-radius:1rem;padding:0 .5rem;color:#414d5c}
ul.roles li{border-bottom:1px solid #f2f3f3}
button.console{background:#0753a5;color:#fff}
button.keys,button.all-roles{background:#fff;color:#0753a5;border:1px solid #0753a5}
a.share{display:inline-flex;align-items:center;min-height:44px}
`;

/** A session duration in words: "1 h", "12 h", "90 min". */
const inWords = (seconds: number) => (seconds % 3600 === 0 ? `${seconds / 3600} h` : `${Math.round(seconds / 60)} min`);

/** The relative shareable link of one role (server/portal/links.ts builds the same with the base URL). */
const shareHref = (accountId: string, roleName: string) => `/start/#/console?account_id=${encodeURIComponent(accountId)}&role_name=${encodeURIComponent(roleName)}`;

export interface AccountsPageInput {
  nonce: string;
  userName: string;
  csrfToken: string;
  accounts: AccountAccess[];
  query: string;
  tabs?: { applications: boolean };
  adminConsole?: boolean;
  /** Account ids the person marked as favourites. */
  favourites?: string[];
  /** Account ids the person signed in to lately, most recent first. */
  recent?: string[];
}

export function accountsPage(o: AccountsPageInput): string {
  const q = o.query.trim().toLowerCase();
  const searchText = (a: AccountAccess) => `${a.account.name} ${a.account.accountId} ${a.account.email}`.toLowerCase();
  const matches = (a: AccountAccess) => !q || searchText(a).includes(q);
  const favourites = new Set(o.favourites ?? []);
  const recent = o.recent ?? [];
  const rank = (a: AccountAccess) => (favourites.has(a.account.accountId) ? 0 : recent.includes(a.account.accountId) ? 1 + recent.indexOf(a.account.accountId) : 1 + recent.length);
  const ordered = [...o.accounts].sort((a, b) => rank(a) - rank(b));
  const shown = ordered.filter(matches);
  const plural = (n: number) => `${n} ${n === 1 ? 'account' : 'accounts'}`;
  return layout({
    title: 'AWS accounts',
    nonce: o.nonce,
    signedIn: { userName: o.userName, csrfToken: o.csrfToken, adminConsole: o.adminConsole },
    body: html`<nav class="tabs"><a href="/start" aria-current="page">AWS accounts</a>${o.tabs?.applications === false ? '' : html`<a href="/start/applications">Applications</a>`}<a href="/start/security">Sign-in security</a></nav>
<div class="card">
<form method="get" action="/start" role="search">
<label for="account-search">Search accounts</label>
<input type="search" id="account-search" name="q" value="${o.query}" placeholder="Account name, ID or email" autocomplete="off">
</form>
<p class="muted" id="account-count" aria-live="polite">${q ? `Showing ${shown.length} of ${plural(o.accounts.length)}` : plural(o.accounts.length)}</p>
${
  o.accounts.length === 0
    ? html`<p class="muted" id="no-accounts">You have not been given access to any account yet. Ask your administrator.</p>`
    : html`<p class="muted" id="no-match"${shown.length ? ' hidden' : ''}>No account matches your search.</p>
<ul class="accounts">
${ordered.map((a) => {
  const id = a.account.accountId;
  const favourite = favourites.has(id);
  const durations = a.permissionSets.map((s) => parseIsoDurationSeconds(s.sessionDuration) ?? 3600);
  return html`<li class="account-row" data-search="${searchText(a)}"${matches(a) ? '' : ' hidden'}>
<form method="post" action="/start/favourites" class="favourite"><input type="hidden" name="csrf" value="${o.csrfToken}"><input type="hidden" name="accountId" value="${id}"><input type="hidden" name="favourite" value="${favourite ? '0' : '1'}"><button type="submit" aria-pressed="${favourite ? 'true' : 'false'}" aria-label="Favourite ${a.account.name}" data-favourite="${id}">${favourite ? '★' : '☆'}</button></form>
<details class="account" data-account-id="${id}">
<summary><span class="name">${a.account.name}</span>${favourite ? html`<span class="tag">Favourite</span>` : recent.includes(id) ? html`<span class="tag">Recently used</span>` : ''}<span class="muted">${id}</span><span class="muted">${a.account.email}</span></summary>
<ul class="roles">
${a.permissionSets.map(
  (s) => html`<li><span class="role-name">${s.name}</span><form method="post" action="/start/federate" target="_blank"><input type="hidden" name="csrf" value="${o.csrfToken}"><input type="hidden" name="accountId" value="${id}"><input type="hidden" name="permissionSet" value="${s.name}"><button type="submit" class="console" data-role="${s.name}" aria-label="Management console as ${s.name} in ${a.account.name}" aria-describedby="new-tab-note">Management console</button></form><form method="post" action="/start/credentials"><input type="hidden" name="csrf" value="${o.csrfToken}"><input type="hidden" name="accountId" value="${id}"><input type="hidden" name="permissionSet" value="${s.name}"><button type="submit" class="keys" data-access-keys="${s.name}" aria-label="Access keys for ${s.name} in ${a.account.name}">Access keys</button></form><a class="share" href="${shareHref(id, s.name)}" data-share="${s.name}" aria-label="Shareable link to ${s.name} in ${a.account.name}">Shareable link</a>${s.description ? html`<span class="muted">${s.description}</span>` : ''}</li>`,
)}
${
  a.permissionSets.length > 1
    ? html`<li><form method="post" action="/start/federate" target="_blank"><input type="hidden" name="csrf" value="${o.csrfToken}"><input type="hidden" name="accountId" value="${id}"><input type="hidden" name="permissionSet" value="*"><button type="submit" class="all-roles" data-role="*" aria-label="Choose a role at AWS sign-in for ${a.account.name}" aria-describedby="new-tab-note">Choose a role at AWS sign-in</button></form><span class="muted">Offers all ${a.permissionSets.length} roles; the console session lasts ${inWords(Math.min(...durations))}, the shortest of them.</span></li>`
    : ''
}
</ul>
</details>
</li>`;
})}
</ul>
<p class="muted" id="new-tab-note">The management console opens in a new tab.</p>`
}
</div>
<style nonce="${o.nonce}">${raw(STYLE)}</style>`,
    script: `${FOLLOW_CONSOLE_LINK_SCRIPT}\n${SEARCH_SCRIPT}`,
  });
}
