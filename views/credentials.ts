// The "Access keys" page for one account role (docs/portal.md): the answers `aws configure sso`
// asks for and a ready `~/.aws/config` block, then the short-term credentials as environment
// variables (one tab per system), a credentials-file profile and single values. Every value is
// escaped by `html`; the scripts read the text of the block a button names, so no value is ever
// written into script. Each copy button is named for what it copies, and "Copied" is announced
// through a live region (WCAG 2.2 4.1.3 Status Messages).
import type { RoleCredentials } from '../access/credential-cache.ts';
import type { Account } from '../model/types.ts';
import { html, raw, type SafeHtml } from './html.ts';
import { layout } from './layout.ts';
import { tabs, TABS_SCRIPT } from './os-tabs.ts';

/** The sso-session name the config block and the `aws configure sso` answers use. */
export const SSO_SESSION_NAME = 'gatehouse';

const COPY_SCRIPT = `
const status = document.getElementById('copy-status');
for (const button of document.querySelectorAll('button[data-copy]')) {
  button.addEventListener('click', async () => {
    const source = document.getElementById(button.dataset.copy);
    try {
      await navigator.clipboard.writeText(source.textContent);
    } catch {
      // No clipboard permission or an older browser: select the text and use the legacy command.
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      document.execCommand('copy');
    }
    button.textContent = 'Copied';
    status.textContent = 'Copied ' + button.dataset.what;
    setTimeout(() => { button.textContent = 'Copy'; }, 2000);
  });
}
const expiry = document.querySelector('time[data-expiry]');
if (expiry) {
  const at = new Date(expiry.getAttribute('datetime'));
  expiry.textContent = at.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
  const left = document.getElementById('expires-in');
  const tick = () => { left.textContent = '(' + expiresIn(at.getTime() - Date.now()) + ')'; };
  tick();
  setInterval(tick, 30000);
}
`;

/** The page script's copy of expiresIn below (kept as text: a compiled function's source may differ). */
const EXPIRES_IN_SCRIPT = `
function expiresIn(ms) {
  if (ms <= 0) return 'expired';
  const minutes = Math.floor(ms / 60000);
  if (minutes < 1) return 'expires in less than a minute';
  if (minutes < 60) return 'expires in ' + minutes + ' min';
  return 'expires in ' + Math.floor(minutes / 60) + ' h ' + (minutes % 60) + ' min';
}
`;

