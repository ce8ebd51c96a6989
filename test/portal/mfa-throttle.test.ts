// Wrong second-factor codes count toward the same throttle as wrong passwords (docs/mfa.md
// "Signing in", docs/portal.md "Failed sign-ins"): per user name (10 in 15 minutes, passwords and
// codes together) and per client address (100), so guessing codes buys nothing that guessing
// passwords does not. Addresses come from X-Forwarded-For (TRUST_PROXY=true).
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { MFA_ON, signInRegisteringApp, type AuthenticatorApp } from '../support/mfa.ts';
import { hiddenFields, PortalClient } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';

describe('second-factor codes and the sign-in throttle', function () {
  this.timeout(120_000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  const people = Array.from({ length: 11 }, (_, i) => `person${i}`);
  const apps = new Map<string, AuthenticatorApp>();

  before(async () => {
    gh = await startGatehouse({ mfa: MFA_ON, env: { TRUST_PROXY: 'true' } });
    org = await seedOrganization(gh.services, { users: [{ userName: 'alice' }, ...people.map((userName) => ({ userName }))] });
    for (const name of ['alice', ...people]) {
      const browser = from(`10.0.0.${200 + apps.size}`);
      apps.set(name, (await signInRegisteringApp(browser, name, org.users[name]!.password, gh.clock)).app);
    }
    gh.clock.advanceSeconds(30);
  });
  after(async () => gh?.close());

  const from = (address: string) => {
    const browser = new PortalClient(gh.baseUrl);
    browser.headers['x-forwarded-for'] = address;
    return browser;
  };
  /** The password step, leaving the browser on the second step; returns its CSRF token. */
  async function toSecondStep(browser: PortalClient, userName: string): Promise<string> {
    const login = await browser.signIn(userName, org.users[userName]!.password);
    expect(login.location, login.text.slice(0, 300)).to.equal('/start/mfa');
    return hiddenFields((await browser.request('GET', '/start/mfa')).text).csrf!;
  }
  const wrongCode = (app: AuthenticatorApp) => String((Number(app.code()) + 500_000) % 1_000_000).padStart(6, '0');

  it('counts wrong codes with wrong passwords per user: five of each, then even the right password and code are refused', async () => {
    for (let i = 0; i < 5; i++) expect((await from('10.1.0.1').signIn('alice', 'not the password')).status).to.equal(401);
    const browser = from('10.1.0.2');
    const csrf = await toSecondStep(browser, 'alice');
    for (let i = 0; i < 5; i++) {
      const wrong = await browser.request('POST', '/start/mfa', { csrf, code: wrongCode(apps.get('alice')!) });
      expect(wrong.status).to.equal(401);
    }
    // Ten failures for alice: the next code, right or not, is refused with the wait.
    const right = await browser.request('POST', '/start/mfa', { csrf, code: apps.get('alice')!.code() });
    expect(right.status).to.equal(429);
    expect(right.text).to.include('Too many attempts');
    expect(right.headers.get('retry-after')).to.match(/^\d+$/);
    expect(browser.cookies.has('gh_session')).to.equal(false);
    // And so is the right password from anywhere.
    const again = await from('10.1.0.3').signIn('alice', org.users.alice!.password);
    expect(again.status).to.equal(429);
    expect((await gh.api('GET', `/users/${org.users.alice!.id}/sign-in-state`)).body.state).to.equal('throttled');
  });

  it('counts wrong codes per address: 100 from one address stop everyone there, not elsewhere', async () => {
    const address = '10.2.0.1';
    // Ten people, ten wrong codes each (each person's own limit is reached, too).
    for (const name of people.slice(0, 10)) {
      const browser = from(address);
      const csrf = await toSecondStep(browser, name);
      for (let i = 0; i < 10; i++) expect((await browser.request('POST', '/start/mfa', { csrf, code: wrongCode(apps.get(name)!) })).status).to.equal(401);
    }
    const last = people[10]!;
    const there = await from(address).signIn(last, org.users[last]!.password);
    expect(there.status).to.equal(429);
    const elsewhere = from('10.2.0.2');
    const csrf = await toSecondStep(elsewhere, last);
    const ok = await elsewhere.request('POST', '/start/mfa', { csrf, code: apps.get(last)!.code() });
    expect([ok.status, ok.location]).to.deep.equal([303, '/start']);
  });
});
