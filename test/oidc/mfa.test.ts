// amr and acr of an OIDC sign-in reflect the portal session's second factor (OpenID Connect Core §2, RFC 8176).
import { expect } from 'chai';
import { base32Decode, base32Encode } from '../../idp/otp/base32.ts';
import { newTotpSecret, totpCode, totpStep } from '../../idp/otp/totp.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { authorizeInBrowser, client, createOidcApp, REDIRECT_URI, rpFor, type OidcApp } from '../support/oidc-rp.ts';

describe('OIDC sign-in with a second factor', function () {
  this.timeout(30000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let app: OidcApp;
  let secret: string;

  before(async () => {
    gh = await startGatehouse({ mfa: { mode: 'every-sign-in', allowedFactors: ['totp'], withoutDevice: 'refuse' } });
    org = await seedOrganization(gh.services, { users: [{ userName: 'alice' }] });
    app = await createOidcApp(gh, {}, { USER: [org.users.alice!.id] });
    secret = base32Encode(newTotpSecret());
    const user = (await gh.services.users.get(org.users.alice!.id))!;
    await gh.services.mfa.confirmTotp(user, { secret, code: totpCode(base32Decode(secret)!, totpStep(gh.clock.now())) }, '127.0.0.1');
    gh.clock.advanceSeconds(30);
  });
  after(() => gh?.close());

  it('goes through the portal\'s second-factor step and back, and says so in amr and acr', async () => {
    const rp = await rpFor(gh, app);
    const browser = new PortalClient(gh.baseUrl);
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(rp, { redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state: 'm' });
    const first = await authorizeInBrowser(browser, url, { userName: 'alice', password: org.users.alice!.password });
    expect(first.callback).to.equal(null);
    expect(first.page.text).to.include('name="code"');
    const code = totpCode(base32Decode(secret)!, totpStep(gh.clock.now()));
    const posted = await browser.request('POST', '/start/mfa', { csrf: browser.csrf(), code });
    expect(posted.location).to.match(/^\/oidc\/interaction\//);
    const { callback } = await authorizeInBrowser(browser, new URL(posted.location!, gh.baseUrl));
    const tokens = await client.authorizationCodeGrant(rp, new URL(callback!), { pkceCodeVerifier: verifier, expectedState: 'm' });
    expect(tokens.claims()!.amr).to.deep.equal(['pwd', 'otp', 'mfa']);
    expect(tokens.claims()!.acr).to.equal('urn:gatehouse:acr:mfa');
  });
});
