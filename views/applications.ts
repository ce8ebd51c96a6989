// The "Applications" tab: the SAML applications the person is assigned to now, each a form that
// launches it (IdP-initiated sign-in, posted with the session's CSRF token).
import type { Application } from '../model/types.ts';
import { html } from './html.ts';
import { layout } from './layout.ts';

export function applicationsPage(o: { nonce: string; userName: string; csrfToken: string; applications: Pick<Application, 'id' | 'name' | 'description' | 'kind'>[] }): string {
  return layout({
    title: 'Applications',
    nonce: o.nonce,
    signedIn: { userName: o.userName, csrfToken: o.csrfToken },
    body: html`<nav class="tabs"><a href="/start">AWS accounts</a><a href="/start/applications" aria-current="page">Applications</a></nav>
<div class="card">
${
  o.applications.length === 0
    ? html`<p class="muted" id="no-applications">You have not been given access to any application yet. Ask your administrator.</p>`
    : html`<ul class="roles" id="applications">
${o.applications.map(
  (a) => html`<li data-application-id="${a.id}"><form method="post" action="/start/applications/launch"><input type="hidden" name="csrf" value="${o.csrfToken}"><input type="hidden" name="applicationId" value="${a.id}"><button type="submit" class="link" data-launch="${a.id}">${a.name}</button></form>${a.kind === 'external-aws-account' ? html`<span class="muted">AWS account</span>` : ''}${a.description ? html`<span class="muted">${a.description}</span>` : ''}</li>`,
)}
</ul>`
}
</div>`,
  });
}
