import { html } from './html.ts';
import { layout } from './layout.ts';

/** A plain page for errors and notices (503 when a dependency is down, 403, 404...). */
export function messagePage(o: { nonce: string; title: string; message: string; signedIn?: { userName: string; csrfToken: string } }): string {
  return layout({
    title: o.title,
    nonce: o.nonce,
    signedIn: o.signedIn,
    body: html`<div class="card"><h2>${o.title}</h2><p>${o.message}</p><p><a href="/start">Back to the access portal</a></p></div>`,
  });
}
