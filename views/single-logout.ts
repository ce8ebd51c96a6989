// Pages of front-channel Single Logout: one hop ("Signing you out of <app>…", which carries our
// LogoutRequest to the app and offers to skip it), and the end ("You have been signed out").
// Before leaving for an app, the hop page asks the app's origin whether it answers at all (a
// no-cors HEAD, which needs no cooperation from the app): an app that is down would otherwise
// leave the person on the browser's "site can't be reached" page. After PROBE_TIMEOUT_MS without
// an answer the chain moves on and the end page names the app it could not reach.
import type { LogoutHop } from '../access/app-sso/logout-chains.ts';
import type { HopCarrier } from '../access/app-sso/single-logout.ts';
import { html } from './html.ts';
import { layout } from './layout.ts';

export const PROBE_TIMEOUT_MS = 4000;

const STATE_TEXT: Record<LogoutHop['state'], string> = {
  pending: 'waiting',
  sent: 'signing out…',
  confirmed: 'signed out',
  failed: 'did not confirm',
  'no-answer': 'did not answer',
  skipped: 'skipped',
  unreachable: 'could not be reached',
};

function hopList(hops: LogoutHop[]) {
  return html`<ul class="roles" id="logout-apps">${hops.map((h) => html`<li data-app="${h.entityId}" data-state="${h.state}"><span class="name">${h.name}</span><span class="muted">${STATE_TEXT[h.state]}</span></li>`)}</ul>`;
}

const HOP_SCRIPT = `
const probe = document.getElementById('slo-probe');
const go = () => {
  const form = document.getElementById('slo-post');
  if (form) form.submit();
  else location.replace(document.getElementById('slo-next').href);
};
const controller = new AbortController();
const timer = setTimeout(() => controller.abort(), Number(probe.dataset.timeout));
fetch(probe.dataset.origin + '/', { method: 'HEAD', mode: 'no-cors', credentials: 'omit', cache: 'no-store', signal: controller.signal }).then(
  () => { clearTimeout(timer); go(); },
  () => location.replace(document.getElementById('slo-unreachable').href),
);
`;

export function logoutHopPage(o: { nonce: string; hop: LogoutHop; hops: LogoutHop[]; carrier: HopCarrier; skipUrl: string; unreachableUrl: string }): string {
  const target = o.carrier.binding === 'post' ? o.carrier.action : o.carrier.url;
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
<p class="muted" id="slo-probe" data-origin="${new URL(target).origin}" data-timeout="${PROBE_TIMEOUT_MS}">If ${o.hop.name} does not answer, <a href="${o.skipUrl}" id="slo-skip">skip it and continue</a>.</p>
<a href="${o.unreachableUrl}" id="slo-unreachable" hidden>${o.hop.name} could not be reached</a></div>`,
    script: HOP_SCRIPT,
  });
}

export function signedOutPage(o: { nonce: string; hops: LogoutHop[] }): string {
  const unreachable = o.hops.filter((h) => h.state === 'unreachable');
  return layout({
    title: 'Signed out',
    nonce: o.nonce,
    body: html`<div class="card"><h2>You have been signed out</h2>
<p>You are signed out of the access portal.${o.hops.length ? ' The applications you used in this session:' : ''}</p>
${unreachable.map((h) => html`<div class="error" role="alert" data-unreachable="${h.entityId}">Could not reach ${h.name} to sign you out of it. You may still be signed in there: open it and sign out, or close your browser.</div>`)}
${o.hops.length ? hopList(o.hops) : ''}
<p><a href="/start">Sign in again</a></p></div>`,
  });
}
