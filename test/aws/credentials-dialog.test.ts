// The portal's "Access keys" dialog through HTTP, as a browser uses it: only a POST with the
// session's CSRF token issues credentials; the page shows them in every format, escaped.
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
    return browser.request('POST', '/start/credentials', { csrf: csrf ?? browser.csrf(), accountId, permissionSet });
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
    expect(page.text.match(/<button type="button" class="copy" data-copy="[\w-]+"/g)).to.have.length(9);
    expect(w.sts.calls[0]!.durationSeconds).to.equal(7200);

    // The dialog and the CLI share the user's cache entry: no second STS call either way.
    expect(textOf((await open(PROD, 'AdministratorAccess')).text, 'value-access-key-id')).to.equal(ak);
    const { accessToken } = await w.tokenFor('alice');
    const { roleCredentials } = await w.sso().send(new GetRoleCredentialsCommand({ accessToken, accountId: PROD, roleName: 'AdministratorAccess' }));
    expect(roleCredentials!.accessKeyId).to.equal(ak);
    expect(w.sts.hits).to.equal(1);
  });

  it('issues nothing without the session CSRF token, on GET, or without a session', async () => {
    for (const csrf of ['', 'wrong-token']) {
      const res = await open(PROD, 'AdministratorAccess', csrf);
      expect(res.status).to.equal(403);
      expect(res.text).to.not.match(/ASIA/);
    }
    const get = await browser.request('GET', `/start/credentials?accountId=${PROD}&permissionSet=AdministratorAccess`);
    expect(get.status).to.not.equal(200);
    const stranger = new PortalClient(w.gh.baseUrl);
    const anonymous = await stranger.request('POST', '/start/credentials', { csrf: 'x', accountId: PROD, permissionSet: 'AdministratorAccess' });
    expect(anonymous.status).to.equal(303);
    expect(anonymous.location).to.equal('/start');
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
