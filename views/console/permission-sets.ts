// Permission set pages: the list, and the form that creates or edits one, with the policy editor
// (the inline policy checked as you type against JSON, the IAM policy grammar and the size limit,
// by the console's own check endpoint; without script, the same check runs when the form is sent).
import { MAX_ATTACHED_POLICIES, MAX_INLINE_POLICY_BYTES } from '../../access/permission-sets.ts';
import type { AccountAssignment, PermissionSet } from '../../model/types.ts';
import { html } from '../html.ts';
import { csrfField, filterForm, noticeBox, pager, summaryError, textArea, textField, type FormState } from './form.ts';
import type { ConsolePage } from './layout.ts';

export function permissionSetListPage(o: { items: PermissionSet[]; name: string; nextToken?: string; firstPage: boolean; notice?: string }): ConsolePage {
  return {
    title: 'Permission sets',
    section: 'permission-sets',
    body: html`${noticeBox(o.notice)}<div class="card">
<div class="toolbar">${filterForm('/admin/permission-sets', 'Filter by name', o.name)}<a class="button" href="/admin/permission-sets/new">Create permission set</a></div>
${o.items.length === 0
  ? html`<p class="muted">No permission sets${o.name ? ' match this filter' : ' yet'}.</p>`
  : html`<table><thead><tr><th scope="col">Name</th><th scope="col">Description</th><th scope="col">Session</th><th scope="col">Policies</th></tr></thead><tbody>
${o.items.map((s) => html`<tr><td><a href="/admin/permission-sets/${s.id}">${s.name}</a></td><td>${s.description ?? ''}</td><td>${s.sessionDuration}</td><td>${s.managedPolicies.length + s.customerManagedPolicies.length} attached${s.inlinePolicy ? ', inline' : ''}</td></tr>`)}
</tbody></table>`}
${pager('/admin/permission-sets', { name: o.name }, o.nextToken, o.firstPage)}
</div>`,
  };
}

/** The form's values for an existing set (managed policy ARNs one per line). */
export function permissionSetValues(s: PermissionSet | null): Record<string, string> {
  return {
    name: s?.name ?? '',
    description: s?.description ?? '',
    sessionDuration: s?.sessionDuration ?? 'PT1H',
    relayState: s?.relayState ?? '',
    managedPolicies: s?.managedPolicies.join('\n') ?? '',
    inlinePolicy: s?.inlinePolicy ? prettyPolicy(s.inlinePolicy) : '',
  };
}

