// Admin API tokens on an instance where sign-in asks for a second factor (docs/mfa.md "Admin API
// tokens"): the password exchange needs a current authenticator-app code, once; a person with no
// app yet is told where else to get a token; the console mints one from a signed-in session.
import { expect } from 'chai';
import { ADMIN_PASSWORD, startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { MFA_ON, signInRegisteringApp, type AuthenticatorApp } from '../support/mfa.ts';
import { PortalClient } from '../support/portal-client.ts';
import { MFA_OFF } from '../../model/mfa.ts';

describe('admin API tokens with MFA', function () {
  this.timeout(60_000);
  let gh: TestGatehouse;
  before(async () => {
    gh = await startGatehouse({ mfa: MFA_ON });
  });
  after(async () => gh?.close());

  const exchange = (body: Record<string, string>) => gh.api('POST', '/tokens', { userName: 'admin', password: ADMIN_PASSWORD, ...body }, null);

  it('refuses a password alone, says where to get a token, and the console mints one from a signed-in session', async () => {
    const noApp = await exchange({});
    expect(noApp.status).to.equal(401);
    expect(noApp.body.detail).to.include('no authenticator app to send a code from').and.include('/admin/api-token').and.include('npx --no-install gatehouse admin token');

    const browser = new PortalClient(gh.baseUrl);
    const { app } = await signInRegisteringApp(browser, 'admin', ADMIN_PASSWORD, gh.clock);
    const form = await browser.request('GET', '/admin/api-token');
    expect(form.status).to.equal(200);
    expect(form.text).to.include('Create token');
    // Without the session's CSRF token, nothing is minted.
    const forged = await browser.request('POST', '/admin/api-token', { csrf: 'forged' });
    expect(forged.status).to.equal(403);
    expect(forged.text).to.not.match(/gha_/);
    await browser.request('GET', '/admin/api-token');
    const minted = await browser.request('POST', '/admin/api-token', { csrf: browser.csrf() });
    expect(minted.status).to.equal(200);
    const token = /<pre id="api-token">(gha_[\w-]+)<\/pre>/.exec(minted.text)?.[1];
    expect(token, minted.text.slice(0, 400)).to.be.a('string');
    expect((await gh.api('GET', '/users', undefined, token)).status).to.equal(200);
    const audit = await gh.api('GET', '/audit?action=admin-token.issue', undefined, token);
    expect(audit.body.items.map((e: any) => e.detail.via)).to.include('console');
    appOfAdmin = app;
  });

  let appOfAdmin: AuthenticatorApp;

  it('with an app registered: asks for totpCode, refuses a wrong or replayed one, accepts the current one once', async () => {
    const missing = await exchange({});
    expect(missing.status).to.equal(401);
    expect(missing.body.detail).to.include('totpCode');
    // The step the app was registered with is used: the same code is refused.
    const replayedRegistration = await exchange({ totpCode: appOfAdmin.code() });
    expect(replayedRegistration.status).to.equal(401);
    expect(replayedRegistration.body.detail).to.include('totpCode is wrong, already used, or not current');
    gh.clock.advanceSeconds(30);
    const wrong = await exchange({ totpCode: String((Number(appOfAdmin.code()) + 1) % 1_000_000).padStart(6, '0') });
    expect(wrong.status).to.equal(401);
    const recoveryCodeShape = await exchange({ totpCode: 'abcde-fghij' });
    expect(recoveryCodeShape.status).to.equal(401);
    const good = await exchange({ totpCode: appOfAdmin.code() });
    expect(good.status, JSON.stringify(good.body)).to.equal(201);
    expect((await gh.api('GET', '/users', undefined, good.body.token)).status).to.equal(200);
    const again = await exchange({ totpCode: appOfAdmin.code() });
    expect(again.status).to.equal(401);
  });

  it('still asks for the code of a registered app when the policy is off', async () => {
    const token = await gh.adminToken();
    expect((await gh.api('PATCH', '/instance', { mfa: MFA_OFF }, token)).status).to.equal(200);
    try {
      gh.clock.advanceSeconds(30);
      expect((await exchange({})).status).to.equal(401);
      expect((await exchange({ totpCode: appOfAdmin.code() })).status).to.equal(201);
    } finally {
      await gh.api('PATCH', '/instance', { mfa: MFA_ON }, token);
    }
  });
});
