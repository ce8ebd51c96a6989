// OpenID Connect with openid-client 6 as the relying party, through the real HTTP surface: the
// portal's sign-in driven by a cookie jar, tokens verified by the client against our JWKS.
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { client, createOidcApp, REDIRECT_URI, rpFor, signInWithCode, type OidcApp } from '../support/oidc-rp.ts';

describe('OIDC applications with openid-client as the relying party', function () {
  this.timeout(30000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let app: OidcApp;

  before(async () => {
    gh = await startGatehouse();
    org = await seedOrganization(gh.services, {
      users: [{ userName: 'alice', email: 'alice@example.com', displayName: 'Alice Liddell' }, { userName: 'bob' }],
      groups: [{ name: 'Engineers', members: ['alice'] }],
    });
    app = await createOidcApp(gh, { grantTypes: ['authorization_code', 'refresh_token'] }, { GROUP: [org.groups.Engineers!] });
  });
  after(() => gh?.close());

  const alice = () => ({ userName: 'alice', password: org.users.alice!.password });

  it('signs in with code and PKCE through the portal sign-in, with groups in the ID token and userinfo', async () => {
    const rp = await rpFor(gh, app);
    const tokens = await signInWithCode(rp, new PortalClient(gh.baseUrl), alice());
    const claims = tokens.claims()!;
    expect(claims.sub).to.equal(org.users.alice!.id);
    expect(claims.iss).to.equal(`${gh.baseUrl}/oidc`);
    expect(claims.amr).to.deep.equal(['pwd']);
    expect(claims.acr).to.equal('urn:gatehouse:acr:password');
    const info = await client.fetchUserInfo(rp, tokens.access_token, claims.sub);
    expect(info).to.deep.include({ preferred_username: 'alice', email: 'alice@example.com', name: 'Alice Liddell', groups: ['Engineers'] });
    expect(REDIRECT_URI).to.be.a('string');
  });
});
