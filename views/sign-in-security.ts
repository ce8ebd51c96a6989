// The portal's "Sign-in security" tab (docs/mfa.md "Managing your devices"): the person's
// sign-in devices of every kind (rename, remove), adding an authenticator app (QR code and key as
// text), and new recovery codes. Every form carries the session's CSRF token.
import type { MfaDevice, MfaFactor } from '../model/mfa.ts';
import { html, raw, type SafeHtml } from './html.ts';
import { layout } from './layout.ts';

const STYLE = `
ul.devices{list-style:none;margin:0;padding:0}
ul.devices li{border:1px solid #d1d5db;border-radius:8px;padding:.75rem;margin-bottom:.75rem}
ul.devices .device-name{font-weight:600;font-size:1.05rem}
ul.devices form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end;margin:.5rem 0 0}
ul.devices form label{margin:0;flex:1 1 100%}
ul.devices form input{flex:1 1 10rem;min-width:0}
.notice{background:#f2fcf3;border:1px solid #037f0c;color:#024d08;padding:.6rem .8rem;border-radius:4px;margin:.5rem 0 1rem}
button.secondary{background:#e9ebed}
`;

/** How each kind of device is named to people; a kind added later names itself by its id. */
const KIND_LABELS: Record<string, string> = { totp: 'Authenticator app', webauthn: 'Passkey or security key' };
export const kindLabel = (kind: MfaFactor | string) => KIND_LABELS[kind] ?? kind;

const when = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : 'never');

export interface SecurityPageOptions {
  nonce: string;
  userName: string;
  csrfToken: string;
  devices: MfaDevice[];
  recoveryCodesLeft: number;
  /** Whether the policy lets the last device go (MFA off). */
  lastRemovable: boolean;
  mfaRequired: boolean;
  /** Whether authenticator apps may be added. */
  totpAllowed: boolean;
  notice?: string;
  error?: string;
  /** More ways to add a device (another kind's own section), rendered after the app's. */
  extraAdd?: SafeHtml;
}

/** The portal's tabs with Sign-in security current (also on its sub-pages, e.g. views/webauthn.ts). */
export const tabs = html`<nav class="tabs"><a href="/start">AWS accounts</a><a href="/start/applications">Applications</a><a href="/start/security" aria-current="page">Sign-in security</a></nav>`;

export function securityPage(o: SecurityPageOptions): string {
  const only = o.devices.length === 1;
  return layout({
    title: 'Sign-in security',
    nonce: o.nonce,
    signedIn: { userName: o.userName, csrfToken: o.csrfToken },
    body: html`${tabs}
${o.notice ? html`<div class="notice" role="status">${o.notice}</div>` : ''}
${o.error ? html`<div class="error" role="alert">${o.error}</div>` : ''}
<div class="card">
<h2>Your sign-in devices</h2>
<p class="muted">${o.mfaRequired ? 'Signing in asks for one of these after your password.' : 'Signing in does not ask for a second factor on this instance now; devices you add are asked for when it does, and by the admin API.'}</p>
${o.devices.length === 0
  ? html`<p id="no-devices">You have no sign-in device yet.</p>`
  : html`<ul class="devices" id="devices">${o.devices.map((d) => deviceItem(d, o.csrfToken, !only || o.lastRemovable))}</ul>`}
${only && !o.lastRemovable ? html`<p class="muted" id="last-device-note">This is your only device: add another before removing it. Lost it? Sign in with a recovery code, or ask an administrator to reset your MFA.</p>` : ''}
</div>
${o.totpAllowed ? html`<div class="card"><h2>Add an authenticator app</h2>
<p>Google Authenticator, Microsoft Authenticator, 1Password and other apps that show six-digit codes.</p>
<p><a class="button" href="/start/security/add-app">Add an authenticator app</a></p></div>` : ''}
${o.extraAdd ?? ''}
<div class="card">
<h2>Recovery codes</h2>
${o.devices.length === 0
  ? html`<p class="muted">You get recovery codes when you register your first device.</p>`
  : html`<p>You have <strong id="recovery-left">${o.recoveryCodesLeft}</strong> unused recovery ${o.recoveryCodesLeft === 1 ? 'code' : 'codes'}. Each signs you in once without a device. New codes replace all the old ones.</p>
<form method="post" action="/start/security/recovery-codes"><input type="hidden" name="csrf" value="${o.csrfToken}"><button type="submit" class="secondary">Get new recovery codes</button></form>`}
</div>
<style nonce="${o.nonce}">${raw(STYLE)}</style>`,
  });
}

function deviceItem(d: MfaDevice, csrfToken: string, removable: boolean): SafeHtml {
  const id = d.id;
  return html`<li><div class="device-name">${d.name}</div>
<div class="muted">${kindLabel(d.kind)} · added ${when(d.createdAt)} · last used ${when(d.lastUsedAt)}</div>
<form method="post" action="/start/security/devices/${id}/rename"><input type="hidden" name="csrf" value="${csrfToken}">
<label for="name-${id}">New name for ${d.name}</label><input type="text" id="name-${id}" name="name" maxlength="64" required value="${d.name}"><button type="submit" class="secondary">Rename</button></form>
${removable ? html`<form method="post" action="/start/security/devices/${id}/remove"><input type="hidden" name="csrf" value="${csrfToken}"><button type="submit" class="secondary" aria-label="Remove ${d.name}">Remove</button></form>` : ''}
</li>`;
}

export function addAppPage(o: { nonce: string; userName: string; csrfToken: string; secret: string; sealed: string; qrCode: SafeHtml; error?: string; name?: string }): string {
  const grouped = o.secret.replace(/(.{4})(?=.)/g, '$1 ');
  return layout({
    title: 'Add an authenticator app',
    nonce: o.nonce,
    signedIn: { userName: o.userName, csrfToken: o.csrfToken },
    body: html`${tabs}<div class="card narrow">
<h2>Add an authenticator app</h2>
<ol>
<li>Scan this QR code with the app.</li>
<li>Or type this key into the app: <code id="secret">${grouped}</code></li>
<li>Enter the six-digit code the app shows.</li>
</ol>
<div class="qr">${o.qrCode}</div>
${o.error ? html`<div class="error" role="alert" id="code-error">${o.error}</div>` : ''}
<form method="post" action="/start/security/apps">
<input type="hidden" name="csrf" value="${o.csrfToken}">
<input type="hidden" name="offer" value="${o.sealed}">
<label for="code">Code from the app</label>
<input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" autofocus required maxlength="6"${o.error ? html` aria-describedby="code-error"` : ''}>
<label for="name">Name for this device</label>
<input type="text" id="name" name="name" maxlength="64" value="${o.name ?? 'Authenticator app'}">
<p><button type="submit">Add the app</button></p>
</form>
<p><a href="/start/security">Cancel</a></p>
</div>`,
  });
}