function prettyPolicy(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function permissionSetFormPage(o: { set: PermissionSet | null; state: FormState; csrfToken: string; assignments?: AccountAssignment[]; notice?: string }): ConsolePage {
  const editing = o.set !== null;
  const s = o.state;
  const policyBytes = Buffer.byteLength(s.values.inlinePolicy ?? '', 'utf8');
  const attached = (s.values.managedPolicies ?? '').split('\n').filter((l) => l.trim()).length;
  return {
    title: editing ? `Permission set ${o.set!.name}` : 'Create permission set',
    section: 'permission-sets',
    body: html`${noticeBox(o.notice)}${summaryError(s)}
${editing ? html`<div class="card"><dl class="facts"><dt>ARN</dt><dd>${o.set!.arn}</dd><dt>Version</dt><dd>${o.set!.version}</dd><dt>Assigned</dt><dd>${o.assignments?.length ?? 0} account assignment${o.assignments?.length === 1 ? '' : 's'}${o.assignments && o.assignments.length >= 100 ? ' or more' : ''}</dd></dl></div>` : ''}
<form method="post" action="${editing ? `/admin/permission-sets/${o.set!.id}` : '/admin/permission-sets'}" class="card" novalidate>
${csrfField(o.csrfToken)}
${editing
  ? html`<p><strong>Name:</strong> ${o.set!.name} <span class="muted">(a permission set's name cannot change)</span></p>`
  : textField({ name: 'name', label: 'Name', state: s, required: true, hint: 'Up to 32 letters, digits and + = , . @ _ -; it becomes the role name in each account.' })}
${textField({ name: 'description', label: 'Description', state: s, hint: 'Optional, up to 700 characters.' })}
${textField({ name: 'sessionDuration', label: 'Session duration', state: s, hint: 'ISO-8601, PT1H to PT12H (e.g. PT4H).' })}
${textField({ name: 'relayState', label: 'Relay state', state: s, type: 'url', hint: 'Optional: the console URL people land on.' })}
${textArea({
  name: 'managedPolicies',
  label: 'AWS managed policies',
  state: s,
  rows: 3,
  hint: `One ARN per line, e.g. arn:aws:iam::aws:policy/ReadOnlyAccess. At most ${MAX_ATTACHED_POLICIES} managed and customer managed policies together.`,
  after: html`<p class="meter" id="managed-meter">${attached} of ${MAX_ATTACHED_POLICIES} attached policies</p>`,
})}
${textArea({
  name: 'inlinePolicy',
  label: 'Inline policy',
  state: s,
  rows: 14,
  hint: 'Optional IAM policy document (JSON): Version and Statement, each statement with Effect, Action or NotAction, Resource or NotResource, and optionally Condition.',
  after: html`<p class="meter${policyBytes > MAX_INLINE_POLICY_BYTES ? ' over' : ''}" id="policy-meter" aria-live="polite">${policyBytes} of ${MAX_INLINE_POLICY_BYTES} bytes</p><div id="policy-check" class="field-error" aria-live="polite"></div>`,
})}
<div class="actions"><button type="submit">${editing ? 'Save changes' : 'Create permission set'}</button><a class="button secondary" href="/admin/permission-sets">Cancel</a>${editing ? html`<a href="/admin/permission-sets/${o.set!.id}/delete">Delete this permission set</a>` : ''}</div>
</form>`,
    script: POLICY_EDITOR,
  };
}

// The policy editor: counts as you type, and asks the console to check the policy a moment after
// typing stops (one check implementation, on the server). The server-rendered error stays until
// the check answers.
const POLICY_EDITOR = `
const area = document.getElementById('f-inlinePolicy');
const meter = document.getElementById('policy-meter');
const out = document.getElementById('policy-check');
const managed = document.getElementById('f-managedPolicies');
const managedMeter = document.getElementById('managed-meter');
const csrf = document.querySelector('input[name=csrf]').value;
const max = ${MAX_INLINE_POLICY_BYTES};
let timer = null;
let seq = 0;
function count() {
  const bytes = new TextEncoder().encode(area.value).length;
  meter.textContent = bytes + ' of ' + max + ' bytes';
  meter.classList.toggle('over', bytes > max);
}
async function check() {
  const mine = ++seq;
  if (!area.value.trim()) { out.textContent = ''; area.removeAttribute('aria-invalid'); return; }
  try {
    const res = await fetch('/admin/permission-sets/check-policy', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ policy: area.value }) });
    if (!res.ok || mine !== seq) return;
    const r = await res.json();
    const old = document.getElementById('f-inlinePolicy-error');
    if (old) old.remove();
    if (r.ok) {
      out.className = 'meter';
      out.textContent = 'Valid IAM policy: ' + r.statements + (r.statements === 1 ? ' statement.' : ' statements.');
      area.removeAttribute('aria-invalid');
    } else {
      out.className = 'field-error';
      out.textContent = r.problems.join('\\n');
      area.setAttribute('aria-invalid', 'true');
    }
  } catch (e) { /* offline: the form is still checked when sent */ }
}
area.addEventListener('input', () => { count(); clearTimeout(timer); timer = setTimeout(check, 300); });
managed.addEventListener('input', () => {
  const n = managed.value.split('\\n').filter((l) => l.trim()).length;
  managedMeter.textContent = n + ' of ${MAX_ATTACHED_POLICIES} attached policies';
  managedMeter.classList.toggle('over', n > ${MAX_ATTACHED_POLICIES});
});
if (area.value.trim()) check();
`;
