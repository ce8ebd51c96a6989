// The "Applications" tab: the SAML applications the person is assigned to now, each with its icon
// (uploaded, or a generated initial), name and description, and a search that narrows the list
// as one types. Launching a SAML app is a form (IdP-initiated sign-in, posted with the session's
// CSRF token); an OpenID Connect app is a link to its own address, where it starts its sign-in.
import type { Application } from '../model/types.ts';
import { appIcon, ICON_STYLE } from './app-icon.ts';
import { html, raw } from './html.ts';
import { instantSearchScript } from './instant-search.ts';
import { layout } from './layout.ts';

const SEARCH_SCRIPT = instantSearchScript({ box: 'application-search', rows: '#applications > li', none: 'no-application-match', count: 'application-count', noun: ['application', 'applications'] });

const STYLE = `
ul.apps{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:.75rem}
ul.apps li{border:1px solid #d1d5db;border-radius:8px;padding:.75rem;display:flex;gap:.75rem;align-items:flex-start;min-width:0}
ul.apps form{margin:0}
ul.apps .app-text{display:flex;flex-direction:column;gap:.15rem;min-width:0}
ul.apps button.link{padding:0;text-align:left;font-size:1rem;font-weight:600}
ul.apps a.app-link{font-size:1rem;font-weight:600;display:inline-flex;align-items:center;min-height:44px}
`;

export function applicationsPage(o: {
  nonce: string;
  userName: string;
  csrfToken: string;
  applications: (Pick<Application, 'id' | 'name' | 'description' | 'kind'> & { launchUrl?: string | null })[];
  /** Ids of the applications with an uploaded icon. */
  icons?: ReadonlySet<string>;
}): string {
  const n = o.applications.length;
  return layout({
    title: 'Applications',
    nonce: o.nonce,
    signedIn: { userName: o.userName, csrfToken: o.csrfToken },
    body: html`<nav class="tabs"><a href="/start">AWS accounts</a><a href="/start/applications" aria-current="page">Applications</a><a href="/start/security">Sign-in security</a></nav>
<div class="card">
${
  n === 0
    ? html`<p class="muted" id="no-applications">You have not been given access to any application yet. Ask your administrator.</p>`
    : html`<div role="search"><label for="application-search">Search applications</label>
<input type="search" id="application-search" placeholder="Application name or description" autocomplete="off"></div>
<p class="muted" id="application-count" aria-live="polite">${n} ${n === 1 ? 'application' : 'applications'}</p>
<p class="muted" id="no-application-match" hidden>No application matches your search.</p>
<ul class="apps" id="applications">
${o.applications.map(
  (a) => html`<li data-application-id="${a.id}" data-search="${`${a.name} ${a.description}`.toLowerCase()}">${appIcon(a, o.icons?.has(a.id) ?? false)}<span class="app-text">${
    a.launchUrl
      ? html`<a class="app-link" href="${a.launchUrl}" data-launch="${a.id}">${a.name}</a>`
      : html`<form method="post" action="/start/applications/launch"><input type="hidden" name="csrf" value="${o.csrfToken}"><input type="hidden" name="applicationId" value="${a.id}"><button type="submit" class="link" data-launch="${a.id}">${a.name}</button></form>`
  }${a.kind === 'external-aws-account' ? html`<span class="muted">AWS account</span>` : ''}${a.description ? html`<span class="muted">${a.description}</span>` : ''}</span></li>`,
)}
</ul>`
}
</div>
<style nonce="${o.nonce}">${raw(STYLE + ICON_STYLE)}</style>`,
    script: SEARCH_SCRIPT,
  });
}
