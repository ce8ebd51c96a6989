// The OpenID Provider's signing keys: generated at first start and kept sealed, published in the
// JWKS, rotated through the admin API with an overlap; ES256 for an app that asks for it.
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { client, createOidcApp, rpFor, signInWithCode, type OidcApp } from '../support/oidc-rp.ts';

/** A JWS's protected header (RFC 7515 §5.2). */
const decodeProtectedHeader = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString('utf8')) as { alg: string; kid?: string };

describe('OIDC signing keys', function () {
  this.timeout(30000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let app: OidcApp;

  before(async () => {
    gh = await startGatehouse();
    org = await seedOrganization(gh.services, { users: [{ userName: 'alice' }] });
    app = await createOidcApp(gh, {}, { USER: [org.users.alice!.id] });
  });
  after(() => gh?.close());

  const jwks = async () => ((await (await fetch(`${gh.baseUrl}/oidc/jwks`)).json()) as { keys: { kid: string; alg: string }[] }).keys;
  const signIn = async (a = app) => signInWithCode(await rpFor(gh, a), new PortalClient(gh.baseUrl), { userName: 'alice', password: org.users.alice!.password });

  it('generates an RS256 and an ES256 key at first start, their private parts stored sealed', async () => {
    const keys = await jwks();
    expect(keys.map((k) => k.alg).sort()).to.deep.equal(['ES256', 'RS256']);
    const stored = JSON.stringify(await gh.services.sql.settings.get('oidc-signing-keys'));
    expect(stored).to.include(keys[0]!.kid);
    expect(stored).not.to.match(/"d"\s*:/);
  });

  it('signs an app\'s ID tokens with ES256 when it asks for it', async () => {
    const es = await createOidcApp(gh, { name: 'ES app', idTokenSignedResponseAlg: 'ES256' }, { USER: [org.users.alice!.id] });
    const tokens = await signIn(es);
    expect(decodeProtectedHeader(tokens.id_token!).alg).to.equal('ES256');
  });

  it('rotates through the admin API: new keys sign at once, the replaced ones stay published until the next rotation', async () => {
    const before = await jwks();
    const old = await signIn();
    const oldKid = decodeProtectedHeader(old.id_token!).kid!;
    expect(before.map((k) => k.kid)).to.include(oldKid);

    const rotated = await gh.api('POST', '/oidc/signing-keys/rotate');
    expect(rotated.status).to.equal(200);
    expect(rotated.body.previous).to.have.members(before.map((k) => k.kid));
    const during = await jwks();
    expect(during.map((k) => k.kid)).to.include.members([...before.map((k) => k.kid), ...rotated.body.current]);

    const fresh = await signIn();
    const freshKid = decodeProtectedHeader(fresh.id_token!).kid!;
    expect(rotated.body.current).to.include(freshKid);
    // The token signed before the rotation still verifies against the published set.
    expect((await client.fetchUserInfo(await rpFor(gh, app), old.access_token, old.claims()!.sub)).sub).to.equal(org.users.alice!.id);

    await gh.api('POST', '/oidc/signing-keys/rotate');
    const after = (await jwks()).map((k) => k.kid);
    expect(after).to.include.members(rotated.body.current);
    expect(after).not.to.include(oldKid);
    const audit = await gh.api('GET', '/audit?action=oidc.signing-keys.rotate');
    expect(audit.body.items).to.have.length(2);
  });
});
