// Password guessing against the admin API's token endpoint, through real HTTP: it shares the
// portal's throttles and lockout (access/password-check.ts), answers throttled attempts with 429,
// Retry-After and the same one message, and counts every spelling of a name as that name.
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { ADMIN_PASSWORD, startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { captureLog } from '../support/captured-log.ts';
import { PortalClient } from '../support/portal-client.ts';

describe('admin token endpoint under password guessing', function () {
  this.timeout(120_000);
  let gh: TestGatehouse;
  let token: string;
  const log = captureLog();
  const logged = () => log.lines();

  beforeEach(async () => {
    log.clear();
    // Behind a trusted proxy, so a test can speak from many addresses through X-Forwarded-For.
    gh = await startGatehouse({ env: { TRUST_PROXY: 'true' }, log: { level: 'info', destination: log.destination } });
    // Taken before any guessing, for the administrator's own calls (unlock, audit).
    token = await gh.adminToken();
  });
  afterEach(async () => {
    await gh.close();
  });

  async function requestToken(userName: string, password: string, from = '198.51.100.7') {
    const res = await fetch(`${gh.baseUrl}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
      body: JSON.stringify({ userName, password }),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as { token?: string; detail?: string; status?: number } };
  }

  /**
   * The short window of a plain lower-case name ends, as 15 minutes passing would end it (the store
   * has no clock to move; access/sign-in-throttle.ts keys the window by the name's SHA-256).
   */
  async function windowEnds(userName: string): Promise<void> {
    await gh.services.ephemeral.delete(`signin:user:${createHash('sha256').update(userName).digest('base64url')}`);
  }

  const SPELLINGS = ['admin', ' admin', 'admin ', 'ADMIN', '  Admin  ', 'ａｄｍｉｎ', 'admin\u200b', '\tadmin', 'ADMIN\u00a0', 'adMIN'];

  it('answers the 11th wrong password for one name, however spelled, with 429, Retry-After and the one message, and refuses the right password too', async () => {
    const refusals = [];
    for (const spelling of SPELLINGS) {
      const res = await requestToken(spelling, 'wrong-password-123');
      expect(res.status, JSON.stringify(spelling)).to.equal(401);
      refusals.push(res.body.detail);
    }
    const throttled = await requestToken('admin', ADMIN_PASSWORD);
    expect(throttled.status).to.equal(429);
    expect(throttled.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(throttled.body.status).to.equal(429);
    const retryAfter = Number(throttled.headers.get('retry-after'));
    expect(retryAfter).to.be.within(1, 15 * 60);
    // One message for a wrong password and a throttled attempt alike.
    expect(new Set([...refusals, throttled.body.detail]).size).to.equal(1);
    expect(throttled.body.token).to.equal(undefined);

    // Logged at warn with its reason, and audited.
    const warning = logged().find((l) => l.event === 'signin.throttled');
    expect(warning).to.deep.include({ level: 40, surface: 'admin-token', reason: 'user-window', userName: 'admin' });
    const audit = await gh.api('GET', '/audit?action=signin.throttled', undefined, token);
    expect(audit.body.items[0]).to.deep.include({ actor: 'anonymous', action: 'signin.throttled', target: 'admin-token' });
    expect(audit.body.items[0].detail).to.include({ reason: 'user-window', userName: 'admin' });
    expect(JSON.stringify(audit.body)).to.not.include(ADMIN_PASSWORD);
  });

  it('counts guesses sent at once: of 40 wrong passwords for one name, at most 10 are checked', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => requestToken(i % 2 ? 'admin' : 'ADMIN', `at-once-${i}`)));
    const checked = answers.filter((r) => r.status === 401).length;
    expect(checked).to.be.within(1, 10);
    expect(answers.every((r) => r.status === 401 || r.status === 429)).to.equal(true);
    expect(answers.every((r) => r.body.token === undefined)).to.equal(true);
    // Ten failures are counted by now or soon; the right password is then refused too.
    while ((await requestToken('admin', `after-${Math.random()}`)).status === 401);
    expect((await requestToken('admin', ADMIN_PASSWORD)).status).to.equal(429);
  });

  it('hands the directory the trimmed name', async () => {
    const res = await requestToken('  admin ', ADMIN_PASSWORD);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.token).to.match(/^gha_/);
  });

  it('adds guesses on the portal and on the token endpoint together', async () => {
    for (let i = 0; i < 5; i++) expect((await new PortalClient(gh.baseUrl).signIn('admin', `portal-guess-${i}`)).status).to.equal(401);
    for (let i = 0; i < 5; i++) expect((await requestToken('admin', `api-guess-${i}`)).status).to.equal(401);
    expect((await requestToken('admin', ADMIN_PASSWORD)).status).to.equal(429);
    const portal = await new PortalClient(gh.baseUrl).signIn('admin', ADMIN_PASSWORD);
    expect(portal.status).to.equal(429);
    expect(Number(portal.headers.get('retry-after'))).to.be.within(1, 15 * 60);
  });

  it('locks the account after 100 consecutive failures from many addresses: the right password is refused until an administrator unlocks it', async () => {
    for (let i = 0; i < 100; i++) {
      expect((await requestToken(i % 2 ? 'admin' : 'Admin ', `guess-${i}`, `203.0.113.${i + 1}`)).status).to.equal(401);
      if (i % 9 === 8) await windowEnds('admin');
    }
    await windowEnds('admin');
    const locked = await requestToken('admin', ADMIN_PASSWORD, '192.0.2.1');
    expect(locked.status).to.equal(429);
    expect(locked.body.token).to.equal(undefined);
    expect(logged().find((l) => l.event === 'signin.throttled')).to.deep.include({ level: 40, reason: 'locked', surface: 'admin-token' });
    const audit = await gh.api('GET', '/audit?action=signin.throttled', undefined, token);
    expect(audit.body.items[0].detail).to.include({ reason: 'locked' });

    const admin = (await gh.api('GET', '/users?name=admin', undefined, token)).body.items.find((u: { userName: string }) => u.userName === 'admin');
    expect((await gh.api('POST', `/users/${admin.id}/unlock`, undefined, token)).status).to.equal(204);
    expect((await requestToken('admin', ADMIN_PASSWORD, '192.0.2.1')).status).to.equal(201);
  });

  it('throttles a spray of many user names from one address, and only that address', async () => {
    for (let i = 0; i < 100; i++) expect((await requestToken(`sprayed-${i}`, 'Summer2024!')).status).to.equal(401);
    const sprayed = await requestToken('admin', ADMIN_PASSWORD);
    expect(sprayed.status).to.equal(429);
    expect(Number(sprayed.headers.get('retry-after'))).to.be.within(1, 15 * 60);
    expect(logged().find((l) => l.event === 'signin.throttled')).to.deep.include({ level: 40, reason: 'address-window' });
    expect((await requestToken('admin', ADMIN_PASSWORD, '192.0.2.99')).status).to.equal(201);
  });
});
