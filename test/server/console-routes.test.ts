// Every admin console route, found by walking the console router's own route table (so a route
// added later is covered without touching this test): someone not signed in is sent to the
// sign-in page (or refused, for a form post), and a signed-in person who is no administrator gets
// 403, with their own valid CSRF token too, and nothing changes.
import { expect } from 'chai';
import type { Router } from 'express';
import { consoleRouter } from '../../server/console/router.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';

interface RouteLayer {
  rawPath?: string | RegExp;
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: RouteLayer[] };
}

/** [method, path] of every route under a router, mounted paths joined. */
function routesOf(router: Router, prefix = ''): [string, string][] {
  const out: [string, string][] = [];
  for (const layer of (router as unknown as { stack: RouteLayer[] }).stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const p of paths) for (const m of Object.keys(layer.route.methods)) out.push([m.toUpperCase(), `${prefix}${p === '/' ? '' : p}`]);
    } else if (layer.handle.stack && typeof layer.rawPath === 'string') {
      out.push(...routesOf(layer.handle as unknown as Router, `${prefix}${layer.rawPath === '/' ? '' : layer.rawPath}`));
    }
  }
  return out;
}

describe('admin console: who may use it, on every route', function () {
  this.timeout(60_000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let routes: [string, string][];

  before(async () => {
    gh = await startGatehouse();
    org = await seedOrganization(gh.services, {
      users: [{ userName: 'bob', email: 'bob@example.com' }, { userName: 'carol' }],
      accounts: [{ accountId: '111122223333', name: 'Production' }],
    });
    routes = routesOf(consoleRouter({ ...gh.services, secureCookies: false, people: gh.services.signedInPeople })).map(([m, p]) => [m, `/admin${p.replace(/:id\b/, org.users.carol!.id)}`]);
  });
  after(async () => {
    await gh?.close();
  });

  it('finds the console routes in its route table', () => {
    expect(routes.length).to.be.greaterThan(40);
    expect(routes).to.deep.include(['POST', `/admin/users/${org.users.carol!.id}/disable`]);
    expect(routes).to.deep.include(['GET', '/admin/audit']);
  });

  it('sends a visitor who is not signed in to the sign-in page, and refuses their posts', async () => {
    const visitor = new PortalClient(gh.baseUrl);
    for (const [method, path] of routes) {
      const res = await visitor.request(method, path, method === 'POST' ? { csrf: 'x' } : undefined);
      if (method === 'GET') {
        expect(res.status, `${method} ${path}`).to.equal(303);
        expect(res.location, `${method} ${path}`).to.match(/^\/start\?returnTo=%2Fadmin/);
      } else {
        expect(res.status, `${method} ${path}`).to.equal(403);
      }
    }
  });

  it('answers 403 to a signed-in person who is no administrator, on every route, and changes nothing', async () => {
    const bob = new PortalClient(gh.baseUrl);
    await bob.request('GET', '/start');
    await bob.signIn('bob', org.users.bob!.password);
    await bob.request('GET', '/start');
    const csrf = bob.csrf();
    const before = await gh.services.audit.list({ limit: 1000 });
    for (const [method, path] of routes) {
      const res = await bob.request(method, path, method === 'POST' ? { csrf, userName: 'mallory', displayName: 'Mallory', accountId: '444455556666', name: 'Evil', email: 'evil@example.com' } : undefined);
      expect(res.status, `${method} ${path}`).to.equal(403);
      expect(res.text, `${method} ${path}`).not.to.include('carol');
    }
    // Nothing but the refusals themselves, one per request, each naming the page.
    const after = await gh.services.audit.list({ limit: 1000 });
    const added = after.items.filter((e) => !before.items.some((b) => b.id === e.id));
    expect(added.every((e) => e.actor === org.users.bob!.id && e.action === 'admin.refused' && e.outcome === 'refused')).to.equal(true);
    expect(added.length).to.equal(routes.length);
    expect((await gh.services.users.get(org.users.carol!.id)).enabled).to.equal(true);
  });

  it('lets the same person in once they are made an administrator, and out again at once when that is taken away', async () => {
    const bob = new PortalClient(gh.baseUrl);
    await bob.request('GET', '/start');
    await bob.signIn('bob', org.users.bob!.password);
    await gh.services.users.update(org.users.bob!.id, { isAdmin: true }, 'test');
    expect((await bob.request('GET', '/admin/users')).status).to.equal(200);
    await gh.services.users.update(org.users.bob!.id, { isAdmin: false }, 'test');
    expect((await bob.request('GET', '/admin/users')).status).to.equal(403);
  });
});
