// Application pages: the list, adding one from its SAML metadata (a file, a URL or the pasted
// document), and one application: settings, attribute mappings, metadata, assignments and the
// assertion preview.
import type { AssertionPreview } from '../../access/admin/console-preview.ts';
import type { Application, ApplicationAssignment } from '../../model/types.ts';
import { html } from '../html.ts';
import { checkbox, csrfField, filterForm, formatTime, noticeBox, pager, selectField, summaryError, textArea, textField, type FormState } from './form.ts';
import type { ConsolePage } from './layout.ts';
import type { NameOf } from './names.ts';

const FORMATS: [string, string][] = [
  ['urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', 'persistent'],
  ['urn:oasis:names:tc:SAML:2.0:nameid-format:transient', 'transient'],
  ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress', 'emailAddress'],
  ['urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified', 'unspecified'],
];
const SOURCES: [string, string][] = [
  ['persistent', 'A stable pseudonym per user and application'],
  ['transient', 'A new random value at every sign-in'],
  ['email', 'The primary email address'],
  ['userName', 'The user name'],
];

export function applicationListPage(o: { items: Application[]; name: string; nextToken?: string; firstPage: boolean; notice?: string }): ConsolePage {
  return {
    title: 'Applications',
    section: 'applications',
    body: html`${noticeBox(o.notice)}<div class="card">
<div class="toolbar">${filterForm('/admin/applications', 'Filter by name', o.name)}<a class="button" href="/admin/applications/new">Add SAML application</a><a class="button" href="/admin/applications/new-oidc">Add OpenID Connect application</a></div>
${o.items.length === 0
  ? html`<p class="muted">No applications${o.name ? ' match this filter' : ' yet'}.</p>`
  : html`<table><thead><tr><th scope="col">Name</th><th scope="col">Entity ID or client ID</th><th scope="col">Kind</th></tr></thead><tbody>
${o.items.map((a) => html`<tr><td><a href="/admin/applications/${a.id}">${a.name}</a></td><td>${a.entityId}</td><td>${a.kind === 'external-aws-account' ? 'AWS account' : a.kind === 'oidc' ? 'OpenID Connect' : `SAML (${a.metadata.source})`}</td></tr>`)}
</tbody></table>`}
${pager('/admin/applications', { name: o.name }, o.nextToken, o.firstPage)}
</div>`,
  };
}

// Reads a chosen metadata file into the document field, so the file needs no multipart upload;
// without script, the document is pasted instead.
const FILE_READER = `
const file = document.getElementById('f-metadataFile');
const area = document.getElementById('f-metadataXml');
const status = document.getElementById('file-status');
file.hidden = false;
document.getElementById('file-label').hidden = false;
file.addEventListener('change', async () => {
  const f = file.files[0];
  if (!f) return;
  if (f.size > 1048576) { status.textContent = f.name + ' is larger than 1 MB, the limit for a metadata document.'; return; }
  area.value = await f.text();
  status.textContent = 'Read ' + f.name + ' (' + f.size + ' bytes) into the document below.';
});
`;

export function applicationNewPage(o: { state: FormState; csrfToken: string }): ConsolePage {
  return {
    title: 'Add application',
    section: 'applications',
    body: html`${summaryError(o.state)}<form method="post" action="/admin/applications" class="card" novalidate>${csrfField(o.csrfToken)}
${textField({ name: 'name', label: 'Name', state: o.state, hint: 'Shown to people in the portal.' })}
${textField({ name: 'description', label: 'Description', state: o.state, hint: 'Optional' })}
<fieldset><legend>The service provider's SAML metadata (one of these)</legend>
${textField({ name: 'metadataUrl', label: 'Metadata URL', type: 'url', state: o.state, hint: 'https; fetched now and refreshed when it says so.' })}
<label for="f-metadataFile" id="file-label" hidden>Metadata file</label><input type="file" id="f-metadataFile" accept=".xml,application/xml,text/xml,application/samlmetadata+xml" hidden>
<p class="muted" id="file-status" aria-live="polite"></p>
${textArea({ name: 'metadataXml', label: 'Metadata document', state: o.state, rows: 8, hint: 'The EntityDescriptor XML (choosing a file fills it in).' })}
</fieldset>
<p class="muted">The NameID format starts as the first one the metadata declares that Gatehouse sends; you can change it afterwards.</p>
<div class="actions"><button type="submit">Add application</button><a class="button secondary" href="/admin/applications">Cancel</a></div>
</form>`,
    script: FILE_READER,
  };
}

