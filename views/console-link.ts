// The confirmation a shareable console link gets when it was followed from another site: one
// click signs in to the account (a form post with the session's CSRF token), so no other site
// can start a federation on its own.
import { html } from './html.ts';
import { layout } from './layout.ts';

export function consoleConfirmPage(o: { nonce: string; userName: string; csrfToken: string; accountId: string; roleName: string; destination: string }): string {
  return layout({
    title: 'Open the AWS console',
    nonce: o.nonce,
    signedIn: { userName: o.userName, csrfToken: o.csrfToken },
    body: html`<div class="card"><h2>Open the AWS console</h2>
<p>You followed a link to sign in to account <strong>${o.accountId}</strong> as <strong>${o.roleName}</strong>.</p>
<form method="post" action="/start/federate"><input type="hidden" name="csrf" value="${o.csrfToken}"><input type="hidden" name="accountId" value="${o.accountId}"><input type="hidden" name="permissionSet" value="${o.roleName}">${o.destination ? html`<input type="hidden" name="destination" value="${o.destination}">` : ''}<p><button type="submit" id="confirm-console">Open the console</button></p></form>
<p><a href="/start">Back to the AWS accounts</a></p></div>`,
  });
}
