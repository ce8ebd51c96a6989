// The console's dashboard: how much there is of each thing, and where to go next.
import { html } from '../html.ts';
import type { ConsolePage } from './layout.ts';

export interface Tally {
  label: string;
  href: string;
  count: number;
  /** True when there are more than `count`. */
  more: boolean;
}

export function homePage(o: { tallies: Tally[]; identitySource: string }): ConsolePage {
  return {
    title: 'Dashboard',
    section: 'home',
    body: html`<ul class="tallies">${o.tallies.map(
      (t) => html`<li class="card"><a href="${t.href}"><span class="count">${t.count}${t.more ? '+' : ''}</span> ${t.label}</a></li>`,
    )}</ul>
<div class="card"><h2>Next steps</h2><ul>
<li><a href="/admin/assign">Assign access</a>: give users and groups permission sets on AWS accounts.</li>
<li><a href="/admin/applications/new">Add an application</a> from its SAML metadata.</li>
<li>People sign in with: <a href="/admin/identity-source">${o.identitySource}</a>.</li>
<li>Automate with the <a href="/api/v1/docs">admin API</a>.</li>
</ul></div>`,
  };
}
