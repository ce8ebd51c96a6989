// The audit log through the admin API: who (user name and id), when, from where, what object, the
// before and after of an edit and the outcome; filters by time range, actor, object, action and
// outcome; the JSON-lines export; no way to change it; and the retention purge.
import { expect } from 'chai';
import { requestToken } from '../support/admin-people.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';

describe('audit log', function () {
  this.timeout(60000);
  let gh: TestGatehouse;
  beforeEach(async () => {
    gh = await startGatehouse({ env: { AUDIT_RETENTION_DAYS: '30' } });
  });
  afterEach(async () => {
    await gh.close();
  });

  it('records an edit with who, from where, and the before and after of what changed', async () => {
    await gh.api('POST', '/accounts', { accountId: '123456789012', name: 'Sandbox', email: 'sandbox@example.com' });
    expect((await gh.api('PATCH', '/accounts/123456789012', { name: 'Sandbox 2', email: 'sandbox@example.com' })).status).to.equal(200);
    const [event] = (await gh.api('GET', '/audit?action=account.update&target=account/123456789012')).body.items;
    expect(event).to.include({ actorName: 'admin', address: '127.0.0.1', outcome: 'success', target: 'account/123456789012' });
    expect(event.detail.before).to.deep.equal({ name: 'Sandbox' });
    expect(event.detail.after).to.deep.equal({ name: 'Sandbox 2' });
    const admin = (await gh.api('GET', '/users?name=admin')).body.items[0];
    expect(event.actor).to.equal(admin.id);
  });

  it('records failed sign-ins with their address and outcome, and filters by time, actor name, object and outcome', async () => {
    const start = new Date().toISOString();
    expect((await requestToken(gh, 'admin', 'not-the-password-1')).status).to.equal(401);
    const failures = (await gh.api('GET', `/audit?action=signin.failure&outcome=failure&from=${start}`)).body.items;
    expect(failures).to.have.length(1);
    expect(failures[0]).to.include({ actor: 'anonymous', address: '127.0.0.1', target: 'admin-token' });

    expect((await gh.api('POST', '/groups', { displayName: 'auditors' })).status).to.equal(201);
    expect((await gh.api('POST', '/groups', { displayName: 'readers' })).status).to.equal(201);
    const created = (await gh.api('GET', `/audit?action=group.create&actorName=admin&from=${start}`)).body.items;
    expect(created.map((e: any) => e.detail.displayName)).to.deep.equal(['readers', 'auditors']);
    // `to` is exclusive: up to the second event's own time, only the first.
    const mid: string = created[0].at;
    const before = (await gh.api('GET', `/audit?action=group.create&from=${start}&to=${mid}`)).body.items;
    expect(before.map((e: any) => e.detail.displayName)).to.deep.equal(['auditors']);
    expect((await gh.api('GET', `/audit?target=${created[0].target}`)).body.items.map((e: any) => e.id)).to.deep.equal([created[0].id]);
    expect((await gh.api('GET', '/audit?actorName=nobody')).body.items).to.deep.equal([]);

    const bad = await gh.api('GET', '/audit?from=yesterday');
    expect(bad.status).to.equal(400);
    expect(bad.body.errors[0].field).to.equal('from');
    expect((await gh.api('GET', `/audit?from=${mid}&to=${start}`)).status).to.equal(400);
  });

  it('records the address of events written outside the admin API, such as a portal sign-out', async () => {
    await gh.api('POST', '/users', { userName: 'walt', displayName: 'Walt', password: 'person-password-123' });
    const browser = new PortalClient(gh.baseUrl);
    expect((await browser.signIn('walt', 'person-password-123')).status).to.equal(303);
    await browser.signOut();
    const [signout] = (await gh.api('GET', '/audit?action=signout')).body.items;
    expect(signout).to.include({ address: '127.0.0.1', outcome: 'success' });
  });

  it('exports every matching event as JSON lines, newest first', async () => {
    for (let i = 0; i < 5; i++) await gh.api('POST', '/groups', { displayName: `export-${i}` });
    const res = await fetch(`${gh.baseUrl}/api/v1/audit/export?action=group.create`, { headers: { authorization: `Bearer ${await gh.adminToken()}` } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/x-ndjson/);
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((e) => e.detail.displayName)).to.deep.equal(['export-4', 'export-3', 'export-2', 'export-1', 'export-0']);
    const listed = (await gh.api('GET', '/audit?action=group.create')).body.items;
    expect(lines).to.deep.equal(listed);
    expect((await gh.api('GET', '/audit/export?outcome=maybe')).status).to.equal(400);
  });

  it('offers no way to change or remove an event', async () => {
    const [event] = (await gh.api('GET', '/audit?limit=1')).body.items;
    for (const method of ['PUT', 'PATCH', 'DELETE', 'POST']) {
      expect((await gh.api(method, `/audit/${event.id}`, method === 'DELETE' ? undefined : {})).status).to.equal(404);
      expect((await gh.api(method, '/audit', method === 'DELETE' ? undefined : {})).status).to.equal(404);
    }
    expect((await gh.api('GET', '/audit?limit=1000')).body.items.some((e: any) => e.id === event.id)).to.equal(true);
  });

  it('purges events older than AUDIT_RETENTION_DAYS, and records the purge', async () => {
    const day = 86_400_000;
    await gh.services.sql.audit.append({ actor: 'system', action: 'test.old', target: 'x', detail: {}, at: new Date(Date.now() - 31 * day) });
    await gh.services.sql.audit.append({ actor: 'system', action: 'test.recent', target: 'x', detail: {}, at: new Date(Date.now() - 29 * day) });
    expect(await gh.services.auditRetention.purge()).to.equal(1);
    expect((await gh.api('GET', '/audit?action=test.old')).body.items).to.deep.equal([]);
    expect((await gh.api('GET', '/audit?action=test.recent')).body.items).to.have.length(1);
    const [purge] = (await gh.api('GET', '/audit?action=audit.purge')).body.items;
    expect(purge.detail).to.include({ removed: 1, retentionDays: 30 });
  });
});
