// The frame of every admin console page (/admin): a header with the signed-in administrator and
// sign-out, a navigation list, and the page body. Styles and scripts carry the response's CSP
// nonce; scripts are our own constants, never user data.
import { escapeHtml, html, raw, type SafeHtml } from '../html.ts';

const STYLE = `
:root{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#16191f;background:#f2f3f3;line-height:1.4}
body{margin:0}
a{color:#0759a8}
header{background:#232f3e;color:#fff;padding:.6rem 1.25rem;display:flex;flex-wrap:wrap;gap:.5rem;justify-content:space-between;align-items:center}
header .brand{font-size:1.05rem;margin:0;font-weight:600;color:#fff;text-decoration:none}
header form{margin:0;display:flex;gap:.75rem;align-items:center}
header a{color:#fff}
header button{background:none;color:#fff;border:1px solid #fff}
.who{color:#e9ebed;font-size:.9rem}
.frame{display:flex;gap:1.25rem;max-width:80rem;margin:0 auto;padding:1rem}
nav.side{flex:0 0 12rem}
nav.side ul{list-style:none;margin:0;padding:0}
nav.side a{display:block;padding:.4rem .6rem;border-radius:4px;text-decoration:none;color:#16191f}
nav.side a:hover{background:#e9ebed}
nav.side a[aria-current=page]{background:#fff;font-weight:600;box-shadow:inset 3px 0 0 #d45b07}
main{flex:1;min-width:0}
h1{font-size:1.5rem;margin:.25rem 0 1rem}
h2{font-size:1.15rem;margin:0 0 .75rem}
* + h2{margin-top:1.5rem}
input[type=hidden] + h2{margin-top:0}
.card{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.15);padding:1rem 1.25rem;margin-bottom:1rem;overflow-x:auto}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
.hint{display:block;font-weight:400;color:#545b64;font-size:.85rem}
input[type=text],input[type=password],input[type=search],input[type=email],input[type=number],input[type=url],select,textarea{width:100%;box-sizing:border-box;padding:.45rem;border:1px solid #7d8998;border-radius:4px;font-size:.95rem;font-family:inherit}
textarea{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem}
[aria-invalid=true]{border-color:#d91515;outline:1px solid #d91515}
.field-error{color:#b00000;font-size:.9rem;margin:.25rem 0;white-space:pre-wrap}
button,.button{display:inline-block;background:#ffb168;color:#16191f;border:0;border-radius:4px;padding:.45rem 1rem;font-weight:600;cursor:pointer;font-size:.95rem;text-decoration:none;font-family:inherit}
button.secondary,.button.secondary{background:#e9ebed}
button.danger{background:#b00000;color:#fff}
button.link{background:none;color:#0759a8;padding:0;font-weight:500;text-decoration:underline}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin-top:1rem}
.actions form{margin:0}
.error{background:#fff1f0;border:1px solid #d91515;color:#7a0000;padding:.6rem .8rem;border-radius:4px;margin:.5rem 0}
.notice{background:#f2fcf3;border:1px solid #037f0c;color:#024d08;padding:.6rem .8rem;border-radius:4px;margin:.5rem 0 1rem}
.muted{color:#545b64;font-size:.9rem}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid #e9ebed;vertical-align:top}
th{font-size:.85rem;color:#414750}
td form{margin:0}
.toolbar{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end;justify-content:space-between;margin-bottom:.75rem}
.toolbar form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end;margin:0}
.toolbar label{margin:0 0 .25rem}
.toolbar input{width:14rem}
.pager{display:flex;gap:1rem;margin-top:.75rem}
.steps{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0;margin:0 0 1rem;counter-reset:step}
.steps li{padding:.3rem .7rem;border-radius:999px;background:#e9ebed;font-size:.9rem}
.steps li[aria-current=step]{background:#232f3e;color:#fff}
fieldset{border:1px solid #d5dbdb;border-radius:6px;margin:.75rem 0;padding:.5rem 1rem}
legend{font-weight:600;padding:0 .25rem}
.check{display:flex;gap:.5rem;align-items:center;font-weight:400;margin:.3rem 0}
.check input{width:auto}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:0}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0;word-break:break-all}
pre{background:#f2f3f3;padding:.6rem;border-radius:4px;overflow:auto;white-space:pre-wrap;word-break:break-all;font-size:.85rem}
.meter{font-size:.85rem;color:#414750;margin:.25rem 0}
.meter.over{color:#b00000;font-weight:600}
.tag{display:inline-block;padding:0 .4rem;border-radius:4px;background:#e9ebed;font-size:.8rem}
.tag.off{background:#fff1f0;color:#7a0000}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:0 1rem;align-items:end}
ul.tallies{list-style:none;padding:0;margin:0 0 1rem;display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:.75rem}
ul.tallies li{margin:0;padding:.75rem 1rem}
ul.tallies a{display:flex;flex-direction:column;text-decoration:none;font-weight:600}
ul.tallies .count{font-size:1.6rem;color:#16191f}
details.confirm summary{list-style:none}
details.confirm summary::-webkit-details-marker{display:none}
details.confirm[open]{flex-basis:100%}
details.confirm form{margin-top:.5rem}
.inline-form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end;margin:0 0 .75rem}
.inline-form label{margin:0 0 .25rem}
td code{word-break:break-all;font-size:.8rem}
ul.detail{list-style:none;margin:0;padding:0;font-size:.85rem}
@media (max-width:700px){
 .frame{flex-direction:column;padding:.5rem}
 nav.side{flex:none}
 nav.side ul{display:flex;flex-wrap:wrap;gap:.25rem}
 nav.side a{padding:.3rem .5rem;font-size:.9rem;background:#fff}
 .toolbar input{width:100%}
 th,td{padding:.35rem .3rem;font-size:.9rem}
 dl.facts{grid-template-columns:1fr;gap:0}
 dl.facts dd{margin-bottom:.4rem}
 header a,header button{white-space:nowrap}
 header form{flex-wrap:wrap;gap:.5rem .75rem}
 ul.tallies{grid-template-columns:1fr 1fr}
 .who{display:none}
 table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
 table.stack tr{display:block;border-bottom:1px solid #d5dbdb;padding:.4rem 0}
 table.stack td{display:grid;grid-template-columns:6.5rem minmax(0,1fr);gap:.5rem;border:0;padding:.15rem 0;word-break:break-word}
 table.stack td::before{content:attr(data-label);font-weight:600;font-size:.8rem;color:#414750}
}
`;

