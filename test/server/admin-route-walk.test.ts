// Every administration route of the whole application, found by walking the express app's own
// route table (so a route added later, in whichever router and under whichever mount, is covered
// without touching this test): each route under /api/v1 and /admin answers 403 to an ordinary
// person: on the API with a bearer token of someone with no admin role, in the console with their
// portal session and its CSRF token. Only the API's documentation and the token endpoint are public.
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { createApp } from '../../server/app.ts';
import { createPerson, PERSON_PASSWORD } from '../support/admin-people.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';

interface Layer {
  rawPath?: unknown;
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** METHOD path of every route in `stack`, mounted prefixes joined (express's catch-all `_all` left out). */
function routesOf(stack: Layer[], prefix = ''): string[] {
  const out: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const p of paths) for (const m of Object.keys(layer.route.methods)) if (m !== '_all') out.push(`${m.toUpperCase()} ${`${prefix}${p}`.replace(/(.)\/$/, '$1')}`);
    } else if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      out.push(...routesOf(layer.handle.stack, prefix + mount));
    }
  }
  return out;
}

const isPublic = (route: string) => route === 'GET /api/v1/openapi.json' || route === 'POST /api/v1/tokens' || route.startsWith('GET /api/v1/docs');

describe('every administration route of the application refuses an ordinary person', function () {
  this.timeout(120_000);
  let gh: TestGatehouse;
  let plain: { id: string };
  let routes: string[];

  before(async () => {
    gh = await startGatehouse();
    plain = await createPerson(gh, 'plain');
    const app = createApp(gh.services) as unknown as { router: { stack: Layer[] } };
    routes = [...new Set(routesOf(app.router.stack).filter((r) => / \/(api\/v1|admin)(\/|$)/.test(r)))];
  });
  after(async () => {
    await gh?.close();
  });

  it('finds the API and console routes, wherever they are mounted', () => {
    expect(routes).to.include.members(['GET /admin/audit', 'POST /admin/settings', 'GET /api/v1/users', 'PATCH /api/v1/instance', 'POST /api/v1/applications', 'GET /api/v1/docs']);
    expect(routes.filter((r) => !isPublic(r)).length).to.be.above(120);
  });

  it('answers 403 on each, and changes nothing', async () => {
    const browser = new PortalClient(gh.baseUrl);
    expect((await browser.signIn('plain', PERSON_PASSWORD)).status).to.equal(303);
    await browser.request('GET', '/start');
    const csrf = browser.csrf();
    for (const route of routes.filter((r) => !isPublic(r))) {
      const [method, pattern] = route.split(' ') as [string, string];
      const path = pattern.replace(/:(\w+)/g, (_m, name: string) => (name === 'principalType' ? 'USER' : name === 'id' ? plain.id : `x-${name}`));
      let status: number;
      if (path.startsWith('/admin')) {
        status = (await browser.request(method, path, method === 'GET' ? undefined : { csrf, userName: 'mallory', accountId: '444455556666', name: 'Evil' })).status;
      } else {
        // A token of a person with no role (as one who lost it would hold): a fresh one per call,
        // because the first refusal removes it.
        const secret = `gha_${randomBytes(32).toString('base64url')}`;
        await gh.services.sql.apiTokens.create({ hash: createHash('sha256').update(secret).digest('hex'), userId: plain.id, createdAt: new Date(), expiresAt: new Date(Date.now() + 600_000) });
        status = (await gh.api(method, path.slice('/api/v1'.length) || '/', method === 'GET' || method === 'DELETE' ? undefined : {}, secret)).status;
      }
      expect(status, route).to.equal(403);
    }
    // Their sign-in is all the audit log holds of them besides the refusals.
    const theirs = (await gh.api('GET', `/audit?actor=${plain.id}&limit=1000`)).body.items.filter((e: any) => e.outcome === 'success');
    expect(theirs.map((e: any) => e.action)).to.deep.equal(['signin.success']);
  });
});
