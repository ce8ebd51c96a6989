import { html } from './html.ts';
import { SIGN_IN_RETURN_SCRIPT } from './console-link-script.ts';
import { layout } from './layout.ts';

export interface SignInPageInput {
  nonce: string;
  csrfToken: string;
  error?: string;
  /** A notice that is not an error: "Your session has expired", "You have been signed out". */
  notice?: string;
  userName?: string;
  returnTo?: string;
}

export function signInPage(o: SignInPageInput): string {
  // After a refused attempt the user name is usually right: the keyboard starts in the password.
  const retry = !!o.error && !!o.userName;
  return layout({
    title: 'Sign in',
    nonce: o.nonce,
    body: html`<div class="card narrow">
<h2>Sign in</h2>
${o.notice ? html`<div class="notice" role="status" id="sign-in-notice">${o.notice}</div>` : ''}
${o.error ? html`<div class="error" role="alert" id="sign-in-error">${o.error}</div>` : ''}
<form method="post" action="/start/login">
<input type="hidden" name="csrf" value="${o.csrfToken}">
${o.returnTo ? html`<input type="hidden" name="returnTo" value="${o.returnTo}">` : ''}
<label for="userName">User name</label>
<input type="text" id="userName" name="userName" autocomplete="username"${retry ? '' : ' autofocus'} required maxlength="1024" value="${o.userName ?? ''}">
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password"${retry ? ' autofocus' : ''} required maxlength="1024"${o.error ? ' aria-describedby="sign-in-error"' : ''}>
<p><button type="submit">Sign in</button></p>
</form>
</div>`,
    script: SIGN_IN_RETURN_SCRIPT,
  });
}
