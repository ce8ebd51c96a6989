// The portal's "Access keys" page through HTTP, as a browser uses it: the role's button posts with
// the session's CSRF token and is sent on to the page's own address (so a reload does not resubmit);
// the page shows the credentials in every format, escaped, and what `aws configure sso` asks.
import { GetRoleCredentialsCommand } from '@aws-sdk/client-sso';
import { expect } from 'chai';
import { PortalClient } from '../support/portal-client.ts';
import { PROD, SANDBOX, startPortalApiWorld, type PortalApiWorld } from './portal-api-fixtures.ts';

const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
/** The text of the element with this id (pre or code), entities decoded. */
const textOf = (page: string, id: string) => {
  const m = new RegExp(`<(pre|code)[^>]* id="${id}">([\\s\\S]*?)</\\1>`).exec(page);
  if (!m) throw new Error(`no #${id} on the page`);
  return decode(m[2]!);
};

describe('portal Access keys dialog', function () {
  let w: PortalApiWorld;
  let browser: PortalClient;

  beforeEach(async () => {
    w = await startPortalApiWorld();
    browser = new PortalClient(w.gh.baseUrl);
    await browser.signIn('alice', w.org.users.alice!.password);
  });
  afterEach(async () => {
    await w.close();
  });

  const open = async (accountId: string, permissionSet: string, csrf?: string) => {
    await browser.request('GET', '/start');
    const posted = await browser.request('POST', '/start/credentials', { csrf: csrf ?? browser.csrf(), accountId, permissionSet });
    if (posted.status !== 303) return posted;
    expect(posted.location).to.equal(`/start/credentials?account_id=${accountId}&role_name=${encodeURIComponent(permissionSet)}`);
    return browser.request('GET', posted.location!);
  };

  it('offers Access keys on every role, and shows the start URL, region and the credentials in four formats', async () => {
    const home = await browser.request('GET', '/start');
    expect(home.text.match(/data-access-keys="[^"]+"/g)).to.deep.equal([
      'data-access-keys="ReadOnly"', // Development
      'data-access-keys="AdministratorAccess"', // Production
      'data-access-keys="ReadOnly"',
    ]);

    const page = await open(PROD, 'AdministratorAccess');
    expect(page.status).to.equal(200);
    expect(page.headers.get('cache-control')).to.equal('no-store');
    const csp = page.headers.get('content-security-policy')!;
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1]!;
    expect(page.text).to.include(`<script nonce="${nonce}">`);
    expect(page.text).to.not.match(/\son[a-z]+=/i);

    const issued = w.sts.calls[0]!.outcome as { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string };
    const { accessKeyId: ak, secretAccessKey: sk, sessionToken: st } = issued;
    expect(page.text).to.include('Get credentials for AdministratorAccess');
    expect(textOf(page.text, 'start-url')).to.equal(`${w.gh.baseUrl}/start`);
    expect(textOf(page.text, 'sso-region')).to.equal('us-east-1');
    expect(textOf(page.text, 'env-bash')).to.equal(`export AWS_ACCESS_KEY_ID="${ak}"\nexport AWS_SECRET_ACCESS_KEY="${sk}"\nexport AWS_SESSION_TOKEN="${st}"`);
    expect(textOf(page.text, 'env-cmd')).to.equal(`set AWS_ACCESS_KEY_ID=${ak}\nset AWS_SECRET_ACCESS_KEY=${sk}\nset AWS_SESSION_TOKEN=${st}`);
    expect(textOf(page.text, 'env-powershell')).to.equal(`$Env:AWS_ACCESS_KEY_ID="${ak}"\n$Env:AWS_SECRET_ACCESS_KEY="${sk}"\n$Env:AWS_SESSION_TOKEN="${st}"`);
    expect(textOf(page.text, 'profile')).to.equal(`[${PROD}_AdministratorAccess]\naws_access_key_id=${ak}\naws_secret_access_key=${sk}\naws_session_token=${st}`);
    expect(textOf(page.text, 'value-access-key-id')).to.equal(ak);
    expect(textOf(page.text, 'value-secret-access-key')).to.equal(sk);
    expect(textOf(page.text, 'value-session-token')).to.equal(st);
    expect(page.text).to.include(`datetime="${new Date(issued.expiration).toISOString()}"`);
    // Each copy button is named for what it copies.
    const labels = [...page.text.matchAll(/<button type="button" class="copy" data-copy="[\w-]+" data-what="[^"]*" aria-label="([^"]+)"/g)].map((m) => decode(m[1]!));
    expect(labels).to.include.members(['Copy SSO start URL', 'Copy macOS and Linux commands', 'Copy Windows command prompt commands', 'Copy PowerShell commands', 'Copy AWS secret access key', `Copy ~/.aws/config block for AdministratorAccess`]);
    expect(new Set(labels).size).to.equal(labels.length);
    // A config block for this account and role, pointing the CLI at Gatehouse, comments on their own lines.
    const config = textOf(page.text, 'aws-config');
    expect(config).to.include(`sso_start_url = ${w.gh.baseUrl}/start\nsso_region = us-east-1`);
    expect(config).to.include(`sso_oidc =\n  endpoint_url = ${w.gh.baseUrl}\nsso =\n  endpoint_url = ${w.gh.baseUrl}`);
    expect(config).to.include(`[profile AdministratorAccess-${PROD}]\nsso_session = gatehouse\nsso_account_id = ${PROD}`);
    for (const line of config.split('\n')) expect(line, 'a comment on a value line becomes part of the value').to.not.match(/^[^#;].*[#;]/);
    expect(page.text).to.match(/\((expires in 59 min|expires in 1 h 59 min)\)/);
    expect(w.sts.calls[0]!.durationSeconds).to.equal(7200);

    // The dialog and the CLI share the user's cache entry: no second STS call either way.
    expect(textOf((await open(PROD, 'AdministratorAccess')).text, 'value-access-key-id')).to.equal(ak);
    const { accessToken } = await w.tokenFor('alice');
    const { roleCredentials } = await w.sso().send(new GetRoleCredentialsCommand({ accessToken, accountId: PROD, roleName: 'AdministratorAccess' }));
    expect(roleCredentials!.accessKeyId).to.equal(ak);
    expect(w.sts.hits).to.equal(1);
  });

  it('issues nothing without the session CSRF token, from a link on another site, or without a session', async () => {
    for (const csrf of ['', 'wrong-token']) {
      const res = await open(PROD, 'AdministratorAccess', csrf);
      expect(res.status).to.equal(403);
      expect(res.text).to.not.match(/ASIA/);
    }
    const crossSite = await fetch(`${w.gh.baseUrl}/start/credentials?account_id=${PROD}&role_name=AdministratorAccess`, {
      headers: { cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'sec-fetch-site': 'cross-site' },
    });
    const confirm = await crossSite.text();
    expect(confirm).to.include('id="confirm-credentials"').and.not.match(/ASIA/);
    const stranger = new PortalClient(w.gh.baseUrl);
    const anonymous = await stranger.request('POST', '/start/credentials', { csrf: 'x', accountId: PROD, permissionSet: 'AdministratorAccess' });
    expect(anonymous.status).to.equal(303);
    expect(anonymous.location).to.equal(`/start?returnTo=${encodeURIComponent(`/start/credentials?account_id=${PROD}&role_name=AdministratorAccess`)}`);
    expect(w.sts.hits).to.equal(0);
    expect((await w.gh.services.audit.list({ action: 'credentials.issue' })).items).to.have.length(0);
  });

  it("refuses a role the user does not have, in the dialog, and says so", async () => {
    const page = await open(SANDBOX, 'Billing');
    expect(page.status).to.equal(403);
    expect(page.text).to.include('id="credentials-error"').and.include('You are not assigned that role on that account.');
    expect(page.text).to.not.match(/ASIA/);
    expect(w.sts.hits).to.equal(0);
  });

  it('shows what STS said when it refuses, and escapes every value on the page', async () => {
    await w.gh.services.accounts.update(PROD, { name: '<img src=x onerror=alert(1)>&"Prod"' }, 'test');
    w.sts.mode({ kind: 'error', status: 403, code: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithSAML <b>now</b>' });
    const refused = await open(PROD, 'AdministratorAccess');
    expect(refused.status).to.equal(403);
    expect(refused.text).to.include('AccessDenied: Not authorized to perform sts:AssumeRoleWithSAML &lt;b&gt;now&lt;/b&gt;').and.include('trust policy');
    expect(refused.text).to.not.include('<b>now</b>');

    w.sts.mode(null);
    const page = await open(PROD, 'AdministratorAccess');
    expect(page.status).to.equal(200);
    expect(page.text).to.include('&lt;img src=x onerror=alert(1)&gt;&amp;&quot;Prod&quot;');
    expect(page.text).to.not.include('<img src=x');
  });

  it('says clearly when STS cannot be reached', async () => {
    w.sts.mode({ kind: 'hang' });
    const page = await open(PROD, 'AdministratorAccess');
    expect(page.status).to.equal(503);
    expect(page.text).to.include('AWS STS is unavailable (no answer within 1000 ms)');
  });
});
