// MFA in the admin console (docs/mfa.md): a user's sign-in devices, removing one, resetting their
// MFA, and the instance's MFA policy on the Settings page, each a form post with the session's
// CSRF token, audited, and refused without it.
import { expect } from 'chai';
import { ADMIN_PASSWORD, startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { MFA_ON, signInRegisteringApp } from '../support/mfa.ts';
import { PortalClient } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';

describe('admin console: users\' MFA and the MFA policy', function () {
  this.timeout(60_000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let admin: PortalClient;

  before(async () => {
    gh = await startGatehouse({ mfa: MFA_ON });
    org = await seedOrganization(gh.services, { users: [{ userName: 'alice' }] });
    admin = new PortalClient(gh.baseUrl);
    await signInRegisteringApp(admin, 'admin', ADMIN_PASSWORD, gh.clock);
    await signInRegisteringApp(new PortalClient(gh.baseUrl), 'alice', org.users.alice!.password, gh.clock, 'Alice phone');
  });
  after(async () => gh?.close());

  it('lists a user\'s devices, removes one and resets their MFA, audited with the administrator', async () => {
    const alice = org.users.alice!.id;
    const userPage = await admin.request('GET', `/admin/users/${alice}`);
    expect(userPage.text).to.include(`/admin/users/${alice}/mfa`);
    const page = await admin.request('GET', `/admin/users/${alice}/mfa`);
    expect(page.status).to.equal(200);
    expect(page.text).to.include('Alice phone').and.include('Authenticator app').and.include('10 unused recovery codes');
    const deviceId = /\/mfa\/devices\/([^/]+)\/remove/.exec(page.text)![1]!;
    expect((await admin.request('POST', `/admin/users/${alice}/mfa/devices/${deviceId}/remove`, { csrf: 'forged' })).status).to.equal(403);
    expect((await gh.api('GET', `/users/${alice}/mfa-devices`)).body.items).to.have.length(1);
    await admin.request('GET', `/admin/users/${alice}/mfa`);
    const removed = await admin.request('POST', `/admin/users/${alice}/mfa/devices/${deviceId}/remove`, { csrf: admin.csrf() });
    expect(removed.location).to.equal(`/admin/users/${alice}/mfa?done=removed`);
    const after = await admin.request('GET', removed.location!);
    expect(after.text).to.include('The device is removed.').and.include('id="no-devices"').and.include('They register one at their next sign-in.');
    const reset = await admin.request('POST', `/admin/users/${alice}/mfa/reset`, { csrf: admin.csrf() });
    expect(reset.location).to.equal(`/admin/users/${alice}/mfa?done=reset`);
    const events = [...(await gh.api('GET', '/audit?action=mfa.reset')).body.items, ...(await gh.api('GET', '/audit?action=mfa.device-remove')).body.items];
    const mine = events.filter((e: any) => e.target === `user/${alice}`);
    expect(mine.map((e: any) => e.action)).to.include.members(['mfa.reset', 'mfa.device-remove']);
    expect(mine.every((e: any) => e.actorName === 'admin')).to.equal(true);
  });

  it('sets the MFA policy on the Settings page, and refuses a policy with no kind of device', async () => {
    const settings = await admin.request('GET', '/admin/settings');
    expect(settings.text).to.include('Multi-factor authentication').and.include('name="withoutDevice" value="refuse"');
    const saved = await admin.request('POST', '/admin/settings/mfa', { csrf: admin.csrf(), mode: 'every-sign-in', allowedFactors: 'totp', withoutDevice: 'refuse' });
    expect(saved.location).to.equal('/admin/settings?done=saved');
    expect((await gh.services.mfa.policy()).withoutDevice).to.equal('refuse');
    const none = await admin.request('POST', '/admin/settings/mfa', { csrf: admin.csrf(), mode: 'never', withoutDevice: 'register' });
    expect(none.status).to.equal(400);
    expect(none.text).to.include('Not saved.').and.include('allow at least one kind of device');
    expect(await gh.services.mfa.policy()).to.deep.equal({ ...MFA_ON, allowedFactors: ['totp'], withoutDevice: 'refuse' });
    const audit = await gh.api('GET', '/audit?action=instance.update');
    expect(audit.body.items[0].detail.after.mfa.withoutDevice).to.equal('refuse');
    await gh.services.sql.instance.update({ mfa: MFA_ON });
  });
});
