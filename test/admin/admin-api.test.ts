// The admin JSON API through real HTTP: each resource's happy path and its bad inputs, which must
// get 400 problem+json naming the field and change nothing.
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';

describe('admin API', function () {
  let gh: TestGatehouse;
  beforeEach(async () => {
    gh = await startGatehouse();
  });
  afterEach(async () => {
    await gh.close();
  });

  const expectProblem = (res: { status: number; body: any; headers: Headers }, status: number, field?: string) => {
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(res.body.status).to.equal(status);
    if (field) expect(res.body.errors.map((e: { field: string }) => e.field)).to.include(field);
  };

  describe('authentication', () => {
    it('refuses every call without a token, or with a bad one, with 401', async () => {
      expectProblem(await gh.api('GET', '/users', undefined, null), 401);
      expectProblem(await gh.api('GET', '/users', undefined, 'gha_not-a-real-token'), 401);
      expectProblem(await gh.api('GET', '/accounts', undefined, 'Basic abc'), 401);
    });

    it('issues a token only for an administrator with the right password, with one message for every failure', async () => {
      const wrong = await gh.api('POST', '/tokens', { userName: 'admin', password: 'wrong-password-123' }, null);
      const unknown = await gh.api('POST', '/tokens', { userName: 'nobody', password: 'wrong-password-123' }, null);
      expectProblem(wrong, 401);
      expectProblem(unknown, 401);
      expect(wrong.body.detail).to.equal(unknown.body.detail);

      await gh.api('POST', '/users', { userName: 'plain', displayName: 'Plain', password: 'plain-password-1' });
      expectProblem(await gh.api('POST', '/tokens', { userName: 'plain', password: 'plain-password-1' }, null), 401);

      const ok = await gh.api('POST', '/tokens', { userName: 'ADMIN', password: 'correct-horse-battery-staple' }, null);
      expect(ok.status).to.equal(201);
      expect(ok.body.token).to.match(/^gha_/);
      expect(new Date(ok.body.expiresAt).getTime()).to.be.greaterThan(Date.now());
    });

    it('a revoked token and a demoted administrator are refused at once', async () => {
      const token = await gh.adminToken();
      expect((await gh.api('DELETE', '/tokens/current', undefined, token)).status).to.equal(204);
      expectProblem(await gh.api('GET', '/users', undefined, token), 401);

      const second = await gh.api('POST', '/users', { userName: 'second', displayName: 'Second', password: 'second-password', isAdmin: true }, (await gh.api('POST', '/tokens', { userName: 'admin', password: 'correct-horse-battery-staple' }, null)).body.token);
      expect(second.status).to.equal(201);
      const secondToken = (await gh.api('POST', '/tokens', { userName: 'second', password: 'second-password' }, null)).body.token;
      expect((await gh.api('GET', '/users', undefined, secondToken)).status).to.equal(200);
      const fresh = (await gh.api('POST', '/tokens', { userName: 'admin', password: 'correct-horse-battery-staple' }, null)).body.token;
      await gh.api('PATCH', `/users/${second.body.id}`, { isAdmin: false }, fresh);
      expectProblem(await gh.api('GET', '/users', undefined, secondToken), 403);
    });
  });

  describe('users', () => {
    it('creates, reads, lists with a name filter and paging, updates and deletes', async () => {
      const created = await gh.api('POST', '/users', {
        userName: 'alice',
        displayName: 'Alice Liddell',
        name: { givenName: 'Alice', familyName: 'Liddell' },
        emails: [{ value: 'alice@example.com', primary: true }],
        attributes: { department: 'R&D' },
        password: 'wonderland-rabbit',
      });
      expect(created.status).to.equal(201);
      expect(created.body).to.include({ userName: 'alice', displayName: 'Alice Liddell', enabled: true });
      expect(created.body).to.not.have.property('password');
      expect(JSON.stringify(created.body)).to.not.include('wonderland');
      const id = created.body.id;

      expect((await gh.api('GET', `/users/${id}`)).body.name).to.deep.equal({ givenName: 'Alice', familyName: 'Liddell' });
      for (const n of ['bob', 'carol', 'dave']) await gh.api('POST', '/users', { userName: n, displayName: n });
      const filtered = await gh.api('GET', '/users?name=LIC');
      expect(filtered.body.items.map((u: { userName: string }) => u.userName)).to.deep.equal(['alice']);

      const page1 = await gh.api('GET', '/users?limit=2');
      expect(page1.body.items).to.have.length(2);
      const page2 = await gh.api('GET', `/users?limit=2&nextToken=${encodeURIComponent(page1.body.nextToken)}`);
      const page3 = page2.body.nextToken ? await gh.api('GET', `/users?limit=2&nextToken=${encodeURIComponent(page2.body.nextToken)}`) : { body: { items: [] } };
      const all = [...page1.body.items, ...page2.body.items, ...page3.body.items].map((u: { userName: string }) => u.userName);
      expect(all.sort()).to.deep.equal(['admin', 'alice', 'bob', 'carol', 'dave']);

      const updated = await gh.api('PATCH', `/users/${id}`, { displayName: 'Alice L.', enabled: false });
      expect(updated.body).to.include({ displayName: 'Alice L.', enabled: false, userName: 'alice' });
      expect((await gh.api('DELETE', `/users/${id}`)).status).to.equal(204);
      expectProblem(await gh.api('GET', `/users/${id}`), 404);
    });

    it('refuses a duplicate userName in another case with 409 and stores nothing', async () => {
      expect((await gh.api('POST', '/users', { userName: 'Alice', displayName: 'A' })).status).to.equal(201);
      expectProblem(await gh.api('POST', '/users', { userName: 'aLICE', displayName: 'B' }), 409);
      expect((await gh.api('GET', '/users?name=alice')).body.items).to.have.length(1);
    });

    it('names each invalid field and changes nothing', async () => {
      const res = await gh.api('POST', '/users', { userName: '', displayName: 'x', emails: [{ value: 'not-an-email' }], password: 'short' });
      expectProblem(res, 400, 'userName');
      const fields = res.body.errors.map((e: { field: string }) => e.field);
      expect(fields).to.include.members(['emails.0.value', 'password']);
      expectProblem(await gh.api('POST', '/users', { userName: 'x', displayName: 'x', unknownField: 1 }), 400);
      expectProblem(await gh.api('POST', '/users', '{"userName": ', undefined), 400, '(body)');
      expect((await gh.api('GET', '/users')).body.items).to.have.length(1);
    });

    it('answers 404 for unknown ids on read, update and delete', async () => {
      expectProblem(await gh.api('GET', '/users/no-such-id'), 404);
      expectProblem(await gh.api('PATCH', '/users/no-such-id', { displayName: 'x' }), 404);
      expectProblem(await gh.api('DELETE', '/users/no-such-id'), 404);
    });
  });

  describe('groups and members', () => {
    it('manages groups and their members', async () => {
      const g = (await gh.api('POST', '/groups', { displayName: 'Engineers', description: 'Builders' })).body;
      const u = (await gh.api('POST', '/users', { userName: 'erin', displayName: 'Erin' })).body;
      expect((await gh.api('POST', `/groups/${g.id}/members`, { userId: u.id })).status).to.equal(204);
      const members = await gh.api('GET', `/groups/${g.id}/members`);
      expect(members.body.items.map((m: { id: string }) => m.id)).to.deep.equal([u.id]);
      expectProblem(await gh.api('POST', `/groups/${g.id}/members`, { userId: 'nope' }), 404);
      expectProblem(await gh.api('POST', '/groups/nope/members', { userId: u.id }), 404);
      expect((await gh.api('DELETE', `/groups/${g.id}/members/${u.id}`)).status).to.equal(204);
      expect((await gh.api('GET', `/groups/${g.id}/members`)).body.items).to.deep.equal([]);
      expect((await gh.api('PATCH', `/groups/${g.id}`, { description: 'Makers' })).body.description).to.equal('Makers');
      expectProblem(await gh.api('POST', '/groups', { displayName: '' }), 400, 'displayName');
      expect((await gh.api('DELETE', `/groups/${g.id}`)).status).to.equal(204);
      expectProblem(await gh.api('GET', `/groups/${g.id}`), 404);
    });
  });

  describe('accounts', () => {
    it('creates with defaults, refuses bad ids and duplicates', async () => {
      const created = await gh.api('POST', '/accounts', { accountId: '111122223333', name: 'Production', email: 'prod@example.com' });
      expect(created.status).to.equal(201);
      expect(created.body).to.include({ accountId: '111122223333', kind: 'member', samlProviderName: 'Gatehouse', signInEndpoint: 'https://signin.aws.amazon.com/saml' });
      expectProblem(await gh.api('POST', '/accounts', { accountId: '1111222233334', name: 'Thirteen', email: 'x@example.com' }), 400, 'accountId');
      expectProblem(await gh.api('POST', '/accounts', { accountId: '11112222333a', name: 'Letter', email: 'x@example.com' }), 400, 'accountId');
      expectProblem(await gh.api('POST', '/accounts', { accountId: '111122223333', name: 'Again', email: 'again@example.com' }), 409);
      expectProblem(await gh.api('POST', '/accounts', { accountId: '444455556666', name: 'Plain', email: 'p@example.com', signInEndpoint: 'http://evil.example.com/saml' }), 400, 'signInEndpoint');
      expect((await gh.api('PATCH', '/accounts/111122223333', { name: 'Prod' })).body.name).to.equal('Prod');
      expect((await gh.api('GET', '/accounts?name=pro')).body.items).to.have.length(1);
      expectProblem(await gh.api('GET', '/accounts/999999999999'), 404);
    });

    it('allows one management account and records it on the instance', async () => {
      expect((await gh.api('POST', '/accounts', { accountId: '000000000001', name: 'Mgmt', email: 'm@example.com', kind: 'management' })).status).to.equal(201);
      expect((await gh.api('GET', '/instance')).body.managementAccountId).to.equal('000000000001');
      expectProblem(await gh.api('POST', '/accounts', { accountId: '000000000002', name: 'Mgmt2', email: 'm2@example.com', kind: 'management' }), 409);
    });
  });

  describe('permission sets', () => {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });

    it('creates with every field and an ARN as AWS forms it; the name is immutable', async () => {
      const res = await gh.api('POST', '/permission-sets', {
        name: 'ReadOnly+Audit',
        description: 'Read only',
        sessionDuration: 'PT4H',
        relayState: 'https://console.aws.amazon.com/s3/home',
        managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
        customerManagedPolicies: [{ name: 'AuditExtras', path: '/audit/' }],
        inlinePolicy: policy,
        permissionsBoundary: { managedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' },
        tags: [{ key: 'team', value: 'sec' }],
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      const instance = (await gh.api('GET', '/instance')).body;
      expect(instance.id).to.match(/^ssoins-[0-9a-f]{16}$/);
      expect(res.body.id).to.match(/^ps-[0-9a-f]{16}$/);
      expect(res.body.arn).to.equal(`arn:aws:sso:::permissionSet/${instance.id}/${res.body.id}`);
      expect(res.body.inlinePolicy).to.equal(policy);
      expect(res.body.customerManagedPolicies).to.deep.equal([{ name: 'AuditExtras', path: '/audit/' }]);
      const v1 = res.body.version;
      const upd = await gh.api('PATCH', `/permission-sets/${res.body.id}`, { sessionDuration: 'PT12H' });
      expect(upd.body.sessionDuration).to.equal('PT12H');
      expect(upd.body.version).to.be.greaterThan(v1);
      expectProblem(await gh.api('PATCH', `/permission-sets/${res.body.id}`, { name: 'Other' }), 400, 'name');
      expectProblem(await gh.api('POST', '/permission-sets', { name: 'ReadOnly+Audit' }), 409);
    });

    it('refuses a bad name, PT13H, a 40 KB inline policy, a non-JSON policy and more than 20 policies', async () => {
      expectProblem(await gh.api('POST', '/permission-sets', { name: 'has space' }), 400, 'name');
      expectProblem(await gh.api('POST', '/permission-sets', { name: 'x'.repeat(33) }), 400, 'name');
      expectProblem(await gh.api('POST', '/permission-sets', { name: 'Long', sessionDuration: 'PT13H' }), 400, 'sessionDuration');
      expectProblem(await gh.api('POST', '/permission-sets', { name: 'Short', sessionDuration: 'PT30M' }), 400, 'sessionDuration');
      const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: 'x'.repeat(40 * 1024) }] });
      expectProblem(await gh.api('POST', '/permission-sets', { name: 'Big', inlinePolicy: big }), 400, 'inlinePolicy');
      expectProblem(await gh.api('POST', '/permission-sets', { name: 'NotJson', inlinePolicy: '{"Version": ' }), 400, 'inlinePolicy');
      const many = Array.from({ length: 21 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`);
      expectProblem(await gh.api('POST', '/permission-sets', { name: 'Many', managedPolicies: many }), 400, 'managedPolicies');
      expectProblem(await gh.api('POST', '/permission-sets', { name: 'BadArn', managedPolicies: ['arn:aws:iam::123456789012:policy/Mine'] }), 400, 'managedPolicies.0');
      expect((await gh.api('GET', '/permission-sets')).body.items).to.deep.equal([]);
    });
  });

  describe('account assignments and entitlements', () => {
    it('assigns to users and groups, computes entitlements, refuses duplicates and guarded deletes', async () => {
      await gh.api('POST', '/accounts', { accountId: '111122223333', name: 'Prod', email: 'prod@example.com' });
      await gh.api('POST', '/accounts', { accountId: '444455556666', name: 'Dev', email: 'dev@example.com' });
      const admin = (await gh.api('POST', '/permission-sets', { name: 'Admin' })).body;
      const ro = (await gh.api('POST', '/permission-sets', { name: 'ReadOnly' })).body;
      const user = (await gh.api('POST', '/users', { userName: 'frank', displayName: 'Frank' })).body;
      const g1 = (await gh.api('POST', '/groups', { displayName: 'G1' })).body;
      const g2 = (await gh.api('POST', '/groups', { displayName: 'G2' })).body;
      await gh.api('POST', `/groups/${g1.id}/members`, { userId: user.id });
      await gh.api('POST', `/groups/${g2.id}/members`, { userId: user.id });

      const a = (accountId: string, permissionSetId: string, principalType: string, principalId: string) => ({ accountId, permissionSetId, principalType, principalId });
      expect((await gh.api('POST', '/account-assignments', a('111122223333', admin.id, 'USER', user.id))).status).to.equal(201);
      // The same pair reached through two groups and directly: reported once.
      await gh.api('POST', '/account-assignments', a('111122223333', admin.id, 'GROUP', g1.id));
      await gh.api('POST', '/account-assignments', a('111122223333', ro.id, 'GROUP', g2.id));
      await gh.api('POST', '/account-assignments', a('444455556666', ro.id, 'GROUP', g1.id));
      await gh.api('POST', '/account-assignments', a('444455556666', ro.id, 'GROUP', g2.id));
      expectProblem(await gh.api('POST', '/account-assignments', a('111122223333', admin.id, 'USER', user.id)), 409);
      expectProblem(await gh.api('POST', '/account-assignments', a('999999999999', admin.id, 'USER', user.id)), 404);
      expectProblem(await gh.api('POST', '/account-assignments', a('111122223333', admin.id, 'USER', 'nobody')), 404);
      expectProblem(await gh.api('POST', '/account-assignments', a('111122223333', admin.id, 'ROLE', user.id)), 400, 'principalType');

      const ent = (await gh.api('GET', `/users/${user.id}/entitlements`)).body;
      expect(ent.accounts.map((x: any) => [x.accountName, x.permissionSets.map((s: any) => s.name)])).to.deep.equal([
        ['Dev', ['ReadOnly']],
        ['Prod', ['Admin', 'ReadOnly']],
      ]);
      expect((await gh.api('GET', `/account-assignments?accountId=111122223333`)).body.items).to.have.length(3);
      expect((await gh.api('GET', `/account-assignments?principalId=${g1.id}`)).body.items).to.have.length(2);

      expectProblem(await gh.api('DELETE', '/accounts/444455556666'), 409);
      expectProblem(await gh.api('DELETE', `/permission-sets/${ro.id}`), 409);
      expect((await gh.api('DELETE', '/accounts/444455556666?cascade=true')).status).to.equal(204);
      expect((await gh.api('GET', `/account-assignments?accountId=444455556666`)).body.items).to.deep.equal([]);

      const q = new URLSearchParams(a('111122223333', ro.id, 'GROUP', g2.id)).toString();
      expect((await gh.api('DELETE', `/account-assignments?${q}`)).status).to.equal(204);
      expectProblem(await gh.api('DELETE', `/account-assignments?${q}`), 404);
      const after = (await gh.api('GET', `/users/${user.id}/entitlements`)).body;
      expect(after.accounts.map((x: any) => [x.accountName, x.permissionSets.map((s: any) => s.name)])).to.deep.equal([['Prod', ['Admin']]]);

      await gh.api('PATCH', `/users/${user.id}`, { enabled: false });
      expect((await gh.api('GET', `/users/${user.id}/entitlements`)).body.accounts).to.deep.equal([]);
    });
  });

  describe('instance, audit and OpenAPI', () => {
    it('validates the portal session duration (15 minutes to 90 days)', async () => {
      expect((await gh.api('GET', '/instance')).body.sessionDurationMinutes).to.equal(480);
      expectProblem(await gh.api('PATCH', '/instance', { sessionDurationMinutes: 10 }), 400, 'sessionDurationMinutes');
      expectProblem(await gh.api('PATCH', '/instance', { sessionDurationMinutes: 129601 }), 400, 'sessionDurationMinutes');
      expect((await gh.api('PATCH', '/instance', { sessionDurationMinutes: 60, accessControlAttributes: { department: 'Department' } })).body).to.include({ sessionDurationMinutes: 60 });
    });

    it('records who did what in the audit log, without secrets', async () => {
      await gh.api('POST', '/users', { userName: 'gina', displayName: 'Gina', password: 'gina-secret-password' });
      const audit = (await gh.api('GET', '/audit?action=user.create')).body.items;
      expect(audit.map((e: any) => e.detail.userName)).to.include('gina');
      expect(JSON.stringify((await gh.api('GET', '/audit?limit=1000')).body)).to.not.include('gina-secret-password');
    });

    it('serves an OpenAPI document describing every resource', async () => {
      const res = await fetch(`${gh.baseUrl}/api/v1/openapi.json`);
      expect(res.status).to.equal(200);
      const doc = (await res.json()) as any;
      expect(doc.openapi).to.match(/^3\./);
      for (const p of ['/users', '/groups/{id}/members', '/accounts', '/permission-sets', '/account-assignments', '/users/{id}/entitlements', '/identity-source', '/applications', '/applications/{id}/assignments']) expect(doc.paths).to.have.property(p);
      expect(doc.components.schemas.PermissionSetCreate.properties.name.pattern).to.equal('^[\\w+=,.@-]{1,32}$');
    });
  });
});
