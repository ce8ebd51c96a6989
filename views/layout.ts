// The page frame shared by every portal page. Styles and scripts carry the response's CSP nonce.
import { html, raw, type SafeHtml } from './html.ts';

const STYLE = `
:root{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#16191f;background:#f2f3f3}
body{margin:0}
[hidden]{display:none!important}
header{background:#232f3e;color:#fff;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem;justify-content:space-between;align-items:center}
header h1{font-size:1.1rem;margin:0;font-weight:600}
header form{margin:0}
main{max-width:60rem;margin:1.5rem auto;padding:0 1rem}
.narrow{max-width:24rem;margin:3rem auto}
.card{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.15);padding:1.25rem 1.5rem;margin-bottom:1rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=text],input[type=password],input[type=search]{width:100%;box-sizing:border-box;min-height:44px;padding:.5rem;border:1px solid #687078;border-radius:4px;font-size:1rem}
a{color:#0753a5;text-decoration:underline}
button{background:#ff9900;color:#16191f;border:0;border-radius:4px;min-height:44px;padding:.45rem 1rem;font-weight:600;cursor:pointer;font-size:.95rem}
button.link{background:none;color:#0753a5;padding:0 .25rem;font-weight:500;text-decoration:underline;min-width:44px}
button.secondary{background:#e9ebed}
button.link.secondary{background:#fff;border:1px solid #0753a5;text-decoration:none;padding:0 .75rem}
:focus-visible{outline:3px solid #0753a5;outline-offset:2px}
header :focus-visible{outline-color:#fff}
.skip{position:absolute;left:-100vw;top:0;background:#fff;color:#0753a5;padding:.75rem 1rem;z-index:10}
.skip:focus{left:1rem}
main,.card,summary,li{overflow-wrap:anywhere;min-width:0}
.who{color:#d5dbdb;margin-right:1rem;font-size:.9rem}
header button{background:none;color:#fff;border:1px solid #fff}
header a.console-link{color:#fff;margin-right:1rem;white-space:nowrap}
.notice{background:#f2f8fd;border:1px solid #0753a5;color:#16191f;padding:.6rem .8rem;border-radius:4px;margin:.5rem 0}
.error{background:#fff1f0;border:1px solid #d91515;color:#7a0000;padding:.6rem .8rem;border-radius:4px;margin:.5rem 0}
.muted{color:#5f6b7a;font-size:.9rem}
details.account{border-top:1px solid #e9ebed;padding:.6rem 0}
details.account summary{cursor:pointer;display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:baseline;list-style:none;min-height:44px;padding-top:.6rem;box-sizing:border-box}
details.account summary::-webkit-details-marker{display:none}
details.account summary::before{content:'\\25B8';color:#5f6b7a;width:1rem}
details.account[open] summary::before{content:'\\25BE'}
details.account summary .name{font-weight:600;flex:1 1 12rem}
ul.roles{list-style:none;margin:.5rem 0 0 1rem;padding:0}
ul.roles li{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center;padding:.25rem 0}
ul.roles form{margin:0}
ul.roles .role-name{font-weight:600;flex:1 1 100%}
nav.tabs{display:flex;flex-wrap:wrap;gap:0 1rem;margin-bottom:1rem}
nav.tabs a{color:#0753a5;font-weight:600;display:inline-flex;align-items:center;min-height:44px;white-space:nowrap}
nav.tabs a[aria-current=page]{color:#16191f;text-decoration:none;border-bottom:3px solid #ff9900}
.qr{text-align:center;margin:.5rem 0}
ul.codes{columns:2;font-size:1.05rem;padding-left:1.25rem}
a.button{display:inline-flex;align-items:center;min-height:44px;background:#ff9900;color:#16191f;padding:0 1rem;border-radius:4px;font-weight:600;text-decoration:none}
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
  /** Extra head elements (a meta refresh). */
  head?: SafeHtml;
}

export function layout(o: LayoutOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/svg+xml" href="/favicon.ico">
<title>${o.title} · Gatehouse</title>${o.head ?? ''}
<style nonce="${o.nonce}">${raw(STYLE)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header><h1>Gatehouse access portal</h1>${
    o.signedIn
      ? html`<form method="post" action="/start/logout">${o.signedIn.adminConsole ? html`<a class="console-link" href="/admin">Admin console</a>` : ''}<span class="who">${o.signedIn.userName}</span><input type="hidden" name="csrf" value="${o.signedIn.csrfToken}"><button type="submit">Sign out</button></form>`
      : ''
  }</header>
<main id="main" tabindex="-1">${o.body}</main>
${o.script ? html`<script nonce="${o.nonce}">${raw(o.script)}</script>` : ''}
</body>
</html>`.value;
}
