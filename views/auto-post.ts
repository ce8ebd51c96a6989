// The page that carries a SAMLResponse to its destination (SAML bindings §3.5, HTTP-POST): the
// form submits itself; without script, the person presses Continue.
import { html } from './html.ts';
import { layout } from './layout.ts';

export function autoPostPage(o: { nonce: string; action: string; fields: Record<string, string>; title?: string }): string {
  return layout({
    title: o.title ?? 'Signing in',
    nonce: o.nonce,
    body: html`<div class="card"><p>Signing you in…</p>
<form method="post" action="${o.action}" id="saml-post">
${Object.entries(o.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<noscript><button type="submit">Continue</button></noscript>
</form></div>`,
    script: `document.getElementById('saml-post').submit();`,
  });
}
