// Pages of front-channel Single Logout: one hop ("Signing you out of <app>…", which carries our
// LogoutRequest to the app and offers to skip it), and the end ("You are signed out").
import type { LogoutHop } from '../access/app-sso/logout-chains.ts';
import type { HopCarrier } from '../access/app-sso/single-logout.ts';
import { html } from './html.ts';
import { layout } from './layout.ts';

const STATE_TEXT: Record<LogoutHop['state'], string> = {
  pending: 'waiting',
  sent: 'signing out…',
  confirmed: 'signed out',
  failed: 'did not confirm',
  'no-answer': 'did not answer',
  skipped: 'skipped',
};

function hopList(hops: LogoutHop[]) {
  return html`<ul class="roles" id="logout-apps">${hops.map((h) => html`<li data-app="${h.entityId}" data-state="${h.state}"><span class="name">${h.name}</span><span class="muted">${STATE_TEXT[h.state]}</span></li>`)}</ul>`;
}

export function logoutHopPage(o: { nonce: string; hop: LogoutHop; hops: LogoutHop[]; carrier: HopCarrier; skipUrl: string }): string {
  const go =
    o.carrier.binding === 'post'
      ? html`<form method="post" action="${o.carrier.action}" id="slo-post">
${Object.entries(o.carrier.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<noscript><button type="submit">Continue</button></noscript>
</form>`
      : html`<p><a href="${o.carrier.url}" id="slo-next">Continue</a></p>`;
  return layout({
    title: 'Signing out',
    nonce: o.nonce,
    body: html`<div class="card"><h2>Signing you out</h2>
<p>You are signed out of the access portal. Now signing you out of <strong>${o.hop.name}</strong>…</p>
${hopList(o.hops)}
${go}
<p class="muted">If ${o.hop.name} does not answer, <a href="${o.skipUrl}" id="slo-skip">skip it and continue</a>.</p></div>`,
    script: o.carrier.binding === 'post' ? `document.getElementById('slo-post').submit();` : `location.replace(document.getElementById('slo-next').href);`,
  });
}

export function signedOutPage(o: { nonce: string; hops: LogoutHop[] }): string {
  return layout({
    title: 'Signed out',
    nonce: o.nonce,
    body: html`<div class="card"><h2>You are signed out</h2>
${o.hops.length ? hopList(o.hops) : ''}
<p><a href="/start">Sign in again</a></p></div>`,
  });
}