/** "expires in 59 min" from the milliseconds left (EXPIRES_IN_SCRIPT says the same in the browser). */
export function expiresIn(ms: number): string {
  if (ms <= 0) return 'expired';
  const minutes = Math.floor(ms / 60000);
  if (minutes < 1) return 'expires in less than a minute';
  if (minutes < 60) return `expires in ${minutes} min`;
  return `expires in ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const STYLE = `
.credentials h2{margin-top:0}
.credentials h3{margin:1.5rem 0 .4rem;font-size:1.05rem}
.credentials h4{margin:.9rem 0 .3rem;font-size:.95rem;color:#414d5c}
.copyable{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-start}
.copyable pre,.copyable code.value{flex:1 1 16rem;margin:0;min-width:0}
code.value{background:#f2f3f3;padding:.35rem .5rem;border-radius:4px;word-break:break-all;display:block}
button.copy{background:#fff;border:1px solid #0753a5;color:#0753a5;font-weight:600;padding:.3rem .8rem;white-space:nowrap}
dl.values dt{font-weight:600;margin-top:.6rem}
dl.values dd{margin:.25rem 0 0}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
[role=tablist]{display:flex;flex-wrap:wrap;gap:.25rem;border-bottom:1px solid #687078;margin:.5rem 0 .75rem}
[role=tab]{background:#fff;color:#0753a5;border:1px solid #687078;border-bottom:0;border-radius:4px 4px 0 0;font-weight:600}
[role=tab][aria-selected=true]{background:#0753a5;color:#fff}
.tabbed .panel-heading{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
`;

export interface CredentialsPageInput {
  nonce: string;
  userName: string;
  csrfToken: string;
  account: Pick<Account, 'accountId' | 'name'>;
  roleName: string;
  /** Gatehouse's public URL: `<baseUrl>/start` is the start URL, `<baseUrl>` the SSO endpoints. */
  baseUrl: string;
  region: string;
  /** For "expires in …" before the page script takes over. */
  now: Date;
  credentials?: RoleCredentials;
  /** Shown instead of credentials when they could not be issued. */
  error?: string;
  /** A navigation from another site: ask for a click before minting anything. */
  confirm?: boolean;
}

const copyable = (id: string, what: string, text: string, block = true): SafeHtml =>
  html`<div class="copyable">${block ? html`<pre id="${id}">${text}</pre>` : html`<code class="value" id="${id}">${text}</code>`}<button type="button" class="copy" data-copy="${id}" data-what="${what}" aria-label="Copy ${what}">Copy</button></div>`;

/** The `~/.aws/config` block for this account and role; comments on lines of their own (docs/aws-cli.md). */
export function awsConfigBlock(o: { baseUrl: string; region: string; accountId: string; roleName: string }): string {
  return [
    `[sso-session ${SSO_SESSION_NAME}]`,
    `sso_start_url = ${o.baseUrl}/start`,
    `sso_region = ${o.region}`,
    'sso_registration_scopes = sso:account:access',
    '',
    '# Sends the CLI\'s sign-in and credential calls to Gatehouse (AWS CLI 2.13 or later)',
    `[services ${SSO_SESSION_NAME}]`,
    'sso_oidc =',
    `  endpoint_url = ${o.baseUrl}`,
    'sso =',
    `  endpoint_url = ${o.baseUrl}`,
    '',
    `[profile ${o.roleName}-${o.accountId}]`,
    `sso_session = ${SSO_SESSION_NAME}`,
    `sso_account_id = ${o.accountId}`,
    '# sso_role_name is the permission set\'s name',
    `sso_role_name = ${o.roleName}`,
    `region = ${o.region}`,
    `services = ${SSO_SESSION_NAME}`,
  ].join('\n');
}

function recommended(o: CredentialsPageInput): SafeHtml {
  const profile = `${o.roleName}-${o.account.accountId}`;
  return html`<h3>Recommended: credentials that refresh themselves</h3>
<p>Run <code>aws configure sso</code> (AWS CLI 2.13 or later) and give it these answers:</p>
<dl class="values">
<dt>SSO session name</dt><dd>${copyable('sso-session', 'SSO session name', SSO_SESSION_NAME, false)}</dd>
<dt>SSO start URL</dt><dd>${copyable('start-url', 'SSO start URL', `${o.baseUrl}/start`, false)}</dd>
<dt>SSO region</dt><dd>${copyable('sso-region', 'SSO region', o.region, false)}</dd>
<dt>SSO registration scopes</dt><dd>${copyable('sso-scopes', 'SSO registration scopes', 'sso:account:access', false)}</dd>
</dl>
<p>Or skip the questions: paste this block into <code>~/.aws/config</code> (Windows: <code>%USERPROFILE%\\.aws\\config</code>). Its <code>[services ${SSO_SESSION_NAME}]</code> section sends the CLI's sign-in to Gatehouse; after <code>aws configure sso</code>, add that section and <code>services = ${SSO_SESSION_NAME}</code> to the profile it wrote. Then sign in with <code>aws sso login --profile ${profile}</code>.</p>
${copyable('aws-config', `~/.aws/config block for ${o.roleName}`, awsConfigBlock({ baseUrl: o.baseUrl, region: o.region, accountId: o.account.accountId, roleName: o.roleName }))}`;
}

function shortTerm(o: CredentialsPageInput, c: RoleCredentials): SafeHtml {
  const at = c.expiration;
  return html`<h3>Short-term credentials</h3>
<p id="expiry">These credentials expire at <time data-expiry datetime="${at.toISOString()}">${at.toISOString().slice(0, 16).replace('T', ' ')} UTC</time> <span id="expires-in">(${expiresIn(at.getTime() - o.now.getTime())})</span>.</p>
<h4>As environment variables</h4>
${tabs('env', 'Your system', [
  { id: 'bash', label: 'macOS and Linux', content: copyable('env-bash', 'macOS and Linux commands', `export AWS_ACCESS_KEY_ID="${c.accessKeyId}"\nexport AWS_SECRET_ACCESS_KEY="${c.secretAccessKey}"\nexport AWS_SESSION_TOKEN="${c.sessionToken}"`) },
  { id: 'cmd', label: 'Windows', content: copyable('env-cmd', 'Windows command prompt commands', `set AWS_ACCESS_KEY_ID=${c.accessKeyId}\nset AWS_SECRET_ACCESS_KEY=${c.secretAccessKey}\nset AWS_SESSION_TOKEN=${c.sessionToken}`) },
  { id: 'powershell', label: 'PowerShell', content: copyable('env-powershell', 'PowerShell commands', `$Env:AWS_ACCESS_KEY_ID="${c.accessKeyId}"\n$Env:AWS_SECRET_ACCESS_KEY="${c.secretAccessKey}"\n$Env:AWS_SESSION_TOKEN="${c.sessionToken}"`) },
])}
<h4>As a profile in your AWS credentials file</h4>
<p class="muted">Paste into <code>~/.aws/credentials</code> (Windows: <code>%USERPROFILE%\\.aws\\credentials</code>).</p>
${copyable('profile', 'credentials file profile', `[${o.account.accountId}_${o.roleName}]\naws_access_key_id=${c.accessKeyId}\naws_secret_access_key=${c.secretAccessKey}\naws_session_token=${c.sessionToken}`)}
<h4>As single values</h4>
<dl class="values">
<dt>AWS access key ID</dt><dd>${copyable('value-access-key-id', 'AWS access key ID', c.accessKeyId, false)}</dd>
<dt>AWS secret access key</dt><dd>${copyable('value-secret-access-key', 'AWS secret access key', c.secretAccessKey, false)}</dd>
<dt>AWS session token</dt><dd>${copyable('value-session-token', 'AWS session token', c.sessionToken, false)}</dd>
</dl>`;
}

export function credentialsPage(o: CredentialsPageInput): string {
  const c = o.credentials;
  const title = `Get credentials for ${o.roleName}`;
  const body = html`<style nonce="${o.nonce}">${raw(STYLE)}</style>
<div class="card credentials">
<h2 id="dialog-title">${title}</h2>
<p class="muted">Account ${o.account.name ? html`<strong>${o.account.name}</strong> (${o.account.accountId})` : o.account.accountId}</p>
<p id="copy-status" class="visually-hidden" role="status" aria-live="polite"></p>
${
  o.confirm
    ? html`<form method="post" action="/start/credentials"><input type="hidden" name="csrf" value="${o.csrfToken}"><input type="hidden" name="accountId" value="${o.account.accountId}"><input type="hidden" name="permissionSet" value="${o.roleName}"><p>You followed a link from another site. Get access keys for ${o.roleName} in account ${o.account.accountId}?</p><p><button type="submit" id="confirm-credentials">Show access keys</button></p></form>`
    : html`${recommended(o)}
${c ? shortTerm(o, c) : html`<div class="error" id="credentials-error" role="alert">${o.error ?? 'No credentials could be issued.'}</div>`}`
}
<p><a href="/start">Back to the AWS accounts</a></p>
</div>`;
  return layout({ title, nonce: o.nonce, signedIn: { userName: o.userName, csrfToken: o.csrfToken }, body, script: `${EXPIRES_IN_SCRIPT}\n${TABS_SCRIPT}\n${COPY_SCRIPT}` });
}
