// OpenID Connect application pages of the console: adding one, its client settings, its client
// secret (shown once, when made or replaced), and its assignments (docs/oidc-applications.md).
import { OIDC_GRANT_TYPES } from '../../model/oidc.ts';
import type { Application, ApplicationAssignment } from '../../model/types.ts';
import { html } from '../html.ts';
import { checkbox, csrfField, noticeBox, selectField, summaryError, textArea, textField, type FormState } from './form.ts';
import type { ConsolePage } from './layout.ts';
import type { NameOf } from './names.ts';

const AUTH_METHODS: [string, string][] = [
  ['client_secret_basic', 'Client secret in the Authorization header (client_secret_basic)'],
  ['client_secret_post', 'Client secret in the request body (client_secret_post)'],
  ['none', 'None: a public client (browser or mobile app), PKCE required'],
];

const GRANT_LABELS: Record<string, string> = {
  authorization_code: 'Authorization code (people signing in)',
  refresh_token: 'Refresh tokens (rotated at every use)',
  client_credentials: 'Client credentials (the app acting for itself)',
  'urn:ietf:params:oauth:grant-type:device_code': 'Device code (TVs, command lines)',
};

/** Form values of an OIDC app's settings. */
export function oidcFormValues(a: Application | null): Record<string, string> {
  const o = a?.oidc;
  return {
    name: a?.name ?? '',
    description: a?.description ?? '',
    redirectUris: (o?.redirectUris ?? []).join('\n'),
    postLogoutRedirectUris: (o?.postLogoutRedirectUris ?? []).join('\n'),
    tokenEndpointAuthMethod: o?.tokenEndpointAuthMethod ?? 'client_secret_basic',
    initiateLoginUri: o?.initiateLoginUri ?? '',
    backchannelLogoutUri: o?.backchannelLogoutUri ?? '',
    grantTypes: (o?.grantTypes ?? ['authorization_code', 'refresh_token']).join(' '),
    accessTokenSeconds: String(o?.lifetimes.accessTokenSeconds ?? 3600),
    refreshTokenSeconds: String(o?.lifetimes.refreshTokenSeconds ?? 14 * 86400),
  };
}

function settingsFields(state: FormState) {
  const grants = new Set(state.values.grantTypes?.split(' ') ?? []);
  return html`<div class="grid2"><div>${textField({ name: 'name', label: 'Name', state, hint: 'Shown to people in the portal.' })}</div><div>${textField({ name: 'description', label: 'Description', state, hint: 'Optional' })}</div></div>
${textArea({ name: 'redirectUris', label: 'Redirect URIs', state, rows: 3, hint: 'One per line, matched exactly, character for character. https (http only for localhost).' })}
${selectField({ name: 'tokenEndpointAuthMethod', label: 'Client authentication', state, options: AUTH_METHODS })}
<fieldset><legend>Grant types</legend>${OIDC_GRANT_TYPES.map((g) => checkbox({ name: 'grantType', value: g, label: GRANT_LABELS[g] ?? g, checked: grants.has(g) }))}</fieldset>
${state.errors.grantTypes ? html`<p class="field-error">${state.errors.grantTypes}</p>` : ''}
<div class="grid2"><div>${textField({ name: 'initiateLoginUri', label: 'Sign-in address (initiate login URI)', type: 'url', state, hint: 'Where the portal\'s Applications tab opens the app; empty: the first redirect URI\'s site.' })}</div>
<div>${textArea({ name: 'postLogoutRedirectUris', label: 'Post-logout redirect URIs', state, rows: 2, hint: 'Optional, one per line.' })}</div>
<div>${textField({ name: 'backchannelLogoutUri', label: 'Back-channel logout URI', type: 'url', state, hint: 'Optional. Gatehouse POSTs a signed logout token here when the person signs out. https (http only for localhost).' })}</div><div></div>
<div>${textField({ name: 'accessTokenSeconds', label: 'Access and ID token lifetime (seconds)', type: 'number', state, hint: '60 to 86400' })}</div>
<div>${textField({ name: 'refreshTokenSeconds', label: 'Refresh token lifetime (seconds)', type: 'number', state, hint: '300 to 7776000 (90 days)' })}</div></div>`;
}