export type Section = 'home' | 'accounts' | 'users' | 'groups' | 'permission-sets' | 'assign' | 'applications' | 'identity-source' | 'settings' | 'audit' | 'api-token';

const NAV: [Section, string, string][] = [
  ['home', '/admin', 'Dashboard'],
  ['accounts', '/admin/accounts', 'AWS accounts'],
  ['assign', '/admin/assign', 'Assign access'],
  ['permission-sets', '/admin/permission-sets', 'Permission sets'],
  ['users', '/admin/users', 'Users'],
  ['groups', '/admin/groups', 'Groups'],
  ['applications', '/admin/applications', 'Applications'],
  ['identity-source', '/admin/identity-source', 'Identity source'],
  ['settings', '/admin/settings', 'Settings'],
  ['audit', '/admin/audit', 'Audit log'],
  ['api-token', '/admin/api-token', 'API token'],
];

export interface ConsolePage {
  title: string;
  section: Section;
  body: SafeHtml;
  /** Our own constant script text (never user data). */
  script?: string;
}

export interface ConsoleFrame {
  nonce: string;
  userName: string;
  csrfToken: string;
}

export function consoleLayout(frame: ConsoleFrame, page: ConsolePage): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/svg+xml" href="/favicon.ico">
<title>${page.title} · Gatehouse admin console</title>
<style nonce="${frame.nonce}">${raw(STYLE)}</style>
</head>
<body>
<header><a class="brand" href="/admin">Gatehouse admin console</a>
<form method="post" action="/start/logout"><a href="/start">Access portal</a><a href="/api/v1/docs">API docs</a><span class="who">${frame.userName}</span><input type="hidden" name="csrf" value="${frame.csrfToken}"><button type="submit">Sign out</button></form></header>
<div class="frame">
<nav class="side" aria-label="Console sections"><ul>${NAV.map(
    ([id, href, label]) => html`<li><a href="${href}"${id === page.section ? raw(' aria-current="page"') : ''}>${label}</a></li>`,
  )}</ul></nav>
<main><h1>${page.title}</h1>${withCellLabels(page.body)}</main>
</div>
${page.script ? html`<script nonce="${frame.nonce}">${raw(page.script)}</script>` : ''}
</body>
</html>`.value;
}

/**
 * Gives each cell of a list table the label of its column (data-label), so that on a narrow
 * screen the rows stack as label: value pairs (the CSS above). It only reads our own markup:
 * directory values inside cells are escaped, so they cannot contain a tag this matches. Tables of
 * inputs (class="inputs") keep their own labels.
 */
function withCellLabels(body: SafeHtml): SafeHtml {
  return raw(body.value.replace(/<table((?: id="[\w-]+")?)>([\s\S]*?)<\/table>/g, (_all, id: string, inner: string) => {
    const labels = [...inner.matchAll(/<th scope="col">([\s\S]*?)<\/th>/g)].map((m) => m[1]!.replace(/<[^>]*>/g, ''));
    const rows = inner.replace(/<tr>([\s\S]*?)<\/tr>/g, (row: string, cells: string) => {
      if (!cells.includes('<td')) return row;
      let i = 0;
      return `<tr>${cells.replace(/<td(?=[ >])/g, () => `<td data-label="${escapeHtml(labels[i++] ?? '')}"`)}</tr>`;
    });
    return `<table${id} class="stack">${rows}</table>`;
  }));
}
