// The second step of signing in (docs/mfa.md): a code from an authenticator app or a recovery
// code; registering an app when the user has none yet; the recovery codes, shown once.
import { html, type SafeHtml } from './html.ts';
import { layout } from './layout.ts';
import { PASSKEY_SCRIPT } from './webauthn.ts';

interface Common {
  nonce: string;
  csrfToken: string;
  error?: string;
}

const errorBox = (error?: string) => (error ? html`<div class="error" role="alert" id="code-error">${error}</div>` : '');

/** Groups a Base32 secret in fours, as people copy it into an app by hand. */
const grouped = (secret: string) => secret.replace(/(.{4})(?=.)/g, '$1 ');

/**
 * `passkey`: the passkey form (views/webauthn.ts), offered before the code when the user has one;
 * `app: false`: the user has no authenticator app, so the code asked for is a recovery code.
 */
export function secondFactorPage(o: Common & { userName: string; passkey?: SafeHtml; app?: boolean }): string {
  const recoveryOnly = o.app === false;
  return layout({
    title: 'Verify your identity',
    nonce: o.nonce,
    script: o.passkey ? PASSKEY_SCRIPT : undefined,
    body: html`<div class="card narrow">
<h2>Verify your identity</h2>
<p class="muted">Signing in as <strong>${o.userName}</strong>.</p>
${errorBox(o.error)}
${o.passkey ? html`${o.passkey}<h3>Or enter a code</h3>` : ''}
<form method="post" action="/start/mfa">
<input type="hidden" name="csrf" value="${o.csrfToken}">
<label for="code">${recoveryOnly ? 'Recovery code' : 'Code from your authenticator app'}</label>
<input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code"${o.passkey ? '' : ' autofocus'} required maxlength="32" aria-describedby="code-help${o.error ? ' code-error' : ''}">
<p class="muted" id="code-help">${recoveryOnly ? 'Lost your passkey? Enter one of the recovery codes you saved.' : 'Lost your device? Enter one of your recovery codes instead.'}</p>
<p><button type="submit">Verify</button></p>
</form>
<p><a href="/start">Cancel and start over</a></p>
</div>`,
  });
}

/** `passkey`: a section registering a passkey instead (views/webauthn.ts), shown first. */
export function registerAppPage(o: Common & { userName: string; secret: string; qrCode: SafeHtml; passkey?: SafeHtml }): string {
  return layout({
    title: 'Set up an authenticator app',
    nonce: o.nonce,
    script: o.passkey ? PASSKEY_SCRIPT : undefined,
    body: html`${o.passkey ?? ''}<div class="card narrow">
<h2>Set up an authenticator app</h2>
<p>${o.passkey ? 'Or register' : 'This instance asks for a second factor at sign-in. Register'} an authenticator app for <strong>${o.userName}</strong>:</p>
<div class="qr">${o.qrCode}</div>
<ol>
<li>Scan this QR code with the app (Google Authenticator, Microsoft Authenticator, 1Password, …).</li>
<li>Or type this key into the app: <code id="secret">${grouped(o.secret)}</code></li>
<li>Enter the six-digit code the app shows.</li>
</ol>
${errorBox(o.error)}
<form method="post" action="/start/mfa/register">
<input type="hidden" name="csrf" value="${o.csrfToken}">
<label for="code">Code from the app</label>
<input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code"${o.passkey ? '' : ' autofocus'} required maxlength="6"${o.error ? html` aria-describedby="code-error"` : ''}>
<label for="name">Name for this device</label>
<input type="text" id="name" name="name" maxlength="64" value="Authenticator app">
<p><button type="submit">Register and sign in</button></p>
</form>
<p><a href="/start">Cancel and start over</a></p>
</div>`,
  });
}

export function noDevicePage(o: { nonce: string; userName: string }): string {
  return layout({
    title: 'A sign-in device is required',
    nonce: o.nonce,
    body: html`<div class="card narrow">
<h2>A sign-in device is required</h2>
<p><strong>${o.userName}</strong> has no sign-in device registered, and this instance requires one to sign in. Ask an administrator to set up multi-factor authentication for your account.</p>
<p><a href="/start">Back to sign-in</a></p>
</div>`,
  });
}

export function recoveryCodesPage(o: { nonce: string; codes: string[]; continueTo: string; signedIn?: { userName: string; csrfToken: string } }): string {
  return layout({
    title: 'Your recovery codes',
    nonce: o.nonce,
    signedIn: o.signedIn,
    body: html`<div class="card narrow">
<h2>Your recovery codes</h2>
<p>If you lose your device, each of these codes signs you in once. Keep them somewhere safe, such as a password manager: <strong>they are shown only now.</strong></p>
<ul class="codes" aria-label="Recovery codes">${o.codes.map((c) => html`<li><code>${c}</code></li>`)}</ul>
<p><a class="button" href="${o.continueTo}">I have saved them, continue</a></p>
</div>`,
  });
}
