// The delegated administrator through the admin API (Identity Center's rules): registering one
// member account, and each thing a delegated administrator may not do, tried through the normal
// paths and by guessing ids and spellings. Every refusal is 403, leaves every resource as it was,
// and writes one audit event with outcome 'refused'.
import { expect } from 'chai';
import { createGroup, createPerson, requestToken, tokenOf, PERSON_PASSWORD } from '../support/admin-people.ts';
import { ADMIN_PASSWORD, startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';

const MANAGEMENT = '111111111111';
const DELEGATED = '222222222222';
const MEMBER = '333333333333';

describe('delegated administrator', function () {
  this.timeout(60000);
  let gh: TestGatehouse;
  let dora: { id: string; token: string };
  let user: { id: string };
  let adminId: string;
  let adminGroup: string;
  let managementSet: string;
  let memberSet: string;

  /** Everything an admin change could touch, as the administrator sees it (the audit log aside). */
  async function snapshot(): Promise<string> {
    const parts = [];
    for (const path of ['/users?limit=1000', '/groups?limit=1000', '/accounts?limit=1000', '/permission-sets?limit=1000', '/account-assignments?limit=1000', '/instance', '/identity-source', '/delegated-administrator', '/admin-roles', `/groups/${adminGroup}/members`, '/tokens?limit=1000', '/applications']) {
      parts.push((await gh.api('GET', path)).body);
    }
    return JSON.stringify(parts);
  }

  async function refusedEvents(): Promise<any[]> {
    return (await gh.api('GET', `/audit?outcome=refused&actor=${dora.id}&limit=1000`)).body.items;
  }

  /** The call is refused with 403, nothing changes, and one more refusal is audited. */
  async function expectRefused(method: string, path: string, body?: unknown): Promise<any> {
    const before = await snapshot();
    const audited = (await refusedEvents()).length;
    const res = await gh.api(method, path, body, dora.token);
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).to.equal(403);
    expect(res.body.detail).to.match(/^Delegated administrators can/);
    expect(await snapshot(), `${method} ${path} changed something`).to.equal(before);
    const events = await refusedEvents();
    expect(events.length, `${method} ${path} audited`).to.equal(audited + 1);
    expect(events[0]).to.include({ actor: dora.id, actorName: 'dora', outcome: 'refused', action: 'admin.refused', address: '127.0.0.1' });
    return events[0];
  }

  before(async () => {
    gh = await startGatehouse();
    await gh.api('POST', '/accounts', { accountId: MANAGEMENT, name: 'Management', email: 'mgmt@example.com', kind: 'management' });
    await gh.api('POST', '/accounts', { accountId: DELEGATED, name: 'Identity', email: 'identity@example.com' });
    await gh.api('POST', '/accounts', { accountId: MEMBER, name: 'Workloads', email: 'work@example.com' });
    managementSet = (await gh.api('POST', '/permission-sets', { name: 'Billing' })).body.id;
    memberSet = (await gh.api('POST', '/permission-sets', { name: 'Developer' })).body.id;
    user = await createPerson(gh, 'uma');
    await gh.api('POST', '/account-assignments', { accountId: MANAGEMENT, permissionSetId: managementSet, principalType: 'USER', principalId: user.id });
    adminId = (await gh.api('GET', '/users?name=admin')).body.items.find((u: any) => u.userName === 'admin').id;
    adminGroup = await createGroup(gh, 'admins');
    await gh.api('PUT', `/admin-roles/GROUP/${adminGroup}`, { role: 'administrator' });

    const person = await createPerson(gh, 'dora');
    const registered = await gh.api('PUT', '/delegated-administrator', { accountId: DELEGATED, administrators: [{ principalType: 'USER', principalId: person.id }] });
    expect(registered.status, JSON.stringify(registered.body)).to.equal(200);
    const issued = await requestToken(gh, 'dora');
    expect(issued.body.role).to.equal('delegated-administrator');
    dora = { id: person.id, token: issued.body.token };
  });
  after(async () => {
    await gh?.close();
  });

  describe('registration', () => {
    it('is one member account at a time, never the management account, and shown to every admin', async () => {
      const shown = await gh.api('GET', '/delegated-administrator', undefined, dora.token);
      expect(shown.body).to.include({ accountId: DELEGATED });
      const again = await gh.api('PUT', '/delegated-administrator', { accountId: MEMBER });
      expect(again.status).to.equal(409);
      expect((await gh.api('GET', '/delegated-administrator')).body.accountId).to.equal(DELEGATED);
      const roles = (await gh.api('GET', '/admin-roles')).body.items;
      expect(roles.find((g: any) => g.principalId === dora.id)).to.include({ role: 'delegated-administrator', principalType: 'USER' });
    });
  });

  describe('what a delegated administrator may do', () => {
    it('manages permission sets and assignments away from the management account', async () => {
      const set = await gh.api('POST', '/permission-sets', { name: 'Analyst' }, dora.token);
      expect(set.status).to.equal(201);
      expect((await gh.api('PATCH', `/permission-sets/${memberSet}`, { description: 'developers' }, dora.token)).status).to.equal(200);
      const assignment = { accountId: MEMBER, permissionSetId: set.body.id, principalType: 'USER', principalId: user.id };
      expect((await gh.api('POST', '/account-assignments', assignment, dora.token)).status).to.equal(201);
      const q = new URLSearchParams(assignment).toString();
      expect((await gh.api('DELETE', `/account-assignments?${q}`, undefined, dora.token)).status).to.equal(204);
      // The changes name who made them and from where.
      const created = (await gh.api('GET', `/audit?action=permission-set.create&actorName=dora`)).body.items[0];
      expect(created).to.include({ actor: dora.id, actorName: 'dora', address: '127.0.0.1', outcome: 'success' });
    });
  });

  describe('refusals through the normal paths', () => {
    it('a permission set provisioned to the management account: no edit, no delete', async () => {
      const event = await expectRefused('PATCH', `/permission-sets/${managementSet}`, { description: 'changed' });
      expect(event.target).to.equal(`permission-set/${managementSet}`);
      expect(event.detail).to.include({ attempted: 'permission-set.change', role: 'delegated-administrator' });
      await expectRefused('DELETE', `/permission-sets/${managementSet}?cascade=true`);
    });

    it('assignments on the management account: none created, none deleted (query or body)', async () => {
      await expectRefused('POST', '/account-assignments', { accountId: MANAGEMENT, permissionSetId: memberSet, principalType: 'USER', principalId: user.id });
      const key = { accountId: MANAGEMENT, permissionSetId: managementSet, principalType: 'USER', principalId: user.id };
      await expectRefused('DELETE', `/account-assignments?${new URLSearchParams(key)}`);
      await expectRefused('DELETE', '/account-assignments', key);
    });

    it('registering or deregistering the delegated administrator', async () => {
      await expectRefused('DELETE', '/delegated-administrator');
      await expectRefused('PUT', '/delegated-administrator', { accountId: MEMBER });
    });

    it('instance settings and the identity source', async () => {
      await expectRefused('PATCH', '/instance', { sessionDurationMinutes: 60 });
      await expectRefused('PUT', '/identity-source', { kind: 'ldap', url: 'ldap://127.0.0.1:1' });
      await expectRefused('DELETE', '/identity-source');
      await expectRefused('POST', '/identity-source/test', {});
    });

    it('granting or revoking any admin role', async () => {
      await expectRefused('PUT', `/admin-roles/USER/${user.id}`, { role: 'delegated-administrator' });
      await expectRefused('PUT', `/admin-roles/USER/${dora.id}`, { role: 'administrator' });
      await expectRefused('DELETE', `/admin-roles/GROUP/${adminGroup}`);
      await expectRefused('PATCH', `/users/${user.id}`, { isAdmin: true });
      await expectRefused('POST', '/users', { userName: 'sneaky', displayName: 'Sneaky', isAdmin: true, password: PERSON_PASSWORD });
    });
  });

  describe('refusals by guessing ids and spellings', () => {
    it('a route spelled in another case or with a trailing slash, an id percent-encoded', async () => {
      await expectRefused('PATCH', `/Permission-Sets/${managementSet}/`, { description: 'changed' });
      await expectRefused('PATCH', `/INSTANCE/`, { sessionDurationMinutes: 60 });
      await expectRefused('PATCH', `/permission-sets/${encodeURIComponent(managementSet).replace('-', '%2D')}`, { description: 'changed' });
    });

    it('taking over an administrator: their password, their group, their token', async () => {
      await expectRefused('PATCH', `/users/${adminId}`, { password: 'taken-over-password-1' });
      await expectRefused('PATCH', `/users/${adminId}`, { enabled: false });
      await expectRefused('DELETE', `/users/${adminId}`);
      await expectRefused('POST', `/users/${adminId}/unlock`);
      await expectRefused('POST', `/groups/${adminGroup}/members`, { userId: dora.id });
      await expectRefused('PATCH', `/groups/${adminGroup}`, { displayName: 'renamed' });
      const adminToken = await gh.adminToken();
      const tokens = (await gh.api('GET', `/tokens?userId=${adminId}`)).body.items;
      await expectRefused('DELETE', `/tokens/${tokens[0].id}`);
      await expectRefused('GET', `/tokens?userId=${adminId}`);
      expect((await gh.api('GET', '/users', undefined, adminToken)).status).to.equal(200);
      expect((await gh.api('POST', '/tokens', { userName: 'admin', password: ADMIN_PASSWORD }, null)).status).to.equal(201);
    });

    it('the management account and the delegated account themselves, and a principal assigned there', async () => {
      await expectRefused('DELETE', `/accounts/${MANAGEMENT}?cascade=true`);
      await expectRefused('DELETE', `/accounts/${DELEGATED}?cascade=true`);
      await expectRefused('POST', '/accounts', { accountId: '444444444444', name: 'Another', email: 'another@example.com', kind: 'management' });
      await expectRefused('DELETE', `/users/${user.id}`);
    });
  });

  describe('deregistering', () => {
    it('leaves every assignment as it was and ends the delegated administrators\' access at once', async () => {
      const kept = await tokenOf(gh, 'dora');
      const assignment = { accountId: MEMBER, permissionSetId: memberSet, principalType: 'USER', principalId: user.id };
      expect((await gh.api('POST', '/account-assignments', assignment, kept)).status).to.equal(201);
      const before = (await gh.api('GET', '/account-assignments?limit=1000')).body.items;
      expect((await gh.api('DELETE', '/delegated-administrator')).status).to.equal(204);
      expect((await gh.api('GET', '/account-assignments?limit=1000')).body.items).to.deep.equal(before);
      expect((await gh.api('GET', '/accounts', undefined, kept)).status).to.equal(403);
      expect((await requestToken(gh, 'dora')).status).to.equal(401);
      // Registering the management account is refused, even to an administrator.
      const management = await gh.api('PUT', '/delegated-administrator', { accountId: MANAGEMENT });
      expect(management.status).to.equal(400);
      expect(management.body.errors[0].field).to.equal('accountId');
      expect((await gh.api('PUT', '/delegated-administrator', { accountId: '999999999999' })).status).to.equal(404);
      const audit = (await gh.api('GET', '/audit?action=delegated-administrator.deregister')).body.items[0];
      expect(audit).to.include({ actorName: 'admin', target: `account/${DELEGATED}` });
      expect(audit.detail.before).to.deep.equal({ accountId: DELEGATED });
    });
  });
});
