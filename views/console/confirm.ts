// The confirmation page of a destructive action: what goes, what else goes with it (cascades),
// and one button that does it. Nothing happens until that button is pressed.
import type { Consequence } from '../../access/admin/console-cascades.ts';
import { html } from '../html.ts';
import { csrfField } from './form.ts';
import type { ConsolePage, Section } from './layout.ts';

const plural = (c: Consequence) => `${c.atLeast ? 'at least ' : ''}${c.count} ${c.what}${c.count === 1 && !c.atLeast ? '' : 's'}`;

export function confirmPage(o: {
  section: Section;
  title: string;
  /** e.g. "the permission set ReadOnly" */
  subject: string;
  consequences: Consequence[];
  action: string;
  cancel: string;
  csrfToken: string;
  button: string;
  /** What else happens that the counts do not say. */
  note?: string;
}): ConsolePage {
  const goes = o.consequences.filter((c) => c.count > 0);
  return {
    title: o.title,
    section: o.section,
    body: html`<div class="card">
<p>This deletes <strong>${o.subject}</strong>. It cannot be undone.</p>
${goes.length
  ? html`<p>These go with it:</p><ul id="cascades">${goes.map((c) => html`<li>${plural(c)}</li>`)}</ul>`
  : html`<p id="cascades">Nothing else refers to it; nothing else goes.</p>`}
${o.note ? html`<p>${o.note}</p>` : ''}
<div class="actions"><form method="post" action="${o.action}">${csrfField(o.csrfToken)}<button type="submit" class="danger">${o.button}</button></form><a class="button secondary" href="${o.cancel}">Cancel</a></div>
</div>`,
  };
}
