// MFA for people from LDAP (docs/mfa.md "The policy"): with OpenLDAP (slapd) as the identity
// source, a directory user's password leads to the same second step as a built-in user's; they
// register an authenticator app, sign in with its codes, and an administrator sees and resets
// their devices. The directory's password never stands in for the second factor.
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { openLdapSettings, passwordOf } from '../support/ldap-seed/fixtures.ts';
import { MFA_ON, signInRegisteringApp, signInWithCode } from '../support/mfa.ts';
import { PortalClient } from '../support/portal-client.ts';
import { startSlapd, type PrivateSlapd } from '../support/slapd.ts';

describe('MFA for LDAP users (slapd)', function () {
  this.timeout(60_000);
  let slapd: PrivateSlapd;
  let gh: TestGatehouse;

  before(async () => {
    slapd = await startSlapd();
    gh = await startGatehouse({ mfa: MFA_ON });
    const settings = openLdapSettings(slapd);
    const put = await gh.api('PUT', '/identity-source', { ...settings });
    expect(put.status, JSON.stringify(put.body)).to.equal(200);
  });
  after(async () => {
    await gh?.close();
    await slapd?.close();
  });

  it('asks an LDAP user for a second factor, registers their app, signs them in with its code, and lets an administrator reset it', async () => {
    const password = await new PortalClient(gh.baseUrl).signIn('alice', passwordOf('alice'));
    expect(password.location).to.equal('/start/mfa');
    const { app, recoveryCodes } = await signInRegisteringApp(new PortalClient(gh.baseUrl), 'alice', passwordOf('alice'), gh.clock);
    expect(recoveryCodes).to.have.length(10);
    const alice = (await gh.api('GET', '/users?name=alice')).body.items.find((u: any) => u.userName === 'alice');
    expect(alice.source).to.equal('ldap');
    expect((await gh.api('GET', `/users/${alice.id}/mfa-devices`)).body.items).to.have.length(1);

    // The directory password again, without the code, opens nothing; with a wrong code neither.
    gh.clock.advanceSeconds(30);
    const wrong = await signInWithCode(new PortalClient(gh.baseUrl), 'alice', passwordOf('alice'), '000000');
    expect(wrong.status).to.equal(401);
    const browser = new PortalClient(gh.baseUrl);
    const good = await signInWithCode(browser, 'alice', passwordOf('alice'), app.code());
    expect([good.status, good.location]).to.deep.equal([303, '/start']);
    expect((await browser.request('GET', '/start/security')).text).to.include('Authenticator app');

    expect((await gh.api('POST', `/users/${alice.id}/mfa-reset`)).body).to.deep.equal({ devicesRemoved: 1 });
    const fresh = new PortalClient(gh.baseUrl);
    await fresh.signIn('alice', passwordOf('alice'));
    const setup = (await fresh.request('GET', '/start/mfa')).text;
    expect(setup).to.include('Set up an authenticator app');
    // A way out for someone who did not mean to sign in as alice: back to the sign-in form.
    expect(setup).to.include('<a href="/start">Cancel and start over</a>');
    expect((await fresh.request('GET', '/start')).text).to.include('name="password"');
  });
});
