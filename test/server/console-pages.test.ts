// Admin console forms through HTTP, as an administrator's browser sends them without script:
// refusals come back with the problem next to the field and nothing stored; changes are made
// through the same use cases as the API and recorded under the administrator. The identity
// source's "test connection" runs against a private slapd.
import { expect } from 'chai';
import { spMetadataXml } from '../idp/inbound-fixtures.ts';
import { MetadataServer } from '../admin/applications-fixtures.ts';
import { GROUPS, PEOPLE } from '../support/ldap-seed/fixtures.ts';
import { ADMIN_PASSWORD, startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { startSlapd, type PrivateSlapd } from '../support/slapd.ts';

/** The text of the element with this id (its first line of content), or null. */
const byId = (page: string, id: string) => new RegExp(`id="${id}"[^>]*>([^<]*)`).exec(page)?.[1] ?? null;

describe('admin console forms', function () {
  this.timeout(60_000);
  let gh: TestGatehouse;
  let slapd: PrivateSlapd;
  let metadataServer: MetadataServer;
  let org: SeededOrg;
  let admin: PortalClient;
  let adminId: string;

  /** Posts a console form with the CSRF token of the page last seen. */
  async function post(path: string, form: Record<string, string>) {
    return admin.request('POST', path, { csrf: admin.csrf(), ...form });
  }

  before(async () => {
    // The SP's metadata URL is on this machine, which Gatehouse refuses to fetch unless told.
    [gh, slapd, metadataServer] = await Promise.all([startGatehouse({ env: { METADATA_FETCH_ALLOW_PRIVATE: '127.0.0.1' } }), startSlapd(), MetadataServer.start()]);
    org = await seedOrganization(gh.services, { users: [{ userName: 'bob', email: 'bob@example.com' }] });
    admin = new PortalClient(gh.baseUrl);
    await admin.request('GET', '/start');
    await admin.signIn('admin', ADMIN_PASSWORD);
    await admin.request('GET', '/admin');
    adminId = (await gh.services.users.list({ nameContains: 'admin' })).items.find((u) => u.userName === 'admin')!.id;
  });
  after(async () => {
    await gh?.close();
    await slapd?.close();
    await metadataServer?.close();
  });

  it('tests an LDAP connection without saving it, saves it, and goes back to the built-in directory', async () => {
    await admin.request('GET', '/admin/identity-source');
    const settings = {
      url: slapd.url, bindDn: slapd.bindDn, bindPassword: slapd.bindPassword, loginAttribute: 'uid', userBaseDn: PEOPLE, userFilter: '(objectClass=inetOrgPerson)',
      groupBaseDn: GROUPS, groupFilter: '(objectClass=groupOfNames)', groupMembership: 'member', sampleUser: 'carol', tlsVerify: 'on',
    };
    const tested = await post('/admin/identity-source', { ...settings, intent: 'test' });
    expect(tested.status).to.equal(200);
    expect(tested.text).to.include('Test connection: it works');
    expect(tested.text).to.include('15 users');
    expect(tested.text).to.include('uid=carol,ou=people,dc=example,dc=org');
    expect((await gh.services.identitySourceConfig.describe()).kind, 'a test saves nothing').to.equal('builtin');

    const refused = await post('/admin/identity-source', { ...settings, bindPassword: 'wrong', intent: 'test' });
    expect(refused.text).to.include('Test connection: it failed');
    expect(refused.text).to.include('invalid credentials');

    const badUrl = await post('/admin/identity-source', { ...settings, url: 'http://example.org', intent: 'save' });
    expect(badUrl.status).to.equal(400);
    expect(byId(badUrl.text, 'f-url-error')).to.include('must be ldap://');
    expect((await gh.services.identitySourceConfig.describe()).kind).to.equal('builtin');

    const saved = await post('/admin/identity-source', { ...settings, intent: 'save' });
    expect(saved.status).to.equal(303);
    const source = await gh.services.identitySourceConfig.describe();
    expect(source).to.deep.include({ kind: 'ldap', configuredBy: 'api' });
    expect(source.settings).to.include({ url: slapd.url, userBaseDn: PEOPLE, bindPasswordSet: true });

    await admin.request('GET', '/admin/identity-source');
    expect((await post('/admin/identity-source/reset', {})).status).to.equal(303);
    expect((await gh.services.identitySourceConfig.describe()).kind).to.equal('builtin');
    const actions = (await gh.services.audit.list({ actor: adminId, limit: 10 })).items.map((e) => e.action);
    expect(actions).to.include.members(['identity-source.configure', 'identity-source.reset']);
  });

  it('refuses a portal session shorter than 15 minutes at the field, and saves the settings and session tags', async () => {
    await admin.request('GET', '/admin/settings');
    const refused = await post('/admin/settings', { sessionDurationMinutes: '5', rows: '2', attr0: 'department', tag0: 'Department', attr1: '', tag1: '' });
    expect(refused.status).to.equal(400);
    expect(byId(refused.text, 'f-sessionDurationMinutes-error')).to.include('at least 15 minutes');
    expect(refused.text, 'what was typed stays').to.include('value="department"');
    expect((await gh.services.instanceSettings.get()).sessionDurationMinutes).to.equal(480);

    const saved = await post('/admin/settings', { sessionDurationMinutes: '600', rows: '2', attr0: 'department', tag0: 'Department', attr1: '', tag1: '' });
    expect(saved.status).to.equal(303);
    expect(await gh.services.instanceSettings.get()).to.deep.include({ sessionDurationMinutes: 600, accessControlAttributes: { department: 'Department' } });
  });

  it('refuses a bad email at its field, and adds, disables (ending their sessions), enables and unlocks a user', async () => {
    await admin.request('GET', '/admin/users');
    const refused = await post('/admin/users', { userName: 'dave', displayName: 'Dave', email: 'not-an-address', password: '' });
    expect(refused.status).to.equal(400);
    expect(byId(refused.text, 'f-email-error')).to.match(/email/i);
    expect((await gh.services.users.list({ nameContains: 'dave' })).items).to.deep.equal([]);

    const created = await post('/admin/users', { userName: 'dave', displayName: 'Dave', email: 'dave@example.com', password: 'dave-password-123' });
    expect(created.status).to.equal(303);
    const dave = (await gh.services.users.list({ nameContains: 'dave' })).items[0]!;
    expect(dave).to.deep.include({ displayName: 'Dave', enabled: true, isAdmin: false });

    const bob = new PortalClient(gh.baseUrl);
    await bob.request('GET', '/start');
    await bob.signIn('bob', org.users.bob!.password);
    expect((await bob.request('GET', '/start')).text).to.include('Sign out');

    await admin.request('GET', `/admin/users/${org.users.bob!.id}`);
    expect((await post(`/admin/users/${org.users.bob!.id}/disable`, {})).status).to.equal(303);
    expect((await gh.services.users.get(org.users.bob!.id)).enabled).to.equal(false);
    expect((await bob.request('GET', '/start')).text, 'bob\'s session ended').to.include('id="password"');
    expect((await post(`/admin/users/${org.users.bob!.id}/enable`, {})).status).to.equal(303);
    expect((await gh.services.users.get(org.users.bob!.id)).enabled).to.equal(true);

    // Bob throttled by failed sign-ins: the users list says so, and unlocking lifts it.
    for (let i = 0; i < 10; i++) await gh.services.signInThrottle.recordFailure('bob', '10.9.9.9');
    expect((await admin.request('GET', '/admin/users')).text).to.match(/data-sign-in="throttled">throttled, 15 min left</);
    expect((await post(`/admin/users/${org.users.bob!.id}/unlock`, {})).status).to.equal(303);
    expect((await admin.request('GET', '/admin/users')).text).to.not.include('data-sign-in=');
    const actions = (await gh.services.audit.list({ actor: adminId, limit: 10 })).items.map((e) => e.action);
    expect(actions).to.include.members(['user.create', 'user.update', 'user.unlock']);
  });

  it('adds a group, adds and removes a member, and refuses an account id that is not 12 digits at its field', async () => {
    await admin.request('GET', '/admin/groups');
    expect((await post('/admin/groups', { displayName: 'Auditors', description: 'Read the logs' })).status).to.equal(303);
    const group = (await gh.services.groups.list({ nameContains: 'Auditors' })).items[0]!;
    await admin.request('GET', `/admin/groups/${group.id}`);
    expect((await post(`/admin/groups/${group.id}/members`, { userId: org.users.bob!.id })).status).to.equal(303);
    expect((await gh.services.groups.listMembers(group.id, {})).items.map((u) => u.userName)).to.deep.equal(['bob']);
    expect((await post(`/admin/groups/${group.id}/members/remove`, { userId: org.users.bob!.id })).status).to.equal(303);
    expect((await gh.services.groups.listMembers(group.id, {})).items).to.deep.equal([]);

    await admin.request('GET', '/admin/accounts');
    const refused = await post('/admin/accounts', { accountId: '1234', name: 'Short', email: 'short@example.com', kind: 'member' });
    expect(refused.status).to.equal(400);
    expect(byId(refused.text, 'f-accountId-error')).to.include('12 digits');
    expect((await gh.services.accounts.list({})).items).to.deep.equal([]);
  });

  it('deletes an account only from its confirmation page, which names the assignments that go with it', async () => {
    const account = await gh.services.accounts.create({ accountId: '999988887777', name: 'Retired', email: 'retired@example.com' }, 'test');
    const set = await gh.services.permissionSets.create({ name: 'Viewer' }, 'test');
    await gh.services.assignments.create({ accountId: account.accountId, permissionSetId: set.id, principalType: 'USER', principalId: org.users.bob!.id }, 'test');
    const confirm = await admin.request('GET', `/admin/accounts/${account.accountId}/delete`);
    expect(confirm.text).to.include('<li>1 account assignment</li>');
    expect((await gh.services.accounts.get(account.accountId)).name, 'nothing deleted yet').to.equal('Retired');
    const deleted = await post(`/admin/accounts/${account.accountId}/delete`, {});
    expect(deleted.status).to.equal(303);
    expect((await gh.services.accounts.list({})).items).to.deep.equal([]);
    expect((await gh.services.assignments.list({ permissionSetId: set.id }, {})).items).to.deep.equal([]);
  });

  it('makes an assign-access batch whole or not at all: one unknown principal and nothing is assigned', async () => {
    const account = await gh.services.accounts.create({ accountId: '121212121212', name: 'Batch', email: 'batch@example.com' }, 'test');
    const set = await gh.services.permissionSets.create({ name: 'BatchSet' }, 'test');
    await admin.request('GET', '/admin/assign');
    const form = new URLSearchParams({ csrf: admin.csrf(), accountId: account.accountId, permissionSetId: set.id });
    form.append('principal', `USER:${org.users.bob!.id}`);
    form.append('principal', 'GROUP:no-such-group');
    const cookie = [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(`${gh.baseUrl}/admin/assign`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), redirect: 'manual' });
    expect(res.status).to.equal(404);
    expect(await res.text()).to.include('no-such-group');
    expect((await gh.services.assignments.list({ accountId: account.accountId }, {})).items).to.deep.equal([]);

    form.delete('principal');
    form.append('principal', `USER:${org.users.bob!.id}`);
    const made = await fetch(`${gh.baseUrl}/admin/assign`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), redirect: 'manual' });
    expect(made.status).to.equal(200);
    expect(await made.text()).to.include('1 assignment made');
    const again = await fetch(`${gh.baseUrl}/admin/assign`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), redirect: 'manual' });
    expect(await again.text()).to.include('0 assignments made; 1 already existed');
    expect((await gh.services.assignments.list({ accountId: account.accountId }, {})).items).to.have.length(1);

    // The review before submitting says which combinations exist already.
    const review = await admin.request('GET', `/admin/assign/review?accountId=${account.accountId}&principal=USER:${org.users.bob!.id}&permissionSetId=${set.id}`);
    expect(review.text).to.include('0 assignments will be made');
    expect(review.text).to.include('already assigned');
    expect(review.text, 'nothing to submit').not.to.include('>Submit</button>');
  });

  it('adds an application from its metadata URL, refuses a reserved attribute name at its row, and previews a refusal', async () => {
    metadataServer.serve('/sp.xml', spMetadataXml({ entityId: 'https://crm.example.com/saml', acs: [{ url: 'https://crm.example.com/acs', index: 0, isDefault: true }] }));
    await admin.request('GET', '/admin/applications/new');
    const created = await post('/admin/applications', { name: 'CRM', description: '', metadataUrl: metadataServer.url('/sp.xml'), metadataXml: '' });
    expect(created.status, created.text.slice(0, 300)).to.equal(303);
    const app = (await gh.services.applications.list({ nameContains: 'CRM' })).items[0]!;
    expect(app.metadata).to.include({ source: 'url', url: metadataServer.url('/sp.xml') });

    await admin.request('GET', `/admin/applications/${app.id}`);
    const refused = await post(`/admin/applications/${app.id}/mappings`, {
      rows: '3', mapName0: 'department', mapValue0: '${user:attribute.department}', mapName1: '', mapValue1: '', mapName2: 'https://aws.amazon.com/SAML/Attributes/Role', mapValue2: 'x',
    });
    expect(refused.status).to.equal(400);
    expect(byId(refused.text, 'f-mapName2-error')).to.include('reserved');
    expect((await gh.services.applications.get(app.id)).attributeMappings).to.deep.equal([]);
    const saved = await post(`/admin/applications/${app.id}/mappings`, { rows: '2', mapName0: 'department', mapValue0: '${user:attribute.department}', mapName1: '', mapValue1: '' });
    expect(saved.status).to.equal(303);
    expect((await gh.services.applications.get(app.id)).attributeMappings).to.deep.equal([{ name: 'department', value: '${user:attribute.department}' }]);

    const preview = await admin.request('GET', `/admin/applications/${app.id}?previewUser=${org.users.bob!.id}`);
    expect(preview.text).to.include('bob would be refused');
  });
});
