// The "Access keys" dialog for one account role (docs/admin-api.md, "Get credentials for
// {Role}"): the SSO start URL and region for `aws configure sso`, then the short-term credentials
// as environment variables for bash, Windows cmd and PowerShell, as a credentials-file profile,
// and as individual values, each with a copy button. Every value is escaped by `html`; the copy
// script reads the text of the block it names, so no value is ever written into script.
import type { RoleCredentials } from '../access/credential-cache.ts';
import type { Account } from '../model/types.ts';
import { html, raw, type SafeHtml } from './html.ts';
import { layout } from './layout.ts';

const COPY_SCRIPT = `
for (const button of document.querySelectorAll('button[data-copy]')) {
  button.addEventListener('click', async () => {
    const text = document.getElementById(button.dataset.copy).textContent;
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Older browsers or no clipboard permission: select the text and use the legacy command.
      const range = document.createRange();
      range.selectNodeContents(document.getElementById(button.dataset.copy));
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      document.execCommand('copy');
    }
    button.textContent = 'Copied';
    setTimeout(() => { button.textContent = 'Copy'; }, 1500);
  });
}
`;

const STYLE = `
.dialog h2{margin-top:0}
.dialog h3{margin:1.25rem 0 .4rem;font-size:1rem}
.dialog h4{margin:.9rem 0 .3rem;font-size:.95rem;color:#414d5c}
.copyable{display:flex;gap:.5rem;align-items:flex-start}
.copyable pre,.copyable code.value{flex:1;margin:0}
code.value{background:#f2f3f3;padding:.35rem .5rem;border-radius:4px;word-break:break-all;display:block}
button.copy{background:#e9ebed;font-weight:500;padding:.3rem .7rem;white-space:nowrap}
dl.values dt{font-weight:600;margin-top:.6rem}
dl.values dd{margin:.25rem 0 0}
`;

export interface CredentialsPageInput {
  nonce: string;
  userName: string;
  csrfToken: string;
  account: Pick<Account, 'accountId' | 'name'>;
  roleName: string;
  /** `<baseUrl>/start` */
  startUrl: string;
  region: string;
  credentials?: RoleCredentials;
  /** Shown instead of credentials when they could not be issued. */
  error?: string;
}

const copyable = (id: string, text: string, block = true): SafeHtml =>
  html`<div class="copyable">${block ? html`<pre id="${id}">${text}</pre>` : html`<code class="value" id="${id}">${text}</code>`}<button type="button" class="copy" data-copy="${id}" aria-label="Copy">Copy</button></div>`;

export function credentialsPage(o: CredentialsPageInput): string {
  const c = o.credentials;
  const title = `Get credentials for ${o.roleName}`;
  const body = html`<style nonce="${o.nonce}">${raw(STYLE)}</style>
<div class="card dialog" role="dialog" aria-labelledby="dialog-title">
<h2 id="dialog-title">${title}</h2>
<p class="muted">Account ${o.account.name ? html`<strong>${o.account.name}</strong> (${o.account.accountId})` : o.account.accountId}</p>
<h3>AWS IAM Identity Center credentials (Recommended)</h3>
<p>Use <code>aws configure sso</code> (AWS CLI 2.13 or later, see the administrator's setup notes for the endpoint settings) to get credentials that refresh themselves.</p>
<dl class="values">
<dt>SSO start URL</dt><dd>${copyable('start-url', o.startUrl, false)}</dd>
<dt>SSO Region</dt><dd>${copyable('sso-region', o.region, false)}</dd>
</dl>
${
  c
    ? html`<p id="expiry">These short-term credentials expire at <time datetime="${c.expiration.toISOString()}">${c.expiration.toISOString().replace('.000Z', 'Z')}</time>.</p>
<h3>Option 1: Set AWS environment variables</h3>
<h4>macOS and Linux</h4>
${copyable('env-bash', `export AWS_ACCESS_KEY_ID="${c.accessKeyId}"\nexport AWS_SECRET_ACCESS_KEY="${c.secretAccessKey}"\nexport AWS_SESSION_TOKEN="${c.sessionToken}"`)}
<h4>Windows</h4>
${copyable('env-cmd', `set AWS_ACCESS_KEY_ID=${c.accessKeyId}\nset AWS_SECRET_ACCESS_KEY=${c.secretAccessKey}\nset AWS_SESSION_TOKEN=${c.sessionToken}`)}
<h4>PowerShell</h4>
${copyable('env-powershell', `$Env:AWS_ACCESS_KEY_ID="${c.accessKeyId}"\n$Env:AWS_SECRET_ACCESS_KEY="${c.secretAccessKey}"\n$Env:AWS_SESSION_TOKEN="${c.sessionToken}"`)}
<h3>Option 2: Add a profile to your AWS credentials file</h3>
<p class="muted">Paste this into <code>~/.aws/credentials</code> (Windows: <code>%USERPROFILE%\\.aws\\credentials</code>).</p>
${copyable('profile', `[${o.account.accountId}_${o.roleName}]\naws_access_key_id=${c.accessKeyId}\naws_secret_access_key=${c.secretAccessKey}\naws_session_token=${c.sessionToken}`)}
<h3>Option 3: Use individual values in your AWS service client</h3>
<dl class="values">
<dt>AWS access key ID</dt><dd>${copyable('value-access-key-id', c.accessKeyId, false)}</dd>
<dt>AWS secret access key</dt><dd>${copyable('value-secret-access-key', c.secretAccessKey, false)}</dd>
<dt>AWS session token</dt><dd>${copyable('value-session-token', c.sessionToken, false)}</dd>
</dl>`
    : html`<div class="error" id="credentials-error" role="alert">${o.error ?? 'No credentials could be issued.'}</div>`
}
<p><a href="/start">Back to the AWS accounts</a></p>
</div>`;
  return layout({ title, nonce: o.nonce, signedIn: { userName: o.userName, csrfToken: o.csrfToken }, body, script: COPY_SCRIPT });
}
