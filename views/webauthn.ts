// Passkeys and security keys in the portal (docs/mfa.md): the form that runs a WebAuthn ceremony
// (a button that asks the browser, then posts the credential it made), the page that registers a
// passkey at sign-in when authenticator apps are not allowed, and the signed-in page that adds one.
// The script is progressive: without WebAuthn in the browser the button stays hidden and a note
// says why. It turns the options' base64url fields into bytes for navigator.credentials.create()
// and get() (WebAuthn L3 §5.1.3, §5.1.4) and the credential's bytes back into base64url, by hand.
import { html, type SafeHtml } from './html.ts';
import { layout } from './layout.ts';
import { tabs } from './sign-in-security.ts';

export interface PasskeyFormOptions {
  action: string;
  csrfToken: string;
  /** navigator.credentials.create() to register, get() to sign in. */
  ceremony: 'create' | 'get';
  /** The options as @simplewebauthn/server gives them (JSON, base64url fields). */
  options: unknown;
  buttonLabel: string;
  /** Ask for a name for the new passkey. */
  nameField?: boolean;
}

/** A form whose button runs the ceremony and posts its result as the `credential` field. */
export function passkeyForm(o: PasskeyFormOptions): SafeHtml {
  return html`<form method="post" action="${o.action}" class="passkey">
<input type="hidden" name="csrf" value="${o.csrfToken}">
<input type="hidden" name="credential" value="">
${o.nameField ? html`<label for="passkey-name">Name for this passkey</label>
<input type="text" id="passkey-name" name="name" maxlength="64" placeholder="For example: Work laptop, YubiKey">` : ''}
<p><button type="button" id="passkey-button" data-passkey="${o.ceremony}" data-options="${JSON.stringify(o.options)}" hidden>${o.buttonLabel}</button></p>
<p class="error" role="alert" id="passkey-status" hidden></p>
<p class="muted" id="passkey-unsupported">Passkeys need JavaScript and a browser that supports them (all current browsers do).</p>
</form>`;
}

/** Runs the ceremony of the page's passkey form. Our own constant text (layout's `script`). */
export const PASSKEY_SCRIPT = `
(() => {
  const button = document.getElementById('passkey-button');
  if (!button) return;
  const unsupported = document.getElementById('passkey-unsupported');
  if (!window.PublicKeyCredential || !navigator.credentials) {
    unsupported.textContent = 'This browser cannot use passkeys. Use a code instead, or another browser.';
    return;
  }
  unsupported.hidden = true;
  button.hidden = false;
  const status = document.getElementById('passkey-status');
  const form = button.form;
  // Enter in the name field asks the browser too, instead of posting an empty form.
  form.addEventListener('submit', (event) => {
    if (!form.elements.credential.value) {
      event.preventDefault();
      button.click();
    }
  });
  const toBytes = (s) => {
    const text = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  };
  const toText = (buffer) => {
    const bytes = new Uint8Array(buffer);
    let text = '';
    for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  };
  button.addEventListener('click', async () => {
    const options = JSON.parse(button.dataset.options);
    options.challenge = toBytes(options.challenge);
    if (options.user) options.user.id = toBytes(options.user.id);
    for (const c of options.allowCredentials || []) c.id = toBytes(c.id);
    for (const c of options.excludeCredentials || []) c.id = toBytes(c.id);
    button.disabled = true;
    status.hidden = true;
    try {
      const credential = button.dataset.passkey === 'create'
        ? await navigator.credentials.create({ publicKey: options })
        : await navigator.credentials.get({ publicKey: options });
      const r = credential.response;
      const response = { clientDataJSON: toText(r.clientDataJSON) };
      if (r.attestationObject) {
        response.attestationObject = toText(r.attestationObject);
        response.transports = typeof r.getTransports === 'function' ? r.getTransports() : [];
      } else {
        response.authenticatorData = toText(r.authenticatorData);
        response.signature = toText(r.signature);
        if (r.userHandle) response.userHandle = toText(r.userHandle);
      }
      form.elements.credential.value = JSON.stringify({
        id: credential.id,
        rawId: toText(credential.rawId),
        type: credential.type,
        response,
        clientExtensionResults: credential.getClientExtensionResults(),
        authenticatorAttachment: credential.authenticatorAttachment || undefined,
      });
      form.submit();
    } catch (e) {
      button.disabled = false;
      status.textContent = e && e.name === 'NotAllowedError'
        ? 'The request was cancelled or timed out. Try again.'
        : e && e.name === 'InvalidStateError'
          ? 'This passkey or security key is already registered.'
          : 'Your browser could not use a passkey here. Try again, or use a code.';
      status.hidden = false;
    }
  });
})();
`;

