// Application icons on the portal's Applications tab: an administrator uploads a PNG, JPEG or WebP
// (recognised by its bytes, at most 64 KB) through the admin API; the tab shows it, and a generated
// initial for an app without one; the image is served only to signed-in people, as an image.
import { expect } from 'chai';
import type { Application } from '../../model/types.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { ONE_PIXEL_PNG } from '../support/images.ts';
import { PortalClient } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { assign, createApplication, POST } from '../saml/fixtures.ts';


describe('application icons', function () {
  this.timeout(30_000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let wiki: Application;
  let crm: Application;

  before(async () => {
    gh = await startGatehouse();
    org = await seedOrganization(gh.services, { users: [{ userName: 'alice', email: 'alice@example.com' }] });
    wiki = await createApplication(gh.services, { slug: 'wiki', name: 'wiki', description: 'Team notes', acs: [{ url: 'https://wiki.example.com/acs', binding: POST, index: 0, isDefault: true }] });
    crm = await createApplication(gh.services, { slug: 'crm', name: 'CRM', acs: [{ url: 'https://crm.example.com/acs', binding: POST, index: 0, isDefault: true }] });
    for (const app of [wiki, crm]) await assign(gh.services, app, { user: org.users.alice!.id });
  });
  after(async () => {
    await gh?.close();
  });

  const upload = async (id: string, body: Buffer, type = 'image/png') => {
    const token = await gh.adminToken();
    return fetch(`${gh.baseUrl}/api/v1/applications/${id}/icon`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body: new Uint8Array(body) });
  };

  it('takes a PNG, refuses what is not an image or too large, and shows the icon or an initial on the tab', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const refused = await upload(wiki.id, svg);
    expect(refused.status).to.equal(400);
    expect(await refused.text()).to.include('PNG, JPEG or WebP');
    const big = Buffer.concat([ONE_PIXEL_PNG, Buffer.alloc(65 * 1024)]);
    expect((await upload(wiki.id, big)).status).to.equal(400);
    expect((await upload('app-0000000000000000', ONE_PIXEL_PNG)).status).to.equal(404);
    const ok = await upload(wiki.id, ONE_PIXEL_PNG);
    expect(ok.status).to.equal(200);
    expect(await ok.json()).to.deep.equal({ contentType: 'image/png' });

    const browser = new PortalClient(gh.baseUrl);
    await browser.signIn('alice', org.users.alice!.password);
    const tab = await browser.request('GET', '/start/applications');
    expect(tab.text).to.include(`<img class="app-icon" src="/start/applications/icons/${wiki.id}" alt=""`);
    expect(tab.text).to.match(/<span class="app-icon app-colour-\d" aria-hidden="true">C<\/span>/);
    expect(tab.text).to.include('Team notes').and.include('id="application-search"').and.include('2 applications');

    const image = await browser.request('GET', `/start/applications/icons/${wiki.id}`);
    expect(image.status).to.equal(200);
    expect(image.headers.get('content-type')).to.equal('image/png');
    expect(image.headers.get('x-content-type-options')).to.equal('nosniff');
    expect((await new PortalClient(gh.baseUrl).request('GET', `/start/applications/icons/${wiki.id}`)).status).to.equal(404);
    expect((await gh.services.audit.list({ action: 'application.icon.set' })).items).to.have.length(1);
  });

  it('goes with its application: deleting the app through the admin API deletes the icon', async () => {
    expect((await upload(crm.id, ONE_PIXEL_PNG)).status).to.equal(200);
    const token = await gh.adminToken();
    const deleted = await fetch(`${gh.baseUrl}/api/v1/applications/${crm.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(deleted.status).to.be.oneOf([200, 204]);
    expect(await gh.services.applicationIcons.get(crm.id)).to.equal(null);
  });
});
