// The "assign access" flow, in Identity Center's steps: accounts, then users and groups, then
// permission sets, then a review, then submit. Each step is a GET form that carries the choices
// made so far in hidden fields, so the browser's back button and a reload keep them; only the
// last step writes.
import type { AccountAssignment } from '../../model/types.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField } from './form.ts';
import type { ConsolePage } from './layout.ts';
import type { NameOf } from './names.ts';

export interface AssignChoices {
  accountIds: string[];
  /** `USER:<id>` or `GROUP:<id>` */
  principals: string[];
  permissionSetIds: string[];
}

export type AssignStep = 'accounts' | 'principals' | 'permission-sets' | 'review';

const STEPS: [AssignStep, string][] = [
  ['accounts', '1. AWS accounts'],
  ['principals', '2. Users and groups'],
  ['permission-sets', '3. Permission sets'],
  ['review', '4. Review and submit'],
];

export interface Option {
  value: string;
  label: string;
  detail?: string;
}

const hidden = (c: AssignChoices, except: keyof AssignChoices | null) => html`${except === 'accountIds' ? '' : c.accountIds.map((v) => html`<input type="hidden" name="accountId" value="${v}">`)}${except === 'principals' ? '' : c.principals.map((v) => html`<input type="hidden" name="principal" value="${v}">`)}${except === 'permissionSetIds' ? '' : c.permissionSetIds.map((v) => html`<input type="hidden" name="permissionSetId" value="${v}">`)}`;

function stepList(current: AssignStep): SafeHtml {
  return html`<ol class="steps">${STEPS.map(([id, label]) => html`<li${id === current ? html` aria-current="step"` : ''}>${label}</li>`)}</ol>`;
}

/** One step that picks several of a kind, with a name filter that keeps the choices made. */
export function assignPickPage(o: {
  step: Exclude<AssignStep, 'review'>;
  choices: AssignChoices;
  /** The form field this step fills. */
  name: 'accountId' | 'principal' | 'permissionSetId';
  legend: string;
  options: Option[];
  filter: string;
  more: boolean;
  next: string;
  back: string | null;
  error?: string;
}): ConsolePage {
  const key = ({ accountId: 'accountIds', principal: 'principals', permissionSetId: 'permissionSetIds' } as const)[o.name];
  const chosen = new Set(o.choices[key]);
  // Chosen items the filter hides stay chosen.
  const shown = new Set(o.options.map((x) => x.value));
  return {
    title: 'Assign access',
    section: 'assign',
    body: html`${stepList(o.step)}
<form method="get" action="/admin/assign${o.step === 'accounts' ? '' : `/${o.step}`}" class="card toolbar" role="search">${hidden(o.choices, null)}<div><label for="filter">Filter by name</label><input type="search" id="filter" name="name" value="${o.filter}"></div><button type="submit" class="secondary">Filter</button></form>
<form method="get" action="${o.next}" class="card" novalidate>
${hidden(o.choices, key)}${[...chosen].filter((v) => !shown.has(v)).map((v) => html`<input type="hidden" name="${o.name}" value="${v}">`)}
<fieldset${o.error ? html` aria-describedby="pick-error"` : ''}><legend>${o.legend}</legend>
${o.error ? html`<p class="field-error" id="pick-error" role="alert">${o.error}</p>` : ''}
${o.options.length === 0 ? html`<p class="muted">Nothing to choose${o.filter ? ' matches this filter' : ' yet'}.</p>` : ''}
${o.options.map((x) => html`<label class="check"><input type="checkbox" name="${o.name}" value="${x.value}"${chosen.has(x.value) ? html` checked` : ''}> ${x.label}${x.detail ? html` <span class="muted">${x.detail}</span>` : ''}</label>`)}
${o.more ? html`<p class="muted">More exist than are shown: filter by name to find the others.</p>` : ''}
</fieldset>
<div class="actions"><button type="submit">Next</button>${o.back ? html`<a class="button secondary" href="${o.back}">Back</a>` : ''}</div>
</form>`,
  };
}

export function assignReviewPage(o: { choices: AssignChoices; rows: { account: string; principal: string; permissionSet: string; exists: boolean }[]; back: string; csrfToken: string; tooMany: number | null }): ConsolePage {
  const fresh = o.rows.filter((r) => !r.exists).length;
  return {
    title: 'Assign access',
    section: 'assign',
    body: html`${stepList('review')}
<form method="post" action="/admin/assign" class="card">${csrfField(o.csrfToken)}${hidden(o.choices, null)}
<h2>${fresh} assignment${fresh === 1 ? '' : 's'} will be made</h2>
${fresh < o.rows.length ? html`<p class="muted">${o.rows.length - fresh} of the combinations you chose already exist and stay as they are.</p>` : ''}
${o.tooMany !== null ? html`<p class="error" role="alert">That is more than ${o.tooMany} at once; go back and choose fewer.</p>` : ''}
<table><thead><tr><th scope="col">Account</th><th scope="col">User or group</th><th scope="col">Permission set</th><th scope="col">Status</th></tr></thead><tbody>
${o.rows.map((r) => html`<tr><td>${r.account}</td><td>${r.principal}</td><td>${r.permissionSet}</td><td>${r.exists ? 'already assigned' : 'new'}</td></tr>`)}
</tbody></table>
<div class="actions">${o.tooMany === null && fresh > 0 ? html`<button type="submit">Submit</button>` : ''}<a class="button secondary" href="${o.back}">Back</a></div>
</form>`,
  };
}

export function assignDonePage(o: { created: AccountAssignment[]; alreadyAssigned: number; nameOf: NameOf }): ConsolePage {
  return {
    title: 'Access assigned',
    section: 'assign',
    body: html`<div class="notice" role="status">${o.created.length} assignment${o.created.length === 1 ? '' : 's'} made${o.alreadyAssigned ? html`; ${o.alreadyAssigned} already existed and were left as they were` : ''}.</div>
<div class="card"><table><thead><tr><th scope="col">Account</th><th scope="col">User or group</th><th scope="col">Permission set</th><th scope="col">Status</th></tr></thead><tbody>
${o.created.map((x) => html`<tr><td><a href="/admin/accounts/${x.accountId}">${o.nameOf.account(x.accountId)}</a></td><td>${x.principalType === 'USER' ? 'User' : 'Group'} ${o.nameOf.principal(x.principalType, x.principalId)}</td><td>${o.nameOf.permissionSet(x.permissionSetId)}</td><td>In effect: people sign in with it now</td></tr>`)}
</tbody></table>
<div class="actions"><a class="button" href="/admin/assign">Assign more access</a><a href="/admin/accounts">AWS accounts</a></div></div>`,
  };
}
