// Two Gatehouse nodes on one PostgreSQL database and one Redis serve one OIDC application: a
// sign-in on one is refreshed on the other, a revocation on one counts on the other at once, and a
// key rotation reaches the other node at its next key re-read, and a portal sign-out on the other
// node sends the back-channel logout token.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { startRedisServer, type PrivateRedis } from '../support/redis-server.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { client, createOidcApp, rpFor, signInWithCode, type OidcApp } from '../support/oidc-rp.ts';

const failure = (p: Promise<unknown>) => p.then(() => null, (e: { error?: string }) => e);
const decodeKid = (jws: string) => (JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString('utf8')) as { kid: string }).kid;

describe('OIDC on two nodes (PostgreSQL and Redis)', function () {
  this.timeout(60000);
  let db: TestDatabase;
  let redis: PrivateRedis;
  let a: TestGatehouse;
  let b: TestGatehouse;
  let org: SeededOrg;
  let app: OidcApp;

  before(async () => {
    db = await createTestDatabase();
    redis = await startRedisServer();
    const env = { DATABASE_URL: db.url, REDIS_URL: redis.url };
    a = await startGatehouse({ env });
    b = await startGatehouse({ env, dataDir: a.config.dataDir, clock: a.clock });
    org = await seedOrganization(a.services, { users: [{ userName: 'alice' }, { userName: 'dave' }] });
    app = await createOidcApp(a, {}, { USER: [org.users.alice!.id, org.users.dave!.id] });
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await redis?.stop();
    await db?.drop();
  });

  const creds = (userName: string) => ({ userName, password: org.users[userName]!.password });

  it('publishes the same keys on both nodes; a sign-in on one is refreshed and introspected on the other', async () => {
    const keysOf = async (gh: TestGatehouse) => ((await (await fetch(`${gh.baseUrl}/oidc/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid).sort();
    expect(await keysOf(b)).to.deep.equal(await keysOf(a));
    const tokens = await signInWithCode(await rpFor(a, app), new PortalClient(a.baseUrl), creds('alice'));
    // Node b's issuer differs by port only in this test; the client is pointed at b's endpoints.
    const atB = await rpFor(b, app);
    expect((await client.tokenIntrospection(atB, tokens.access_token)).active).to.equal(true);
    const refreshed = await client.refreshTokenGrant(atB, tokens.refresh_token!);
    expect(refreshed.claims()!.sub).to.equal(org.users.alice!.id);
  });

  it('a revocation on one node counts on the other at once: removing the assignment on b ends the refresh on a', async () => {
    const rpA = await rpFor(a, app);
    const tokens = await signInWithCode(rpA, new PortalClient(a.baseUrl), creds('dave'));
    expect((await client.tokenIntrospection(rpA, tokens.access_token)).active).to.equal(true);
    const removed = await b.api('DELETE', `/applications/${app.id}/assignments?principalType=USER&principalId=${org.users.dave!.id}`);
    expect(removed.status).to.equal(204);
    expect((await client.tokenIntrospection(rpA, tokens.access_token)).active).to.equal(false);
    expect((await failure(client.refreshTokenGrant(rpA, tokens.refresh_token!)))?.error).to.equal('invalid_grant');
  });

  it('a disabled user\'s tokens end on both nodes', async () => {
    const rpA = await rpFor(a, app);
    const tokens = await signInWithCode(rpA, new PortalClient(a.baseUrl), creds('alice'));
    await b.api('PATCH', `/users/${org.users.alice!.id}`, { enabled: false });
    expect((await client.tokenIntrospection(rpA, tokens.access_token)).active).to.equal(false);
    await b.api('PATCH', `/users/${org.users.alice!.id}`, { enabled: true });
  });

  it('a key rotation on a reaches b at its next key re-read', async () => {
    const rotated = await a.api('POST', '/oidc/signing-keys/rotate');
    a.clock.advanceSeconds(b.config.signingKeysRefreshSeconds + 1);
    const tokens = await signInWithCode(await rpFor(b, app), new PortalClient(b.baseUrl), creds('alice'));
    expect(rotated.body.current).to.include(decodeKid(tokens.id_token!));
  });

  it('signing out of the portal on b sends the back-channel logout token for a sign-in made on a', async () => {
    const received: string[] = [];
    const rpServer = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push(new URLSearchParams(body).get('logout_token') ?? '');
        res.end();
      });
    });
    await new Promise<void>((resolve) => rpServer.listen(0, '127.0.0.1', resolve));
    try {
      const port = (rpServer.address() as AddressInfo).port;
      const withLogout = await createOidcApp(a, { name: 'Notes', backchannelLogoutUri: `http://127.0.0.1:${port}/backchannel` }, { USER: [org.users.alice!.id] });
      const browser = new PortalClient(a.baseUrl);
      const tokens = await signInWithCode(await rpFor(a, withLogout), browser, creds('alice'));
      browser.baseUrl = b.baseUrl;
      await browser.signOut();
      expect(received).to.have.length(1);
      const claims = JSON.parse(Buffer.from(received[0]!.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
      expect(claims).to.include({ aud: withLogout.id, sub: org.users.alice!.id, sid: tokens.claims()!.sid });
    } finally {
      rpServer.closeAllConnections();
      await new Promise((resolve) => rpServer.close(resolve));
    }
  });
});
