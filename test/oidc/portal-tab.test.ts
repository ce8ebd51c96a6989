// The portal's Applications tab shows OIDC applications beside SAML ones, as links to where the
// app starts its own sign-in, to the people assigned to them only.
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { createOidcApp } from '../support/oidc-rp.ts';

describe('OIDC applications on the portal\'s Applications tab', function () {
  this.timeout(30000);
  let gh: TestGatehouse;
  let org: SeededOrg;

  before(async () => {
    gh = await startGatehouse();
    org = await seedOrganization(gh.services, { users: [{ userName: 'alice' }, { userName: 'bob' }], groups: [{ name: 'Staff', members: ['alice'] }] });
    await createOidcApp(gh, { name: 'Wiki', initiateLoginUri: 'https://wiki.example/login' }, { GROUP: [org.groups.Staff!] });
    await createOidcApp(gh, { name: 'Chat', redirectUris: ['https://chat.example/oidc/callback'] }, { USER: [org.users.alice!.id] });
  });
  after(() => gh?.close());

  it('links each app at its initiate-login URI, or else its first redirect URI\'s origin', async () => {
    const browser = new PortalClient(gh.baseUrl);
    await browser.signIn('alice', org.users.alice!.password);
    const page = await browser.request('GET', '/start/applications');
    expect(page.text).to.match(/<a class="app-link" href="https:\/\/wiki\.example\/login"[^>]*>Wiki<\/a>/);
    expect(page.text).to.match(/<a class="app-link" href="https:\/\/chat\.example\/"[^>]*>Chat<\/a>/);
  });

  it('shows nothing to a person not assigned, and the launch path refuses them', async () => {
    const browser = new PortalClient(gh.baseUrl);
    await browser.signIn('bob', org.users.bob!.password);
    const page = await browser.request('GET', '/start/applications');
    expect(page.text).not.to.include('Wiki');
    const apps = (await gh.api('GET', '/applications')).body.items as { id: string; name: string }[];
    const wiki = apps.find((a) => a.name === 'Wiki')!;
    const launch = await browser.request('POST', '/start/applications/launch', { csrf: browser.csrf(), applicationId: wiki.id });
    expect(launch.status).to.equal(403);
  });
});
