// /admin/api-token: an admin API token for the signed-in administrator, minted from their console
// session (which passed the second factor when the MFA policy asks for one), shown once.
import { html } from '../html.ts';
import { formatTime } from './form.ts';
import type { ConsolePage } from './layout.ts';

export function apiTokenPage(o: { csrfToken: string; baseUrl: string; ttlMinutes: number; issued?: { token: string; expiresAt: Date; role: string } }): ConsolePage {
  const hours = o.ttlMinutes % 60 === 0 ? `${o.ttlMinutes / 60} hours` : `${o.ttlMinutes} minutes`;
  return {
    title: 'Admin API token',
    section: 'api-token',
    body: html`${o.issued
      ? html`<div class="card" aria-labelledby="issued-h">
<h2 id="issued-h">Your new token</h2>
<p>Copy it now: <strong>it is shown only once</strong>. It acts as you (${o.issued.role}) until ${formatTime(o.issued.expiresAt)}.</p>
<pre id="api-token">${o.issued.token}</pre>
<p class="muted">Use it as a bearer token:</p>
<pre>curl -H "authorization: Bearer $TOKEN" ${o.baseUrl}/api/v1/users</pre>
<p class="muted">Revoke it with <code>DELETE /api/v1/tokens/current</code>, or list and revoke your tokens with <code>GET /api/v1/tokens</code>.</p>
</div>`
      : ''}
<div class="card">
<h2>Create a token</h2>
<p>A token for the <a href="/api/v1/docs">admin API</a>, acting as you with your admin role, valid for ${hours}. You signed in to this console${' '}with your second factor when sign-in asks for one, so no password or code is asked again.</p>
<p class="muted">Scripts on the Gatehouse host can also run <code>npx --no-install gatehouse admin token &lt;userName&gt;</code>; elsewhere, <code>POST /api/v1/tokens</code> takes the user name, password and, with multi-factor authentication, a current <code>totpCode</code>.</p>
<form method="post" action="/admin/api-token"><input type="hidden" name="csrf" value="${o.csrfToken}"><button type="submit">Create token</button></form>
</div>`,
  };
}
