// The admin console's OpenID Connect application pages: adding one shows its client secret once,
// its page names what an application needs (client id, issuer), a bad redirect URI is refused
// with the reason next to the field and nothing stored, and the secret can be replaced.
import { expect } from 'chai';
import { ADMIN_PASSWORD, startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';

describe('console: OpenID Connect applications', function () {
  this.timeout(30000);
  let gh: TestGatehouse;
  let admin: PortalClient;

  before(async () => {
    gh = await startGatehouse();
    admin = new PortalClient(gh.baseUrl);
    await admin.signIn('admin', ADMIN_PASSWORD);
  });
  after(() => gh?.close());

  const form = (over: Record<string, string> = {}) => ({
    name: 'Wiki', description: '', redirectUris: 'https://wiki.example/callback', postLogoutRedirectUris: '', tokenEndpointAuthMethod: 'client_secret_basic',
    initiateLoginUri: '', backchannelLogoutUri: '', accessTokenSeconds: '3600', refreshTokenSeconds: '86400', grantType: 'authorization_code', ...over,
  });

  it('adds an app and shows its client secret once', async () => {
    await admin.request('GET', '/admin/applications/new-oidc');
    const made = await admin.request('POST', '/admin/applications/oidc', { csrf: admin.csrf(), ...form() });
    expect(made.status).to.equal(201);
    const secret = /<pre>([\w-]{40,})<\/pre>/.exec(made.text)?.[1];
    expect(secret).to.be.a('string');
    const id = /<code>(app-[0-9a-f]{16})<\/code>/.exec(made.text)![1]!;
    expect(made.text).to.include(`${gh.baseUrl}/oidc/.well-known/openid-configuration`);
    const again = await admin.request('GET', `/admin/applications/${id}`);
    expect(again.text).not.to.include(secret!);
    expect(again.text).to.include('https://wiki.example/callback');
    const list = await admin.request('GET', '/admin/applications');
    expect(list.text).to.include('OpenID Connect');

    const replaced = await admin.request('POST', `/admin/applications/${id}/client-secret`, { csrf: admin.csrf() });
    const second = /<pre>([\w-]{40,})<\/pre>/.exec(replaced.text)?.[1];
    expect(second).to.be.a('string').and.not.equal(secret);
  });

  it('refuses an http redirect URI with the reason, storing nothing', async () => {
    const before = (await gh.api('GET', '/applications')).body.items.length;
    await admin.request('GET', '/admin/applications/new-oidc');
    const refused = await admin.request('POST', '/admin/applications/oidc', { csrf: admin.csrf(), ...form({ redirectUris: 'http://wiki.example/callback' }) });
    expect(refused.status).to.equal(400);
    expect(refused.text).to.include('must use https');
    expect((await gh.api('GET', '/applications')).body.items.length).to.equal(before);
  });

  it('keeps a back-channel logout URI from the settings form, and refuses one with a fragment next to the field', async () => {
    await admin.request('GET', '/admin/applications/new-oidc');
    const refused = await admin.request('POST', '/admin/applications/oidc', { csrf: admin.csrf(), ...form({ backchannelLogoutUri: 'https://wiki.example/logout#x' }) });
    expect(refused.status).to.equal(400);
    expect(refused.text).to.include('must not have a fragment').and.include('name="backchannelLogoutUri"');
    const made = await admin.request('POST', '/admin/applications/oidc', { csrf: admin.csrf(), ...form({ backchannelLogoutUri: 'https://wiki.example/oidc/backchannel' }) });
    expect(made.status).to.equal(201);
    const id = /<code>(app-[0-9a-f]{16})<\/code>/.exec(made.text)![1]!;
    expect((await gh.api('GET', `/applications/${id}`)).body.oidc.backchannelLogoutUri).to.equal('https://wiki.example/oidc/backchannel');
    expect((await admin.request('GET', `/admin/applications/${id}`)).text).to.include('value="https://wiki.example/oidc/backchannel"');
  });
});
