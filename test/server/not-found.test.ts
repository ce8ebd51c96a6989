// A path no surface serves: a small page under the portal's security headers for browsers, problem
// JSON under /api/, and nothing that names the framework behind it.
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';

describe('unknown paths', () => {
  let gh: TestGatehouse;
  before(async () => {
    gh = await startGatehouse();
  });
  after(async () => {
    await gh.close();
  });

  const revealsFramework = (res: Response, body: string) => {
    const headers: string[] = [];
    res.headers.forEach((v, k) => headers.push(`${k}: ${v}`));
    return /express|cannot (get|post|delete)/i.test(body) || headers.some((h) => /express/i.test(h));
  };

  for (const [method, path] of [['GET', '/nope'], ['POST', '/nope'], ['GET', '/saml/nope']] as const) {
    it(`answers ${method} ${path} with a 404 page that may not be framed`, async () => {
      const res = await fetch(gh.baseUrl + path, { method });
      const body = await res.text();
      expect(res.status).to.equal(404);
      expect(res.headers.get('content-type')).to.match(/^text\/html/);
      expect(res.headers.get('content-security-policy')).to.include("frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options')).to.equal('DENY');
      expect(body).to.include('Not found');
      expect(revealsFramework(res, body), body).to.equal(false);
    });
  }

  for (const [method, path, allow] of [['DELETE', '/start', 'GET, HEAD'], ['GET', '/start/logout', 'POST'], ['PUT', '/device', 'GET, HEAD']] as const) {
    it(`answers ${method} ${path}, a page that does not take ${method}, with a 405 page naming the methods it takes`, async () => {
      const res = await fetch(gh.baseUrl + path, { method, redirect: 'manual' });
      const body = await res.text();
      expect(res.status).to.equal(405);
      expect(res.headers.get('allow')).to.equal(allow);
      expect(res.headers.get('content-type')).to.match(/^text\/html/);
      expect(res.headers.get('x-frame-options')).to.equal('DENY');
      expect(body).to.include('Not allowed here');
      expect(revealsFramework(res, body), body).to.equal(false);
    });
  }

  it('sends the bare root, the address npm start prints, to the access portal', async () => {
    const res = await fetch(`${gh.baseUrl}/`, { redirect: 'manual' });
    expect(res.status).to.equal(302);
    expect(res.headers.get('location')).to.equal('/start');
  });

  it('serves the icon every page names, so browsers get no 404 for /favicon.ico', async () => {
    const page = await (await fetch(`${gh.baseUrl}/start`)).text();
    expect(page).to.include('<link rel="icon" type="image/svg+xml" href="/favicon.ico">');
    const icon = await fetch(`${gh.baseUrl}/favicon.ico`);
    expect(icon.status).to.equal(200);
    expect(icon.headers.get('content-type')).to.match(/^image\/svg\+xml/);
    expect(await icon.text()).to.match(/^<svg /);
  });

  it('answers unknown API paths with problem JSON, as the admin API does for its own', async () => {
    const outside = await fetch(`${gh.baseUrl}/api/v2/users`);
    expect(outside.status).to.equal(404);
    expect(outside.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(await outside.json()).to.deep.include({ type: 'urn:gatehouse:problem:not-found', status: 404 });

    const inside = await gh.api('GET', '/nope');
    expect(inside.status).to.equal(404);
    expect(inside.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(inside.body).to.deep.include({ type: 'urn:gatehouse:problem:not-found', status: 404 });
  });
});