const errorBox = (error?: string) => (error ? html`<div class="error" role="alert">${error}</div>` : '');

/** Registration at sign-in when passkeys are the only factor allowed. */
export function registerPasskeyPage(o: { nonce: string; userName: string; error?: string; form: SafeHtml | null }): string {
  return layout({
    title: 'Set up a passkey',
    nonce: o.nonce,
    script: PASSKEY_SCRIPT,
    body: html`<div class="card narrow">
<h2>Set up a passkey</h2>
<p>This instance asks for a second factor at sign-in. Register a passkey or a security key for <strong>${o.userName}</strong>: your phone, your computer's fingerprint or face unlock, or a USB or NFC key.</p>
${errorBox(o.error)}
${o.form ?? html`<p>Passkeys are not available for this sign-in. Ask an administrator.</p>`}
<p><a href="/start">Cancel and start over</a></p>
</div>`,
  });
}

/** Registering a passkey at sign-in, offered above the authenticator app (views/mfa.ts). */
export function passkeySection(o: { userName: string; error?: string; form: SafeHtml }): SafeHtml {
  return html`<div class="card narrow passkey-section">
<h2>Use a passkey or security key</h2>
<p>This instance asks for a second factor at sign-in. Register a passkey or security key for <strong>${o.userName}</strong>: your phone, your computer's fingerprint or face unlock, or a USB or NFC key. It is the quickest way to sign in.</p>
${errorBox(o.error)}
${o.form}
</div>`;
}

/** The signed-in portal page that adds a passkey or security key. */
export function addPasskeyPage(o: { nonce: string; signedIn: { userName: string; csrfToken: string; adminConsole?: boolean }; error?: string; form: SafeHtml | null; devices: number }): string {
  return layout({
    title: 'Add a passkey',
    nonce: o.nonce,
    signedIn: o.signedIn,
    script: o.form ? PASSKEY_SCRIPT : undefined,
    body: html`${tabs}<div class="card narrow">
<h2>Add a passkey or security key</h2>
<p>Sign in with your phone, your computer's fingerprint or face unlock, or a USB or NFC security key instead of typing a code.</p>
<p class="muted">You have ${o.devices === 1 ? '1 sign-in device' : `${o.devices} sign-in devices`} registered.</p>
${errorBox(o.error)}
${o.form ?? html`<p>Passkeys are not allowed on this instance. Ask an administrator.</p>`}
<p><a href="/start/security">Cancel</a></p>
</div>`,
  });
}

/** After adding one from the portal: its name, and the recovery codes when it was the first device. */
export function passkeyAddedPage(o: { nonce: string; signedIn: { userName: string; csrfToken: string; adminConsole?: boolean }; name: string; recoveryCodes: string[] | null }): string {
  return layout({
    title: 'Passkey added',
    nonce: o.nonce,
    signedIn: o.signedIn,
    body: html`${tabs}<div class="card narrow">
<h2>Passkey added</h2>
<p role="status"><strong>${o.name}</strong> is registered. Next time you sign in, use it instead of a code.</p>
${o.recoveryCodes
  ? html`<p>If you lose it, each of these codes signs you in once. Keep them somewhere safe: <strong>they are shown only now.</strong></p>
<ul class="codes" aria-label="Recovery codes">${o.recoveryCodes.map((c) => html`<li><code>${c}</code></li>`)}</ul>`
  : ''}
<p><a class="button" href="/start/security">Done</a></p>
</div>`,
  });
}

/** The Sign-in security tab's card that leads to adding one (views/sign-in-security.ts `extraAdd`). */
export function addPasskeyCard(): SafeHtml {
  return html`<div class="card"><h2>Add a passkey or security key</h2>
<p>Your phone, your computer's fingerprint or face unlock, or a USB or NFC key: no code to type.</p>
<p><a class="button" href="/start/passkeys/add">Add a passkey or security key</a></p></div>`;
}
