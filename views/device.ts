// The device verification page (RFC 8628 §3.3; `verificationUri` / `verificationUriComplete` of
// SSO OIDC StartDeviceAuthorization). The person sees the code and the name of the application
// asking, and approves or denies with a click. The client name is chosen by whoever registered the
// client, so it is escaped like everything else and presented as a claim, not as a fact; the
// person is asked to compare the code with the one on their own screen, which is what defeats a
// phishing link carrying someone else's code.
import { html } from './html.ts';
import { layout } from './layout.ts';

interface Frame {
  nonce: string;
  userName: string;
  csrfToken: string;
}

/** The form to type a code (verificationUri without user_code), with a message when one was not found. */
export function deviceCodeEntryPage(o: Frame & { error?: string; typed?: string }): string {
  return layout({
    title: 'Authorize a device',
    nonce: o.nonce,
    signedIn: { userName: o.userName, csrfToken: o.csrfToken },
    body: html`<div class="card narrow">
<h2>Authorize a device</h2>
${o.error ? html`<div class="error" role="alert" id="device-error">${o.error}</div>` : ''}
<form method="get" action="/device">
<label for="user_code">Enter the code shown in your terminal</label>
<input type="text" id="user_code" name="user_code" autocomplete="off" autocapitalize="characters" spellcheck="false" required maxlength="32" placeholder="XXXX-XXXX" value="${o.typed ?? ''}" autofocus>
<p><button type="submit">Next</button></p>
</form>
</div>`,
  });
}

/** Approve or deny: the code, the application's name, and two buttons. */
export function deviceConfirmPage(o: Frame & { userCode: string; clientName: string; startUrl: string }): string {
  return layout({
    title: 'Authorize a device',
    nonce: o.nonce,
    signedIn: { userName: o.userName, csrfToken: o.csrfToken },
    body: html`<div class="card narrow">
<h2>Authorize request</h2>
<p>An application calling itself <strong id="client-name">${o.clientName}</strong> wants to use your Gatehouse access, as <strong>${o.userName}</strong>, to list your AWS accounts and roles and get credentials for them.</p>
<p>Check that this code is exactly the one shown in your terminal:</p>
<h1 id="user-code" data-user-code="${o.userCode}"><code>${o.userCode}</code></h1>
<p class="muted">Only approve if you started this sign-in yourself just now. If the code does not match, or you did not ask for it, deny.</p>
<ul class="roles">
<li><form method="post" action="/device/approve"><input type="hidden" name="csrf" value="${o.csrfToken}"><input type="hidden" name="user_code" value="${o.userCode}"><button type="submit" id="approve">Approve</button></form><form method="post" action="/device/deny"><input type="hidden" name="csrf" value="${o.csrfToken}"><input type="hidden" name="user_code" value="${o.userCode}"><button type="submit" class="secondary" id="deny">Deny</button></form></li>
</ul>
</div>`,
  });
}

/** After the click. */
export function deviceDecidedPage(o: Frame & { approved: boolean; clientName: string }): string {
  return layout({
    title: o.approved ? 'Request approved' : 'Request denied',
    nonce: o.nonce,
    signedIn: { userName: o.userName, csrfToken: o.csrfToken },
    body: html`<div class="card narrow" id="device-decided" data-approved="${String(o.approved)}">
<h2>${o.approved ? 'Request approved' : 'Request denied'}</h2>
<p>${o.approved ? html`<strong>${o.clientName}</strong> can now get credentials for you. You can close this window and return to your terminal.` : html`<strong>${o.clientName}</strong> was not given access. You can close this window.`}</p>
<p><a href="/start">Go to the access portal</a></p>
</div>`,
  });
}