export interface ApplicationPageModel {
  app: Application;
  assignments: ApplicationAssignment[];
  nameOf: NameOf;
  principals: [string, string][];
  users: [string, string][];
  settings: FormState;
  mappings: FormState;
  metadata: FormState;
  assign: FormState;
  preview: AssertionPreview | null;
  previewUserId: string;
  notice?: string;
  csrfToken: string;
}

/** Mapping rows: the app's, then blank rows to add more. */
export const MAPPING_ROWS_EXTRA = 2;

export function applicationPage(m: ApplicationPageModel): ConsolePage {
  const a = m.app;
  const external = a.kind === 'external-aws-account';
  const rows = Number(m.mappings.values.rows ?? '0');
  return {
    title: `Application ${a.name}`,
    section: 'applications',
    body: html`${noticeBox(m.notice)}
<div class="card"><dl class="facts"><dt>Entity ID</dt><dd>${a.entityId}</dd><dt>ACS</dt><dd>${a.acs.map((x) => html`${x.url}${x.isDefault ? ' (default)' : ''}<br>`)}</dd><dt>Single logout</dt><dd>${a.slo?.url ?? 'none'}</dd>
<dt>Metadata</dt><dd>${a.metadata.source}${a.metadata.url ? html` from ${a.metadata.url}` : ''}${a.metadata.fetchedAt ? html`, read ${formatTime(a.metadata.fetchedAt)}` : ''}${a.metadata.lastError ? html` <span class="tag off">last fetch failed: ${a.metadata.lastError}</span>` : ''}</dd>
<dt>Signed requests</dt><dd>${a.authnRequestsSigned ? 'required' : 'not required'}</dd><dt>Encryption certificate</dt><dd>${a.encryptionCertificates.length ? 'yes' : 'none'}</dd></dl>
<div class="actions"><a href="/admin/applications/${a.id}/delete">Delete this application</a></div></div>

<form method="post" action="/admin/applications/${a.id}/settings" class="card" novalidate id="settings"><h2>Settings</h2>${summaryError(m.settings)}${csrfField(m.csrfToken)}
<div class="grid2"><div>${textField({ name: 'name', label: 'Name', state: m.settings })}</div><div>${textField({ name: 'description', label: 'Description', state: m.settings })}</div>
<div>${selectField({ name: 'nameIdFormat', label: 'NameID format', state: m.settings, options: FORMATS })}</div><div>${selectField({ name: 'nameIdSource', label: 'NameID value', state: m.settings, options: SOURCES })}</div>
<div>${textField({ name: 'sessionDurationSeconds', label: 'Application session (seconds)', type: 'number', state: m.settings, hint: '900 to 43200; empty: until the portal session ends.' })}</div><div>${textField({ name: 'defaultRelayState', label: 'Default relay state', state: m.settings, hint: 'Optional' })}</div></div>
${checkbox({ name: 'signResponse', label: 'Sign the Response', checked: m.settings.values.signResponse === 'on' })}
${checkbox({ name: 'signAssertion', label: 'Sign the Assertion', checked: m.settings.values.signAssertion === 'on' })}
${m.settings.errors.signAssertion ? html`<p class="field-error">${m.settings.errors.signAssertion}</p>` : ''}
${checkbox({ name: 'encryptAssertion', label: 'Encrypt the Assertion', checked: m.settings.values.encryptAssertion === 'on' })}
${m.settings.errors.encryptAssertion ? html`<p class="field-error">${m.settings.errors.encryptAssertion}</p>` : ''}
<div class="actions"><button type="submit">Save settings</button></div></form>

<form method="post" action="/admin/applications/${a.id}/mappings" class="card" novalidate id="mappings"><h2>Attribute mappings</h2>${summaryError(m.mappings)}${csrfField(m.csrfToken)}
<p class="muted">Each attribute the application receives: a literal, or a template such as \${user:email}, \${user:displayName}, \${user:groups} or \${user:attribute.department}. Leave a row empty to remove it.</p>
<table class="inputs"><thead><tr><th scope="col">Attribute name</th><th scope="col">Value</th></tr></thead><tbody>
${Array.from({ length: rows }, (_, i) => html`<tr><td><label class="check" for="f-mapName${i}"><span class="hint">Name ${i + 1}</span></label><input type="text" id="f-mapName${i}" name="mapName${i}" value="${m.mappings.values[`mapName${i}`] ?? ''}"${m.mappings.errors[`mapName${i}`] ? html` aria-invalid="true" aria-describedby="f-mapName${i}-error"` : ''}>${m.mappings.errors[`mapName${i}`] ? html`<p class="field-error" id="f-mapName${i}-error">${m.mappings.errors[`mapName${i}`]}</p>` : ''}</td>
<td><label class="check" for="f-mapValue${i}"><span class="hint">Value ${i + 1}</span></label><input type="text" id="f-mapValue${i}" name="mapValue${i}" value="${m.mappings.values[`mapValue${i}`] ?? ''}"${m.mappings.errors[`mapValue${i}`] ? html` aria-invalid="true" aria-describedby="f-mapValue${i}-error"` : ''}>${m.mappings.errors[`mapValue${i}`] ? html`<p class="field-error" id="f-mapValue${i}-error">${m.mappings.errors[`mapValue${i}`]}</p>` : ''}</td></tr>`)}
</tbody></table><input type="hidden" name="rows" value="${rows}">
<div class="actions"><button type="submit">Save mappings</button></div></form>

${external ? '' : html`<form method="post" action="/admin/applications/${a.id}/metadata" class="card" novalidate id="metadata"><h2>Metadata</h2>${summaryError(m.metadata)}${csrfField(m.csrfToken)}
<p class="muted">New metadata replaces the SP's entity ID, endpoints and certificates; the settings stay.</p>
${textField({ name: 'metadataUrl', label: 'Metadata URL', type: 'url', state: m.metadata })}
${textArea({ name: 'metadataXml', label: 'Metadata document', state: m.metadata, rows: 4 })}
<div class="actions"><button type="submit">Replace metadata</button></div></form>
${a.metadata.source === 'url' ? html`<form method="post" action="/admin/applications/${a.id}/refresh" class="card">${csrfField(m.csrfToken)}<button type="submit" class="secondary">Fetch the metadata URL now</button></form>` : ''}`}

<div class="card" id="assignments"><h2>Assignments</h2>
${m.assignments.length === 0 ? html`<p class="muted">Nobody is assigned yet.</p>` : html`<table><thead><tr><th scope="col">User or group</th>${external ? html`<th scope="col">Roles</th>` : ''}<th scope="col"><span class="muted">Remove</span></th></tr></thead><tbody>
${m.assignments.map((x) => html`<tr><td>${x.principalType === 'USER' ? 'User' : 'Group'} ${m.nameOf.principal(x.principalType, x.principalId)}</td>${external ? html`<td>${x.roleArns.join(', ')}</td>` : ''}
<td><details><summary>Remove</summary><form method="post" action="/admin/applications/${a.id}/unassign">${csrfField(m.csrfToken)}<input type="hidden" name="principal" value="${x.principalType}:${x.principalId}"><button type="submit" class="danger">Remove this assignment</button></form></details></td></tr>`)}
</tbody></table>`}
<form method="post" action="/admin/applications/${a.id}/assignments" novalidate>${summaryError(m.assign)}${csrfField(m.csrfToken)}
${selectField({ name: 'principal', label: 'Assign a user or group', state: m.assign, options: [['', 'Choose…'], ...m.principals] })}
${external ? html`<fieldset><legend>Roles</legend>${(a.externalAwsAccount?.roles ?? []).map((r) => checkbox({ name: 'roleArn', value: r.roleArn, label: r.label ? `${r.label} (${r.roleArn})` : r.roleArn, checked: false }))}</fieldset>` : ''}
<div class="actions"><button type="submit">Assign</button></div></form></div>

<div class="card" id="preview"><h2>Assertion preview</h2>
<form method="get" action="/admin/applications/${a.id}#preview" class="inline-form"><div>${selectField({ name: 'previewUser', label: 'What would this user receive?', state: { values: { previewUser: m.previewUserId }, errors: {} }, options: [['', 'Choose a user…'], ...m.users] })}</div><button type="submit" class="secondary">Preview</button></form>
${m.preview ? previewOf(m.preview) : html`<p class="muted">Nothing is signed, sent or recorded.</p>`}
</div>`,
  };
}

function previewOf(p: AssertionPreview) {
  if (!p.wouldSignIn) return html`<p class="error" role="status">${p.user.userName} would be refused: ${p.refusal.message} (${p.refusal.code})</p>`;
  return html`<dl class="facts" id="preview-result"><dt>User</dt><dd>${p.user.userName}</dd><dt>NameID</dt><dd>${p.nameId.value} <span class="muted">(${p.nameId.format})</span></dd>
${p.attributes.map((x) => html`<dt>${x.name}</dt><dd>${x.values.join(', ')}</dd>`)}
${p.roleArns.length ? html`<dt>Roles</dt><dd>${p.roleArns.join(', ')}</dd>` : ''}</dl>
${p.warnings.length ? html`<ul>${p.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : ''}`;
}
