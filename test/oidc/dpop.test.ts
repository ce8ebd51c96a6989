// DPoP (RFC 9449) with openid-client 6 as the relying party: a client that sends proofs gets
// tokens bound to its key, and userinfo refuses such a token presented without a valid proof
// from that key (as a bearer token, with no proof, with another key's proof, or a replayed one).
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { client, createOidcApp, rpFor, signInWithCode, type OidcApp } from '../support/oidc-rp.ts';

describe('OIDC DPoP sender-constrained tokens', function () {
  this.timeout(30000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let app: OidcApp;

  before(async () => {
    gh = await startGatehouse();
    org = await seedOrganization(gh.services, { users: [{ userName: 'alice', email: 'alice@example.com' }], groups: [{ name: 'Staff', members: ['alice'] }] });
    app = await createOidcApp(gh, { name: 'Wiki' }, { GROUP: [org.groups.Staff!] });
  });
  after(() => gh?.close());

  const alice = () => ({ userName: 'alice', password: org.users.alice!.password });
  const userinfoUrl = () => `${gh.baseUrl}/oidc/me`;

  it('advertises DPoP in discovery', async () => {
    const doc = (await (await fetch(`${gh.baseUrl}/oidc/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc.dpop_signing_alg_values_supported).to.include('ES256');
  });

  it('binds the tokens of a client sending proofs to its key; userinfo needs a fresh proof from that key', async () => {
    const rp = await rpFor(gh, app);
    const keyPair = await client.randomDPoPKeyPair('ES256');
    const DPoP = client.getDPoPHandle(rp, keyPair);
    const tokens = await signInWithCode(rp, new PortalClient(gh.baseUrl), alice(), 'openid email', { DPoP });
    expect(tokens.token_type.toLowerCase()).to.equal('dpop');

    // With a proof from the key: accepted.
    const info = await client.fetchUserInfo(rp, tokens.access_token, org.users.alice!.id, { DPoP });
    expect(info.email).to.equal('alice@example.com');

    // The same token as a plain bearer token: refused.
    const bearer = await fetch(userinfoUrl(), { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(bearer.status).to.equal(401);
    // As a DPoP token without the proof: refused.
    const noProof = await fetch(userinfoUrl(), { headers: { authorization: `DPoP ${tokens.access_token}` } });
    expect(noProof.status).to.be.oneOf([400, 401]);
    expect(noProof.headers.get('www-authenticate') ?? '').to.match(/DPoP/i);
    // With a valid proof from another key: refused.
    const otherKey = client.getDPoPHandle(rp, await client.randomDPoPKeyPair('ES256'));
    const stolen = await client.fetchUserInfo(rp, tokens.access_token, org.users.alice!.id, { DPoP: otherKey }).then(() => null, (e: unknown) => e);
    const challenge = stolen as { status?: number; cause?: { scheme: string; parameters: { error?: string } }[] } | null;
    expect(challenge?.status).to.equal(401);
    expect(challenge?.cause?.[0]).to.deep.include({ scheme: 'dpop' });
    expect(challenge?.cause?.[0]?.parameters.error).to.equal('invalid_token');

    // The introspection answer says which key the token is bound to (RFC 9449 §6.2).
    const seen = await client.tokenIntrospection(rp, tokens.access_token);
    expect(seen.active).to.equal(true);
    expect((seen.cnf as { jkt?: string } | undefined)?.jkt).to.be.a('string');
  });

  it('refuses a replayed proof', async () => {
    const rp = await rpFor(gh, app);
    const keyPair = await client.randomDPoPKeyPair('ES256');
    const tokens = await signInWithCode(rp, new PortalClient(gh.baseUrl), alice(), 'openid', { DPoP: client.getDPoPHandle(rp, keyPair) });
    // A proof for GET /oidc/me made once, sent twice (RFC 9449 §11.1).
    const proof = await dpopProof(keyPair, 'GET', userinfoUrl(), tokens.access_token);
    const first = await fetch(userinfoUrl(), { headers: { authorization: `DPoP ${tokens.access_token}`, dpop: proof } });
    expect(first.status).to.equal(200);
    const replay = await fetch(userinfoUrl(), { headers: { authorization: `DPoP ${tokens.access_token}`, dpop: proof } });
    expect(replay.status).to.equal(401);
  });

  it('binds a public client\'s refresh token to its key: a refresh with another key is refused', async () => {
    const spa = await createOidcApp(gh, { name: 'SPA', tokenEndpointAuthMethod: 'none' }, { GROUP: [org.groups.Staff!] });
    const rp = await rpFor(gh, spa);
    const DPoP = client.getDPoPHandle(rp, await client.randomDPoPKeyPair('ES256'));
    const tokens = await signInWithCode(rp, new PortalClient(gh.baseUrl), alice(), 'openid', { DPoP });
    expect(tokens.refresh_token).to.be.a('string');
    const otherKey = client.getDPoPHandle(rp, await client.randomDPoPKeyPair('ES256'));
    const refused = await client.refreshTokenGrant(rp, tokens.refresh_token!, undefined, { DPoP: otherKey }).then(() => null, (e: { error?: string }) => e);
    expect(refused?.error).to.equal('invalid_grant');
    const refreshed = await client.refreshTokenGrant(rp, tokens.refresh_token!, undefined, { DPoP });
    expect(refreshed.token_type.toLowerCase()).to.equal('dpop');
  });

  it('still gives a client that sends no proof ordinary bearer tokens', async () => {
    const rp = await rpFor(gh, app);
    const tokens = await signInWithCode(rp, new PortalClient(gh.baseUrl), alice(), 'openid email');
    expect(tokens.token_type.toLowerCase()).to.equal('bearer');
    expect((await client.fetchUserInfo(rp, tokens.access_token, org.users.alice!.id)).email).to.equal('alice@example.com');
  });
});

/** A DPoP proof JWT (RFC 9449 §4.2) made by hand, to send the very same proof twice. */
async function dpopProof(keyPair: CryptoKeyPair, htm: string, htu: string, accessToken: string): Promise<string> {
  const { SignJWT, exportJWK } = await import('jose');
  const { kty, crv, x, y } = await exportJWK(keyPair.publicKey);
  const ath = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken))).toString('base64url');
  return new SignJWT({ htm, htu, ath })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: { kty: kty!, crv: crv!, x: x!, y: y! } })
    .setIssuedAt()
    .setJti(crypto.randomUUID())
    .sign(keyPair.privateKey);
}
