// Admin API tokens on two nodes sharing PostgreSQL and Redis: a token revoked on one node, or
// whose owner loses the admin role there, is refused by the other on its very next call.
import { expect } from 'chai';
import { createGroup, createPerson, requestToken } from '../support/admin-people.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { startRedisServer, type PrivateRedis } from '../support/redis-server.ts';

describe('admin tokens on two nodes (PostgreSQL and Redis)', function () {
  this.timeout(60000);
  let db: TestDatabase;
  let redis: PrivateRedis;
  let a: TestGatehouse;
  let b: TestGatehouse;

  before(async () => {
    db = await createTestDatabase();
    redis = await startRedisServer();
    const env = { DATABASE_URL: db.url, REDIS_URL: redis.url };
    a = await startGatehouse({ env });
    b = await startGatehouse({ env, dataDir: a.config.dataDir });
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await redis?.stop();
    await db?.drop();
  });

  it('refuses on node b, at once, a token revoked on node a', async () => {
    await createPerson(a, 'rita', { isAdmin: true });
    const issued = await requestToken(a, 'rita');
    expect((await b.api('GET', '/accounts', undefined, issued.body.token)).status).to.equal(200);
    expect((await a.api('DELETE', `/tokens/${issued.body.id}`)).status).to.equal(204);
    expect((await b.api('GET', '/accounts', undefined, issued.body.token)).status).to.equal(401);
  });

  it('refuses on node b, at once, the token of a person whose role was taken away on node a', async () => {
    const sam = await createPerson(a, 'sam');
    const group = await createGroup(a, 'admins', [sam.id]);
    await a.api('PUT', `/admin-roles/GROUP/${group}`, { role: 'administrator' });
    const viaGroup = (await requestToken(a, 'sam')).body.token as string;
    expect((await b.api('GET', '/accounts', undefined, viaGroup)).status).to.equal(200);
    expect((await a.api('DELETE', `/groups/${group}/members/${sam.id}`)).status).to.equal(204);
    expect((await b.api('GET', '/accounts', undefined, viaGroup)).status).to.equal(403);

    await a.api('PUT', `/admin-roles/USER/${sam.id}`, { role: 'administrator' });
    const direct = (await requestToken(a, 'sam')).body.token as string;
    expect((await b.api('GET', '/accounts', undefined, direct)).status).to.equal(200);
    expect((await a.api('DELETE', `/admin-roles/USER/${sam.id}`)).status).to.equal(204);
    expect((await b.api('GET', '/accounts', undefined, direct)).status).to.equal(401);
  });
});
