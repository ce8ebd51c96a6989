// Tabs for the same instructions on several systems (WAI-ARIA Authoring Practices, "Tabs"
// pattern): a tablist of buttons, each controlling one panel; arrow keys, Home and End move
// between tabs. Without script every panel stays visible under its own heading and the tablist
// stays hidden, so nothing is lost.
import { html, type SafeHtml } from './html.ts';

export interface TabPanel {
  id: string;
  label: string;
  content: SafeHtml;
}

export function tabs(name: string, label: string, panels: TabPanel[]): SafeHtml {
  return html`<div class="tabset" data-tabset="${name}">
<div role="tablist" aria-label="${label}" hidden>${panels.map(
    (p, i) => html`<button type="button" role="tab" id="tab-${p.id}" aria-controls="panel-${p.id}" aria-selected="${i === 0 ? 'true' : 'false'}"${i === 0 ? '' : html` tabindex="-1"`}>${p.label}</button>`,
  )}</div>
${panels.map((p) => html`<div role="tabpanel" id="panel-${p.id}" aria-labelledby="tab-${p.id}" tabindex="0"><h4 class="panel-heading">${p.label}</h4>${p.content}</div>`)}
</div>`;
}

/** Our own constant script: turns every `.tabset` into working tabs. */
export const TABS_SCRIPT = `
for (const set of document.querySelectorAll('.tabset')) {
  const list = set.querySelector('[role=tablist]');
  const tabs = Array.from(list.querySelectorAll('[role=tab]'));
  const select = (tab, focus) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute('aria-selected', on ? 'true' : 'false');
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute('aria-controls')).hidden = !on;
    }
    if (focus) tab.focus();
  };
  list.hidden = false;
  set.classList.add('tabbed');
  select(tabs[0], false);
  for (const tab of tabs) {
    tab.addEventListener('click', () => select(tab, false));
    tab.addEventListener('keydown', (e) => {
      const i = tabs.indexOf(tab);
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
      if (next === undefined) return;
      e.preventDefault();
      select(tabs[(next + tabs.length) % tabs.length], true);
    });
  }
}
`;
