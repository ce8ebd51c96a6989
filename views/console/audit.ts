// The audit log: newest first, filtered by action and actor, a page at a time.
import type { AuditEventView } from '../../access/audit/audit-log.ts';
import { html } from '../html.ts';
import { formatTime, pager } from './form.ts';
import type { ConsolePage } from './layout.ts';

export function auditPage(o: { items: AuditEventView[]; action: string; actor: string; actorName: (id: string) => string; nextToken?: string; firstPage: boolean; error?: string }): ConsolePage {
  return {
    title: 'Audit log',
    section: 'audit',
    body: html`<div class="card">
<div class="toolbar"><form method="get" action="/admin/audit" role="search">
<div><label for="f-action">Action</label><input type="search" id="f-action" name="action" value="${o.action}" placeholder="e.g. permission-set.create"></div>
<div><label for="f-actor">Actor</label><input type="search" id="f-actor" name="actor" value="${o.actor}" placeholder="user name or id"${o.error ? html` aria-invalid="true" aria-describedby="f-actor-error"` : ''}></div>
<button type="submit" class="secondary">Filter</button></form></div>
${o.error ? html`<p class="field-error" id="f-actor-error">${o.error}</p>` : ''}
${o.items.length === 0 ? html`<p class="muted">No entries${o.action || o.actor ? ' match these filters' : ''}.</p>` : html`<table id="audit"><thead><tr><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Object</th><th scope="col">Detail</th></tr></thead><tbody>
${o.items.map((e) => html`<tr><td>${formatTime(new Date(e.at)).replace(' UTC', '')}</td><td>${e.actorName ?? o.actorName(e.actor)}</td><td>${e.action}</td><td>${e.target}</td><td>${detailOf(e.detail)}</td></tr>`)}
</tbody></table>`}
${pager('/admin/audit', { action: o.action, actor: o.actor }, o.nextToken, o.firstPage)}
</div>`,
  };
}

/** The event's facts as `key: value` lines (values that are not text as JSON). */
function detailOf(detail: Record<string, unknown>) {
  const entries = Object.entries(detail);
  if (entries.length === 0) return '';
  return html`<ul class="detail">${entries.map(([k, v]) => html`<li><span class="muted">${k}:</span> <code>${typeof v === 'string' ? v : JSON.stringify(v)}</code></li>`)}</ul>`;
}
