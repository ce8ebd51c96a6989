// The OpenID Provider's own pages (device code entry and confirmation, sign-out confirmation,
// errors) and the access-denied page of an OIDC sign-in, in the portal's frame. The forms come
// from oidc-provider with their CSRF field; they are markup it built, not user data.
import { html, raw } from './html.ts';
import { layout } from './layout.ts';

const card = (nonce: string, title: string, body: ReturnType<typeof html>) =>
  layout({ title, nonce, body: html`<div class="card narrow"><h2>${title}</h2>${body}</div>` });

export function userCodeInputPage(o: { nonce: string; form: string; error?: string }): string {
  return card(o.nonce, 'Sign in a device', html`${o.error ? html`<p class="error" role="alert">${o.error}</p>` : ''}
<p>Enter the code shown on your device.</p>
${raw(o.form.replace(/<input([^>]*name="user_code")/, '<label for="user_code">Code</label><input id="user_code"$1'))}
<p><button type="submit" form="op.deviceInputForm">Continue</button></p>`);
}

export function userCodeConfirmPage(o: { nonce: string; form: string; clientName: string; userCode: string }): string {
  return card(o.nonce, 'Sign in a device', html`<p>Sign in to <strong>${o.clientName}</strong> on the device showing the code <strong>${o.userCode}</strong>?</p>
${raw(o.form)}
<p><button type="submit" form="op.deviceConfirmForm">Continue</button> <button type="submit" class="secondary" form="op.deviceConfirmForm" value="yes" name="abort">Cancel</button></p>`);
}

export function deviceSuccessPage(o: { nonce: string }): string {
  return card(o.nonce, 'Device signed in', html`<p>Your device is signed in. You can close this page.</p>`);
}

export function logoutConfirmPage(o: { nonce: string; form: string; clientName: string | null }): string {
  return card(o.nonce, 'Sign out', html`<p>${o.clientName ? html`<strong>${o.clientName}</strong> asks to sign you out. ` : ''}Sign out of Gatehouse as well? This ends your access portal session.</p>
${raw(o.form)}
<p><button type="submit" form="op.logoutForm" value="yes" name="logout" autofocus>Sign out of Gatehouse</button> <button type="submit" class="secondary" form="op.logoutForm">Only this application</button></p>`);
}

export function loggedOutPage(o: { nonce: string; clientName: string | null }): string {
  return card(o.nonce, 'Signed out', html`<p>You have signed out${o.clientName ? html` of ${o.clientName}` : ''}.</p><p><a href="/start">Back to the access portal</a></p>`);
}

export function oidcErrorPage(o: { nonce: string; error: string; description: string | undefined }): string {
  return card(o.nonce, 'Sign-in failed', html`<p>The application's sign-in request could not be completed: ${o.description ?? o.error}.</p><p class="muted">Error: ${o.error}</p><p><a href="/start">Back to the access portal</a></p>`);
}

/** Signed in: on to the provider (and from there to the app), by a refresh, with a link for browsers that do not follow it. */
export function continuePage(o: { nonce: string; url: string }): string {
  return layout({
    title: 'Signing in',
    nonce: o.nonce,
    head: html`<meta http-equiv="refresh" content="0;url=${o.url}">`,
    body: html`<div class="card narrow"><h2>Signing in…</h2><p><a href="${o.url}" id="continue">Continue to the application</a></p></div>`,
  });
}

export function oidcAccessDeniedPage(o: { nonce: string; applicationName: string; userName: string; csrfToken: string }): string {
  return layout({
    title: 'Access denied',
    nonce: o.nonce,
    signedIn: { userName: o.userName, csrfToken: o.csrfToken },
    body: html`<div class="card" id="access-denied"><h2>You do not have access to ${o.applicationName}</h2><p>You are signed in as ${o.userName}, and this application has not been assigned to you or to one of your groups. Ask your administrator for access.</p><p><a href="/start/applications">Your applications</a></p></div>`,
  });
}
