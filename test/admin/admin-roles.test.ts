// Admin roles through the admin API: roles given to users and groups, tokens that carry their
// creator's role and are listed and revoked, and a person with no admin role refused (403) on
// every route of the admin router, found by walking its route table.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { adminRouter } from '../../server/admin/router.ts';
import { adminRouterDeps } from '../../server/app.ts';
import { createGroup, createPerson, requestToken, tokenOf } from '../support/admin-people.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';

interface RouteEntry {
  method: string;
  path: string;
}

/** Every route of an express router, nested routers included, as METHOD and path pattern. */
function routesOf(router: unknown, prefix = ''): RouteEntry[] {
  const found: RouteEntry[] = [];
  for (const layer of (router as { stack: any[] }).stack) {
    if (layer.route) {
      for (const method of Object.keys(layer.route.methods)) found.push({ method: method.toUpperCase(), path: prefix + layer.route.path });
    } else if (layer.handle?.stack) {
      found.push(...routesOf(layer.handle, prefix + (layer.rawPath ?? '')));
    }
  }
  return found;
}

/** The routes anyone may call: the OpenAPI document and the token endpoint itself. */
const PUBLIC = ['GET /openapi.json', 'POST /tokens'];

describe('admin roles', function () {
  let gh: TestGatehouse;
  beforeEach(async () => {
    gh = await startGatehouse();
  });
  afterEach(async () => {
    await gh.close();
  });

  it('gives a token only to a person with a role, through a user grant or a group grant, and the token carries it', async () => {
    const ada = await createPerson(gh, 'ada');
    const bob = await createPerson(gh, 'bob');
    expect((await requestToken(gh, 'ada')).status).to.equal(401);

    expect((await gh.api('PUT', `/admin-roles/USER/${ada.id}`, { role: 'administrator' })).status).to.equal(200);
    const adaToken = await requestToken(gh, 'ada');
    expect(adaToken.status).to.equal(201);
    expect(adaToken.body).to.include({ role: 'administrator' });
    expect(adaToken.body.id).to.match(/^tok-[0-9a-f]{16}$/);
    expect((await gh.api('GET', '/users', undefined, adaToken.body.token)).status).to.equal(200);

    const group = await createGroup(gh, 'operators', [bob.id]);
    expect((await gh.api('PUT', `/admin-roles/GROUP/${group}`, { role: 'administrator' })).status).to.equal(200);
    expect((await requestToken(gh, 'bob')).body.role).to.equal('administrator');

    const listed = await gh.api('GET', '/admin-roles');
    const grants = listed.body.items.map((g: any) => `${g.principalType}:${g.principalId}:${g.role}`);
    expect(grants).to.include.members([`USER:${ada.id}:administrator`, `GROUP:${group}:administrator`]);
    // The first administrator keeps the role it always had.
    const admin = (await gh.api('GET', '/users?name=admin')).body.items.find((u: any) => u.userName === 'admin');
    expect(grants).to.include(`USER:${admin.id}:administrator`);

    // Bad input: a clear 400, nothing granted.
    const bad = await gh.api('PUT', `/admin-roles/USER/${bob.id}`, { role: 'superuser' });
    expect(bad.status).to.equal(400);
    expect(bad.body.errors[0].field).to.equal('role');
    expect((await gh.api('PUT', `/admin-roles/ROBOT/${bob.id}`, { role: 'administrator' })).status).to.equal(400);
    expect((await gh.api('PUT', `/admin-roles/USER/not-a-user`, { role: 'administrator' })).status).to.equal(404);
  });

  it('lists tokens without their secret and revokes one by id: dead at once, and audited', async () => {
    const ada = await createPerson(gh, 'ada', { isAdmin: true });
    const first = await requestToken(gh, 'ada');
    const second = await requestToken(gh, 'ada');
    const mine = await gh.api('GET', `/tokens?userId=${ada.id}`);
    expect(mine.status).to.equal(200);
    expect(mine.body.items.map((t: any) => t.id)).to.have.members([first.body.id, second.body.id]);
    expect(JSON.stringify(mine.body)).to.not.include(first.body.token);
    expect(mine.body.items[0]).to.have.keys(['id', 'userId', 'role', 'createdAt', 'expiresAt']);

    expect((await gh.api('DELETE', `/tokens/${first.body.id}`)).status).to.equal(204);
    expect((await gh.api('GET', '/users', undefined, first.body.token)).status).to.equal(401);
    expect((await gh.api('GET', '/users', undefined, second.body.token)).status).to.equal(200);
    expect((await gh.api('DELETE', `/tokens/${first.body.id}`)).status).to.equal(404);
    const audit = await gh.api('GET', `/audit?action=admin-token.revoke&target=user/${ada.id}`);
    expect(audit.body.items[0].detail).to.deep.equal({ tokenId: first.body.id });
    expect(audit.body.items[0]).to.include({ actorName: 'admin', outcome: 'success' });
  });

  it('kills the tokens of a person who loses the role, by a revoked grant, a group left, or isAdmin turned off', async () => {
    const ada = await createPerson(gh, 'ada');
    const bob = await createPerson(gh, 'bob');
    const cyd = await createPerson(gh, 'cyd', { isAdmin: true });
    await gh.api('PUT', `/admin-roles/USER/${ada.id}`, { role: 'administrator' });
    const group = await createGroup(gh, 'ops', [bob.id]);
    await gh.api('PUT', `/admin-roles/GROUP/${group}`, { role: 'administrator' });
    const [adaToken, bobToken, cydToken] = [await tokenOf(gh, 'ada'), await tokenOf(gh, 'bob'), await tokenOf(gh, 'cyd')];

    expect((await gh.api('DELETE', `/admin-roles/USER/${ada.id}`)).status).to.equal(204);
    expect((await gh.api('GET', '/users', undefined, adaToken)).status).to.equal(401);

    expect((await gh.api('DELETE', `/groups/${group}/members/${bob.id}`)).status).to.equal(204);
    expect((await gh.api('GET', '/users', undefined, bobToken)).status).to.equal(403);
    // And the group given back the person does not revive the token.
    await gh.api('POST', `/groups/${group}/members`, { userId: bob.id });
    expect((await gh.api('GET', '/users', undefined, bobToken)).status).to.equal(401);

    expect((await gh.api('PATCH', `/users/${cyd.id}`, { isAdmin: false })).status).to.equal(200);
    expect((await gh.api('GET', '/users', undefined, cydToken)).status).to.equal(403);

    const revoked = await gh.api('GET', `/audit?action=admin-role.revoke&target=user/${ada.id}`);
    expect(revoked.body.items[0].detail).to.deep.equal({ before: { role: 'administrator' }, after: null });
  });

  it('never gives an admin role to a user or group of the external directory', async () => {
    const ldapUser = await gh.services.sql.directory.createUser({
      id: randomUUID(), userName: 'lee', displayName: 'Lee', name: {}, emails: [], attributes: {}, enabled: true, isAdmin: false, source: 'ldap', externalId: 'entry-lee',
    });
    const ldapGroup = await gh.services.sql.directory.createGroup({ id: randomUUID(), displayName: 'ldap admins', description: '', source: 'ldap', externalId: 'entry-admins' });
    const refused = await gh.api('PUT', `/admin-roles/USER/${ldapUser.id}`, { role: 'administrator' });
    expect(refused.status).to.equal(400);
    expect(refused.body.errors[0].field).to.equal('principalId');
    expect((await gh.api('PUT', `/admin-roles/GROUP/${ldapGroup.id}`, { role: 'delegated-administrator' })).status).to.equal(400);
    expect((await gh.api('GET', '/admin-roles')).body.items.map((g: any) => g.principalId)).to.not.include.members([ldapUser.id, ldapGroup.id]);
    // Even a role written straight into the store holds nothing for them.
    await gh.services.sql.adminRoles.grant({ principalType: 'USER', principalId: ldapUser.id, role: 'administrator', grantedAt: new Date(), grantedBy: 'test' });
    expect(await gh.services.adminRoles.adminRoleOf(ldapUser, [])).to.equal(null);
  });

  it('documents administration in the OpenAPI document', async () => {
    const doc = (await gh.api('GET', '/openapi.json', undefined, null)).body;
    for (const p of ['/admin-roles', '/admin-roles/{principalType}/{principalId}', '/delegated-administrator', '/tokens/{id}', '/audit/export']) expect(doc.paths).to.have.property(p);
    expect(doc.paths['/tokens']).to.have.keys(['get', 'post']);
    expect(doc.components.schemas.AdminRoleGrant.properties.role.enum).to.deep.equal(['administrator', 'delegated-administrator']);
  });

  it('answers 403 to a person with no admin role on every route of the admin router', async () => {
    const plain = await createPerson(gh, 'plain');
    const routes = routesOf(adminRouter(adminRouterDeps(gh.services)));
    const seen = new Set(routes.map((r) => `${r.method} ${r.path}`));
    // The walk sees the router's routes (a sample that must be there), and the public ones are exactly these.
    expect([...seen]).to.include.members(['GET /users', 'PATCH /instance', 'GET /audit', 'POST /applications/', 'DELETE /admin-roles/:principalType/:principalId']);
    expect(PUBLIC.every((p) => seen.has(p))).to.equal(true);
    const guarded = routes.filter((r) => !PUBLIC.includes(`${r.method} ${r.path}`));
    expect(guarded.length).to.be.above(40);

    for (const route of guarded) {
      // A token of a person with no role (as one who lost it would hold): a fresh one per call,
      // because the first refusal removes it.
      const secret = `gha_${randomBytes(32).toString('base64url')}`;
      await gh.services.sql.apiTokens.create({ hash: createHash('sha256').update(secret).digest('hex'), userId: plain.id, createdAt: new Date(), expiresAt: new Date(Date.now() + 600_000) });
      const path = route.path.replace(/:(\w+)/g, (_m, name: string) => (name === 'principalType' ? 'USER' : `x-${name}`)).replace(/\/$/, '');
      const res = await gh.api(route.method, path || '/', route.method === 'GET' || route.method === 'DELETE' ? undefined : {}, secret);
      expect(res.status, `${route.method} ${route.path}: ${JSON.stringify(res.body)}`).to.equal(403);
    }
  });
});
