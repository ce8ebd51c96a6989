import { html } from './html.ts';
import { layout } from './layout.ts';

export function signInPage(o: { nonce: string; csrfToken: string; error?: string; userName?: string; returnTo?: string }): string {
  return layout({
    title: 'Sign in',
    nonce: o.nonce,
    body: html`<div class="card narrow">
<h2>Sign in</h2>
${o.error ? html`<div class="error" role="alert">${o.error}</div>` : ''}
<form method="post" action="/start/login">
<input type="hidden" name="csrf" value="${o.csrfToken}">
${o.returnTo ? html`<input type="hidden" name="returnTo" value="${o.returnTo}">` : ''}
<label for="userName">User name</label>
<input type="text" id="userName" name="userName" autocomplete="username" autofocus required maxlength="1024" value="${o.userName ?? ''}">
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required maxlength="1024">
<p><button type="submit">Sign in</button></p>
</form>
</div>`,
  });
}
