// The page frame shared by every portal page. Styles and scripts carry the response's CSP nonce.
import { html, raw, type SafeHtml } from './html.ts';

const STYLE = `
:root{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#16191f;background:#f2f3f3}
body{margin:0}
header{background:#232f3e;color:#fff;padding:.75rem 1.5rem;display:flex;justify-content:space-between;align-items:center}
header h1{font-size:1.1rem;margin:0;font-weight:600}
header form{margin:0}
main{max-width:60rem;margin:1.5rem auto;padding:0 1rem}
.narrow{max-width:24rem;margin:3rem auto}
.card{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.15);padding:1.25rem 1.5rem;margin-bottom:1rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=text],input[type=password],input[type=search]{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #8d99a8;border-radius:4px;font-size:1rem}
button{background:#ff9900;border:0;border-radius:4px;padding:.45rem 1rem;font-weight:600;cursor:pointer;font-size:.95rem}
button.link{background:none;color:#0972d3;padding:0;font-weight:500;text-decoration:underline}
button.secondary{background:#e9ebed}
.who{color:#d5dbdb;margin-right:1rem;font-size:.9rem}
header button{background:none;color:#fff;border:1px solid #fff}
header a.console-link{color:#fff;margin-right:1rem;white-space:nowrap}
.error{background:#fff1f0;border:1px solid #d91515;color:#7a0000;padding:.6rem .8rem;border-radius:4px;margin:.5rem 0}
.muted{color:#5f6b7a;font-size:.9rem}
details.account{border-top:1px solid #e9ebed;padding:.6rem 0}
details.account summary{cursor:pointer;display:flex;gap:1rem;align-items:baseline;list-style:none}
details.account summary::-webkit-details-marker{display:none}
details.account summary::before{content:'\\25B8';color:#5f6b7a;width:1rem}
details.account[open] summary::before{content:'\\25BE'}
details.account summary .name{font-weight:600;min-width:12rem}
ul.roles{list-style:none;margin:.5rem 0 0 1.5rem;padding:0}
ul.roles li{display:flex;gap:1rem;align-items:center;padding:.25rem 0}
ul.roles form{margin:0}
nav.tabs{display:flex;gap:1rem;margin-bottom:1rem}
nav.tabs a{color:#0972d3;font-weight:600}
nav.tabs a[aria-current=page]{color:#16191f;text-decoration:none;border-bottom:3px solid #ff9900}
pre{background:#f2f3f3;padding:.6rem;border-radius:4px;overflow:auto;white-space:pre-wrap;word-break:break-all}
`;

export interface LayoutOptions {
  title: string;
  nonce: string;
  /** The signed-in user's name and the sign-out form's CSRF token, when signed in. */
  signedIn?: { userName: string; csrfToken: string; adminConsole?: boolean };
  body: SafeHtml;
  /** Our own constant script text (never user data). */
  script?: string;
}

export function layout(o: LayoutOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/svg+xml" href="/favicon.ico">
<title>${o.title} · Gatehouse</title>
<style nonce="${o.nonce}">${raw(STYLE)}</style>
</head>
<body>
<header><h1>Gatehouse access portal</h1>${
    o.signedIn
      ? html`<form method="post" action="/start/logout">${o.signedIn.adminConsole ? html`<a class="console-link" href="/admin">Admin console</a>` : ''}<span class="who">${o.signedIn.userName}</span><input type="hidden" name="csrf" value="${o.signedIn.csrfToken}"><button type="submit">Sign out</button></form>`
      : ''
  }</header>
<main>${o.body}</main>
${o.script ? html`<script nonce="${o.nonce}">${raw(o.script)}</script>` : ''}
</body>
</html>`.value;
}
