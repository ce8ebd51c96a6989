// The admin console applies the admin API's admin roles and policy (access/admin/admin-policy.ts),
// through real HTTP: a delegated administrator signed in to the portal administers member accounts
// from the console and is refused (403, audited, nothing changed) on what Identity Center keeps for
// the management account's administrators; an administrator through a group uses the console; a
// person whose role is taken away gets 403 on the next page.
import { expect } from 'chai';
import { createGroup, createPerson, PERSON_PASSWORD } from '../support/admin-people.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';

const MANAGEMENT = '111111111111';
const DELEGATED = '222222222222';
const MEMBER = '333333333333';

describe('admin console: admin roles and the delegated administrator', function () {
  this.timeout(60_000);
  let gh: TestGatehouse;
  let dora: PortalClient;
  let doraId: string;
  let adminId: string;
  let managementSet: string;
  let memberSet: string;
  let uma: { id: string };

  async function browserOf(userName: string): Promise<PortalClient> {
    const client = new PortalClient(gh.baseUrl);
    const res = await client.signIn(userName, PERSON_PASSWORD);
    expect(res.status, `sign-in of ${userName}`).to.equal(303);
    return client;
  }

  async function snapshot(): Promise<string> {
    const parts = [];
    for (const path of ['/users?limit=1000', '/groups?limit=1000', '/accounts?limit=1000', '/permission-sets?limit=1000', '/account-assignments?limit=1000', '/instance', '/identity-source', '/admin-roles']) {
      parts.push((await gh.api('GET', path)).body);
    }
    return JSON.stringify(parts);
  }

  const refusals = async () => (await gh.api('GET', `/audit?outcome=refused&actor=${doraId}&limit=1000`)).body.items as any[];

  /** A console post refused with 403, nothing changed, one refusal audited with the person's name and address. */
  async function expectRefused(path: string, form: Record<string, string>, reason: RegExp): Promise<void> {
    await dora.request('GET', '/admin');
    const before = await snapshot();
    const audited = (await refusals()).length;
    const res = await dora.request('POST', path, { csrf: dora.csrf(), ...form });
    expect(res.status, `POST ${path}`).to.equal(403);
    expect(res.text, `POST ${path}`).to.match(reason);
    expect(await snapshot(), `POST ${path} changed something`).to.equal(before);
    const events = await refusals();
    expect(events.length, `POST ${path} audited`).to.equal(audited + 1);
    expect(events[0]).to.include({ actor: doraId, actorName: 'dora', outcome: 'refused', action: 'admin.refused', address: '127.0.0.1' });
  }

  before(async () => {
    gh = await startGatehouse();
    await gh.api('POST', '/accounts', { accountId: MANAGEMENT, name: 'Management', email: 'mgmt@example.com', kind: 'management' });
    await gh.api('POST', '/accounts', { accountId: DELEGATED, name: 'Identity', email: 'identity@example.com' });
    await gh.api('POST', '/accounts', { accountId: MEMBER, name: 'Workloads', email: 'work@example.com' });
    managementSet = (await gh.api('POST', '/permission-sets', { name: 'Billing' })).body.id;
    memberSet = (await gh.api('POST', '/permission-sets', { name: 'Developer' })).body.id;
    uma = await createPerson(gh, 'uma');
    await gh.api('POST', '/account-assignments', { accountId: MANAGEMENT, permissionSetId: managementSet, principalType: 'USER', principalId: uma.id });
    adminId = (await gh.api('GET', '/users?name=admin')).body.items.find((u: any) => u.userName === 'admin').id;
    doraId = (await createPerson(gh, 'dora')).id;
    const registered = await gh.api('PUT', '/delegated-administrator', { accountId: DELEGATED, administrators: [{ principalType: 'USER', principalId: doraId }] });
    expect(registered.status, JSON.stringify(registered.body)).to.equal(200);
    dora = await browserOf('dora');
  });
  after(async () => {
    await gh?.close();
  });

  it('lets a delegated administrator in, linked from the portal, and assign access on a member account', async () => {
    expect((await dora.request('GET', '/start')).text).to.include('href="/admin"');
    expect((await dora.request('GET', '/admin')).status).to.equal(200);
    // The assign-access flow offers her the member accounts only.
    const pick = (await dora.request('GET', '/admin/assign')).text;
    expect(pick).to.include(`value="${MEMBER}"`);
    expect(pick).not.to.include(`value="${MANAGEMENT}"`);
    const res = await dora.request('POST', '/admin/assign', { csrf: dora.csrf(), accountId: MEMBER, principal: `USER:${uma.id}`, permissionSetId: memberSet });
    expect(res.status, res.text.slice(0, 300)).to.equal(200);
    const made = (await gh.api('GET', `/account-assignments?accountId=${MEMBER}`)).body.items;
    expect(made).to.have.length(1);
    expect(made[0]).to.include({ permissionSetId: memberSet, principalId: uma.id });
  });

  it('refuses assignments on the management account, alone or inside a batch', async () => {
    await expectRefused('/admin/assign', { accountId: MANAGEMENT, principal: `USER:${uma.id}`, permissionSetId: memberSet }, /cannot create or delete assignments on the management account/);
    await expectRefused('/admin/assign/remove', { accountId: MANAGEMENT, principalType: 'USER', principalId: uma.id, permissionSetId: managementSet }, /management account/);
    // A batch naming a member account and the management account is refused whole.
    await dora.request('GET', '/admin');
    const body = new URLSearchParams([['csrf', dora.csrf()], ['accountId', MEMBER], ['accountId', MANAGEMENT], ['principal', `USER:${doraId}`], ['permissionSetId', memberSet]]);
    const cookie = [...dora.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(`${gh.baseUrl}/admin/assign`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body, redirect: 'manual' });
    expect(res.status).to.equal(403);
    expect((await gh.api('GET', `/account-assignments?principalId=${doraId}`)).body.items).to.have.length(0);
  });

  it('refuses permission sets provisioned to the management account, the management account itself, settings, identity source and roles', async () => {
    await expectRefused(`/admin/permission-sets/${managementSet}`, { name: 'Billing', description: 'changed', sessionDuration: 'PT1H' }, /permission set provisioned to the management account/);
    await expectRefused(`/admin/permission-sets/${managementSet}/delete`, {}, /management account/);
    await expectRefused(`/admin/accounts/${MANAGEMENT}/delete`, {}, /management account/);
    await expectRefused(`/admin/accounts/${DELEGATED}/delete`, {}, /delegated administrator account/);
    await expectRefused('/admin/settings', { sessionDuration: 'PT4H' }, /instance settings/);
    await expectRefused('/admin/identity-source', { type: 'builtin' }, /identity source/);
    await expectRefused('/admin/users', { userName: 'mallory', displayName: 'Mallory', isAdmin: 'on' }, /admin roles/);
    await expectRefused(`/admin/users/${uma.id}`, { displayName: 'uma', email: '', isAdmin: 'on' }, /admin roles/);
    await expectRefused(`/admin/users/${adminId}/reset-password`, {}, /holds an admin role/);
    await expectRefused(`/admin/users/${adminId}/disable`, {}, /holds an admin role/);
    // Ids spelled differently reach the same check.
    await expectRefused(`/admin/ACCOUNTS/${MANAGEMENT}/delete/`, {}, /management account/);
  });

  it('lets an administrator through a group use the console, and shuts the console the moment the role goes', async () => {
    const gia = await createPerson(gh, 'gia');
    const group = await createGroup(gh, 'console-admins', [gia.id]);
    const giaBrowser = new PortalClient(gh.baseUrl);
    await giaBrowser.signIn('gia', PERSON_PASSWORD);
    expect((await giaBrowser.request('GET', '/admin')).status).to.equal(403);
    await gh.api('PUT', `/admin-roles/GROUP/${group}`, { role: 'administrator' });
    expect((await giaBrowser.request('GET', '/admin')).status).to.equal(200);
    expect((await giaBrowser.request('GET', '/admin/settings')).status).to.equal(200);
    await gh.api('DELETE', `/admin-roles/GROUP/${group}`);
    const after = await giaBrowser.request('GET', '/admin/users');
    expect(after.status).to.equal(403);
    expect(after.text).not.to.include('dora');
    expect((await giaBrowser.request('GET', '/start')).text).not.to.include('href="/admin"');
  });

  it('shuts the console for a delegated administrator once the delegated administrator account is deregistered', async () => {
    await gh.api('DELETE', '/delegated-administrator');
    expect((await dora.request('GET', '/admin')).status).to.equal(403);
  });
});
