// The icon in front of an application's name: its uploaded image, or its initial on a colour
// picked from its id, so that apps stay told apart at a glance. Every colour of the palette keeps
// white text above 4.5:1 (WCAG 2.2 1.4.3). The icon is decoration next to the name (alt="").
import { createHash } from 'node:crypto';
import { html, type SafeHtml } from './html.ts';

const PALETTE = ['#0753a5', '#1d6b2f', '#8a1c5b', '#6b3fa0', '#8d4b00', '#00626b', '#a4262c', '#414d5c'];

// Classes, not style attributes: the page's CSP allows only its own nonce'd style block.
export const ICON_STYLE = `
.app-icon{width:40px;height:40px;border-radius:8px;flex:none;display:inline-flex;align-items:center;justify-content:center;color:#fff;font-weight:700;font-size:1.2rem;object-fit:cover}
${PALETTE.map((c, i) => `.app-colour-${i}{background:${c}}`).join('\n')}
`;

export function appIcon(app: { id: string; name: string }, uploaded: boolean): SafeHtml {
  if (uploaded) return html`<img class="app-icon" src="/start/applications/icons/${app.id}" alt="" width="40" height="40">`;
  const colour = createHash('sha256').update(app.id).digest()[0]! % PALETTE.length;
  const initial = Array.from(app.name.trim())[0]?.toUpperCase() ?? '?';
  return html`<span class="app-icon app-colour-${colour}" aria-hidden="true">${initial}</span>`;
}
