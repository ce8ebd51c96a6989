// A person's sign-in devices through the portal's "Sign-in security" tab, and an administrator's
// view of them through the admin API (docs/mfa.md): add an authenticator app, rename, remove (the
// last one only while MFA is off), new recovery codes replacing the old; a removed device and a
// replayed code no longer sign in; an administrator lists, removes and resets, audited.
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { AuthenticatorApp, MFA_ON, recoveryCodesOnPage, secretOnPage, signInRegisteringApp, signInWithCode } from '../support/mfa.ts';
import { hiddenFields, PortalClient } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';

describe('Sign-in security: devices, recovery codes, administrator reset', function () {
  this.timeout(60_000);
  let gh: TestGatehouse;
  let org: SeededOrg;

  before(async () => {
    gh = await startGatehouse({ mfa: MFA_ON });
    org = await seedOrganization(gh.services, { users: [{ userName: 'alice' }, { userName: 'bob' }, { userName: 'carol' }] });
  });
  after(async () => gh?.close());

  const passwordOf = (name: string) => org.users[name]!.password;
  const nextStep = () => gh.clock.advanceSeconds(30);

  /** Adds an authenticator app from the signed-in browser's Sign-in security tab. */
  async function addApp(browser: PortalClient, name: string) {
    const page = await browser.request('GET', '/start/security/add-app');
    expect(page.status).to.equal(200);
    const app = new AuthenticatorApp(secretOnPage(page.text), gh.clock);
    const added = await browser.request('POST', '/start/security/apps', { ...hiddenFields(page.text), code: app.code(), name });
    return { app, added };
  }

  it('adds a second app, renames it, removes one; the last device stays while sign-in requires one; a removed device no longer signs in', async () => {
    const browser = new PortalClient(gh.baseUrl);
    const { app: phone } = await signInRegisteringApp(browser, 'alice', passwordOf('alice'), gh.clock, 'Phone');
    const list = await browser.request('GET', '/start/security');
    expect(list.status).to.equal(200);
    expect(list.text).to.include('Phone').and.include('Authenticator app');
    expect(list.text).to.include('id="last-device-note"');

    // A wrong code is refused on the page and nothing is added.
    const page = await browser.request('GET', '/start/security/add-app');
    const wrong = await browser.request('POST', '/start/security/apps', { ...hiddenFields(page.text), code: '000000', name: 'Tablet' });
    expect(wrong.status).to.equal(400);
    expect(wrong.text).to.include('did not match');
    // An offer sealed for another session is refused.
    const other = new PortalClient(gh.baseUrl);
    await signInWithCode(other, 'alice', passwordOf('alice'), (nextStep(), phone.code()));
    const stolen = await other.request('POST', '/start/security/apps', { csrf: hiddenFields((await other.request('GET', '/start/security')).text).csrf!, offer: hiddenFields(page.text).offer!, code: '123456', name: 'x' });
    expect(stolen.status).to.equal(400);
    expect(stolen.text).to.include('This form expired');

    const { added, app: tablet } = await addApp(browser, 'Tablet');
    expect([added.status, added.location]).to.deep.equal([303, '/start/security?done=added']);
    let devices = (await gh.api('GET', `/users/${org.users.alice!.id}/mfa-devices`)).body.items as { id: string; name: string; kind: string }[];
    expect(devices.map((d) => d.name)).to.deep.equal(['Phone', 'Tablet']);
    expect(devices.every((d) => d.kind === 'totp')).to.equal(true);
    expect(JSON.stringify(devices)).to.not.match(/secret/i);

    const listed = await browser.request('GET', '/start/security');
    const renamed = await browser.request('POST', `/start/security/devices/${devices[1]!.id}/rename`, { csrf: browser.csrf(), name: 'Work tablet' });
    expect(renamed.location).to.equal('/start/security?done=renamed');
    expect(listed.text).to.include(`/start/security/devices/${devices[0]!.id}/remove`);
    // Without the session's CSRF token nothing happens.
    expect((await browser.request('POST', `/start/security/devices/${devices[0]!.id}/remove`, { csrf: 'forged' })).status).to.equal(403);
    await browser.request('GET', '/start/security');
    const removed = await browser.request('POST', `/start/security/devices/${devices[0]!.id}/remove`, { csrf: browser.csrf() });
    expect(removed.location).to.equal('/start/security?done=removed');
    devices = (await gh.api('GET', `/users/${org.users.alice!.id}/mfa-devices`)).body.items;
    expect(devices.map((d) => d.name)).to.deep.equal(['Work tablet']);

    // The last one stays while sign-in requires a device.
    const kept = await browser.request('GET', '/start/security');
    expect(kept.text).to.not.include(`/start/security/devices/${devices[0]!.id}/remove`);
    const refused = await browser.request('POST', `/start/security/devices/${devices[0]!.id}/remove`, { csrf: browser.csrf() });
    expect(refused.status).to.equal(409);
    expect(refused.text).to.include('only sign-in device');

    // The removed phone's code no longer signs in; the tablet's does.
    nextStep();
    const withRemoved = await signInWithCode(new PortalClient(gh.baseUrl), 'alice', passwordOf('alice'), phone.code());
    expect(withRemoved.status).to.equal(401);
    expect(withRemoved.text).to.include('That code did not work');
    const withTablet = await signInWithCode(new PortalClient(gh.baseUrl), 'alice', passwordOf('alice'), tablet.code());
    expect([withTablet.status, withTablet.location]).to.deep.equal([303, '/start']);
  });

  it('refuses a replayed code: the same code twice in its time step signs in once', async () => {
    const { app } = await signInRegisteringApp(new PortalClient(gh.baseUrl), 'bob', passwordOf('bob'), gh.clock);
    nextStep();
    const code = app.code();
    const first = await signInWithCode(new PortalClient(gh.baseUrl), 'bob', passwordOf('bob'), code);
    expect(first.status).to.equal(303);
    const replayed = await signInWithCode(new PortalClient(gh.baseUrl), 'bob', passwordOf('bob'), code);
    expect(replayed.status).to.equal(401);
    expect(replayed.text).to.include('That code did not work');
    const events = await gh.api('GET', '/audit?action=mfa.failure');
    expect(events.body.items.map((e: any) => e.detail.reason)).to.include('replayed-code');
  });

  it('gives new recovery codes that replace the old ones; each signs in once', async () => {
    const browser = new PortalClient(gh.baseUrl);
    const { recoveryCodes: first } = await signInRegisteringApp(browser, 'carol', passwordOf('carol'), gh.clock);
    expect(first).to.have.length(10);
    await browser.request('GET', '/start/security');
    const renewed = await browser.request('POST', '/start/security/recovery-codes', { csrf: browser.csrf() });
    expect(renewed.status).to.equal(200);
    expect(renewed.headers.get('cache-control')).to.include('no-store');
    const second = recoveryCodesOnPage(renewed.text);
    expect(second).to.have.length(10);
    expect(second.some((c) => first.includes(c))).to.equal(false);

    const old = await signInWithCode(new PortalClient(gh.baseUrl), 'carol', passwordOf('carol'), first[0]!);
    expect(old.status).to.equal(401);
    const good = await signInWithCode(new PortalClient(gh.baseUrl), 'carol', passwordOf('carol'), second[0]!.toUpperCase());
    expect([good.status, good.location]).to.deep.equal([303, '/start']);
    const again = await signInWithCode(new PortalClient(gh.baseUrl), 'carol', passwordOf('carol'), second[0]!);
    expect(again.status).to.equal(401);
    expect((await gh.api('GET', `/users/${org.users.carol!.id}/mfa-devices`)).body.recoveryCodesLeft).to.equal(9);
  });

  it('lets an administrator remove a device and reset a user\'s MFA, audited; the next sign-in registers anew', async () => {
    const dave = await gh.api('POST', '/users', { userName: 'dave', displayName: 'Dave', password: 'dave-password-123' });
    expect(dave.status).to.equal(201);
    const browser = new PortalClient(gh.baseUrl);
    await signInRegisteringApp(browser, 'dave', 'dave-password-123', gh.clock);
    nextStep();
    await addApp(browser, 'Second');
    const devices = (await gh.api('GET', `/users/${dave.body.id}/mfa-devices`)).body.items as { id: string }[];
    expect(devices).to.have.length(2);
    expect((await gh.api('DELETE', `/users/${dave.body.id}/mfa-devices/${devices[0]!.id}`)).status).to.equal(204);
    expect((await gh.api('DELETE', `/users/${dave.body.id}/mfa-devices/${devices[0]!.id}`)).status).to.equal(404);
    const reset = await gh.api('POST', `/users/${dave.body.id}/mfa-reset`);
    expect(reset.body).to.deep.equal({ devicesRemoved: 1 });
    expect((await gh.api('GET', `/users/${dave.body.id}/mfa-devices`)).body).to.deep.equal({ items: [], recoveryCodesLeft: 0 });
    expect((await gh.api('POST', '/users/no-such-user/mfa-reset')).status).to.equal(404);
    const audit = await gh.api('GET', '/audit?action=mfa.reset');
    expect(audit.body.items[0]).to.deep.include({ target: `user/${dave.body.id}` });
    expect(audit.body.items[0].actorName).to.equal('admin');
    // The next sign-in offers registration again.
    const login = await new PortalClient(gh.baseUrl).signIn('dave', 'dave-password-123');
    expect(login.location).to.equal('/start/mfa');
  });

  it('lets the last device go while MFA is off', async () => {
    const token = await gh.adminToken();
    expect((await gh.api('PATCH', '/instance', { mfa: { mode: 'never' } }, token)).body.mfa).to.deep.equal({ ...MFA_ON, mode: 'never' });
    try {
      const erin = await gh.api('POST', '/users', { userName: 'erin', displayName: 'Erin', password: 'erin-password-123' });
      const browser = new PortalClient(gh.baseUrl);
      expect((await browser.signIn('erin', 'erin-password-123')).location).to.equal('/start');
      const list = await browser.request('GET', '/start/security');
      expect(list.text).to.include('id="no-devices"');
      const { added } = await addApp(browser, 'Phone');
      // The first device comes with recovery codes, shown once.
      expect(added.status).to.equal(200);
      expect(recoveryCodesOnPage(added.text)).to.have.length(10);
      const [device] = (await gh.api('GET', `/users/${erin.body.id}/mfa-devices`)).body.items as { id: string }[];
      await browser.request('GET', '/start/security');
      const removed = await browser.request('POST', `/start/security/devices/${device!.id}/remove`, { csrf: browser.csrf() });
      expect(removed.location).to.equal('/start/security?done=removed');
      expect((await gh.api('GET', `/users/${erin.body.id}/mfa-devices`)).body).to.deep.equal({ items: [], recoveryCodesLeft: 0 });
    } finally {
      await gh.api('PATCH', '/instance', { mfa: MFA_ON }, token);
    }
    expect((await gh.api('PATCH', '/instance', { mfa: { allowedFactors: [] } }, token)).status).to.equal(400);
    expect((await gh.api('PATCH', '/instance', { mfa: { mode: 'sometimes' } }, token)).status).to.equal(400);
    expect((await gh.api('GET', '/instance', undefined, token)).body.mfa).to.deep.equal(MFA_ON);
  });
});
