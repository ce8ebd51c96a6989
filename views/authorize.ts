// The consent page of the PKCE flow (`aws sso login` in AWS CLI 2.22+): the application's name (as
// it registered itself, so escaped and presented as a claim), where the browser will be sent, and
// Allow / Deny, each a form carrying the session's CSRF token and the one-time consent id.
import { html } from './html.ts';
import { layout } from './layout.ts';

export function authorizeConsentPage(o: { nonce: string; userName: string; csrfToken: string; consentId: string; clientName: string; redirectUri: string; scopes: string[] }): string {
  const hidden = html`<input type="hidden" name="csrf" value="${o.csrfToken}"><input type="hidden" name="consent" value="${o.consentId}">`;
  return layout({
    title: 'Allow access',
    nonce: o.nonce,
    signedIn: { userName: o.userName, csrfToken: o.csrfToken },
    body: html`<div class="card narrow">
<h2>Allow access?</h2>
<p>An application calling itself <strong id="client-name">${o.clientName}</strong> wants to use your Gatehouse access, as <strong>${o.userName}</strong>, to list your AWS accounts and roles and get credentials for them.</p>
<p class="muted">It runs on this computer and will receive the answer at <code id="redirect-uri">${o.redirectUri}</code>. Scopes: ${o.scopes.join(', ')}.</p>
<p class="muted">Only allow this if you just started a sign-in yourself (for example <code>aws sso login</code>).</p>
<ul class="roles">
<li><form method="post" action="/authorize/approve">${hidden}<button type="submit" id="allow">Allow</button></form><form method="post" action="/authorize/deny">${hidden}<button type="submit" class="secondary" id="deny">Deny</button></form></li>
</ul>
</div>`,
  });
}