export function oidcApplicationNewPage(o: { state: FormState; csrfToken: string }): ConsolePage {
  return {
    title: 'Add OpenID Connect application',
    section: 'applications',
    body: html`${summaryError(o.state)}<form method="post" action="/admin/applications/oidc" class="card" novalidate>${csrfField(o.csrfToken)}
${settingsFields(o.state)}
<div class="actions"><button type="submit">Add application</button><a class="button secondary" href="/admin/applications">Cancel</a></div>
</form>`,
  };
}

export interface OidcApplicationPageModel {
  app: Application;
  issuer: string;
  assignments: ApplicationAssignment[];
  nameOf: NameOf;
  principals: [string, string][];
  settings: FormState;
  assign: FormState;
  /** The client secret just made: shown this once. */
  clientSecret: string | null;
  notice?: string;
  csrfToken: string;
}

export function oidcApplicationPage(m: OidcApplicationPageModel): ConsolePage {
  const a = m.app;
  const o = a.oidc!;
  return {
    title: `Application ${a.name}`,
    section: 'applications',
    body: html`${noticeBox(m.notice)}
${m.clientSecret ? html`<div class="card" id="client-secret" role="status"><h2>Client secret</h2><p>Copy it now into the application's configuration: it is shown this once and Gatehouse keeps only a hash of it.</p><pre>${m.clientSecret}</pre></div>` : ''}
<div class="card"><dl class="facts"><dt>Kind</dt><dd>OpenID Connect</dd><dt>Client ID</dt><dd><code>${a.id}</code></dd>
<dt>Issuer</dt><dd><code>${m.issuer}</code></dd><dt>Discovery</dt><dd><code>${m.issuer}/.well-known/openid-configuration</code></dd>
<dt>Client authentication</dt><dd>${o.tokenEndpointAuthMethod}${o.clientSecretSha256 ? ' (secret set)' : ''}</dd>
<dt>Redirect URIs</dt><dd>${o.redirectUris.length ? o.redirectUris.map((u) => html`${u}<br>`) : 'none'}</dd>
<dt>Grant types</dt><dd>${o.grantTypes.join(', ')}</dd><dt>Scopes</dt><dd>openid profile email groups</dd></dl>
<div class="actions">${o.clientSecretSha256 === null ? '' : html`<form method="post" action="/admin/applications/${a.id}/client-secret" class="inline-form">${csrfField(m.csrfToken)}<button type="submit" class="secondary">Replace the client secret</button></form>`}
<a href="/admin/applications/${a.id}/delete">Delete this application</a></div></div>

<form method="post" action="/admin/applications/${a.id}/oidc" class="card" novalidate id="settings"><h2>Settings</h2>${summaryError(m.settings)}${csrfField(m.csrfToken)}
${settingsFields(m.settings)}
<div class="actions"><button type="submit">Save settings</button></div></form>

<div class="card" id="assignments"><h2>Assignments</h2><p class="muted">Only these users and groups can sign in to the application.</p>
${m.assignments.length === 0 ? html`<p class="muted">Nobody is assigned yet.</p>` : html`<table><thead><tr><th scope="col">User or group</th><th scope="col"><span class="muted">Remove</span></th></tr></thead><tbody>
${m.assignments.map((x) => html`<tr><td>${x.principalType === 'USER' ? 'User' : 'Group'} ${m.nameOf.principal(x.principalType, x.principalId)}</td>
<td><details><summary>Remove</summary><form method="post" action="/admin/applications/${a.id}/unassign">${csrfField(m.csrfToken)}<input type="hidden" name="principal" value="${x.principalType}:${x.principalId}"><button type="submit" class="danger">Remove this assignment</button></form></details></td></tr>`)}
</tbody></table>`}
<form method="post" action="/admin/applications/${a.id}/assignments" novalidate>${summaryError(m.assign)}${csrfField(m.csrfToken)}
${selectField({ name: 'principal', label: 'Assign a user or group', state: m.assign, options: [['', 'Choose…'], ...m.principals] })}
<div class="actions"><button type="submit">Assign</button></div></form></div>`,
  };
}
