// Guessing user codes on the device verification page (RFC 8628 §5.1): wrong codes are counted
// per person and per client address, whether they are typed into the form (GET) or posted to the
// Approve and Deny buttons (POST); right codes are not counted; past the limit the page answers
// 429 with what to do, and no code, right or wrong, is looked at. Each test has its own Gatehouse:
// every request here comes from 127.0.0.1, so the address counters start from nothing.
import { StartDeviceAuthorizationCommand, type SSOOIDCClient } from '@aws-sdk/client-sso-oidc';
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import type { PortalClient } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { oidcClient, registerClient, signedIn, START_URL, useSettings } from './oidc-fixtures.ts';

/** Well-formed user codes that were never handed out. */
const wrongCode = (i: number) => `BBBB-${'CDFGHJKLMNPQRSTVWXZ'[Math.floor(i / 19) % 19]}${'CDFGHJKLMNPQRSTVWXZ'[i % 19]}BB`;

describe('SSO OIDC device page: user-code guessing is throttled', function () {
  this.timeout(30_000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let oidc: SSOOIDCClient;

  beforeEach(async () => {
    gh = await startGatehouse();
    org = await seedOrganization(gh.services, { users: [{ userName: 'alice' }, { userName: 'bob' }, { userName: 'mallory' }] });
    oidc = oidcClient(gh);
  });
  afterEach(async () => {
    oidc?.destroy();
    await gh?.close();
  });

  /** A real pending request's user code. */
  async function liveCode(): Promise<string> {
    const client = await registerClient(oidc);
    return (await oidc.send(new StartDeviceAuthorizationCommand({ ...client, startUrl: START_URL }))).userCode!;
  }

  /** Clicks Approve for `userCode` as the page's form would post it. */
  async function approve(browser: PortalClient, userCode: string) {
    await browser.request('GET', '/device');
    return browser.request('POST', '/device/approve', { csrf: browser.csrf(), user_code: userCode });
  }

  it('refuses the 11th wrong code posted to the Approve button with 429 and a clear message, then even a right one', async () => {
    const mallory = await signedIn(gh, org, 'mallory');
    for (let i = 0; i < 10; i++) expect((await approve(mallory, wrongCode(i))).status, `wrong code ${i + 1}`).to.equal(404);
    const eleventh = await approve(mallory, wrongCode(10));
    expect(eleventh.status).to.equal(429);
    expect(eleventh.text).to.include('Too many').and.match(/try again in \d+ minutes?/);
    expect(Number(eleventh.headers.get('retry-after'))).to.be.within(1, 15 * 60);

    const real = await liveCode();
    const blocked = await approve(mallory, real);
    expect(blocked.status).to.equal(429);
    expect(blocked.text).to.not.include('Request approved');
    // The right code was not used up by the refused attempt: its owner can still approve it.
    const alice = await signedIn(gh, org, 'alice');
    expect((await approve(alice, real)).status).to.equal(200);
  });

  it('counts only wrong codes, typed or posted, towards one limit per person', async () => {
    const bob = await signedIn(gh, org, 'bob');
    for (let i = 0; i < 5; i++) expect((await bob.request('GET', `/device?user_code=${wrongCode(i)}`)).status).to.equal(404);
    for (let i = 5; i < 9; i++) expect((await approve(bob, wrongCode(i))).status).to.equal(404);
    // Right codes in between: seen on the page and approved, neither counted.
    for (let i = 0; i < 3; i++) {
      const code = await liveCode();
      expect((await bob.request('GET', `/device?user_code=${code}`)).status).to.equal(200);
      expect((await approve(bob, code)).status).to.equal(200);
    }
    expect((await approve(bob, wrongCode(9))).status, 'the 10th wrong code is still answered').to.equal(404);
    expect((await bob.request('GET', `/device?user_code=${wrongCode(10)}`)).status).to.equal(429);
    // Signing in again does not start a new count: the person is counted, whatever the session.
    const again = await signedIn(gh, org, 'bob');
    expect((await approve(again, await liveCode())).status).to.equal(429);
  });

  it('counts wrong codes per client address too, across people', async () => {
    useSettings(gh, { failedUserCodesPer15Minutes: 10, failedUserCodesPerAddressPer15Minutes: 15 });
    const mallory = await signedIn(gh, org, 'mallory');
    for (let i = 0; i < 10; i++) await approve(mallory, wrongCode(i));
    expect((await approve(mallory, wrongCode(10))).status).to.equal(429);
    const alice = await signedIn(gh, org, 'alice');
    for (let i = 11; i < 16; i++) expect((await approve(alice, wrongCode(i))).status, `wrong code ${i}`).to.equal(404);
    const refused = await approve(alice, await liveCode());
    expect(refused.status).to.equal(429);
    expect(refused.text).to.include('network address');
  });

  it('holds the limit when wrong codes arrive all at once', async () => {
    const mallory = await signedIn(gh, org, 'mallory');
    await mallory.request('GET', '/device');
    const csrf = mallory.csrf();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => mallory.request('POST', '/device/approve', { csrf, user_code: wrongCode(i) })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 404)).to.have.length(10);
    expect(statuses.filter((s) => s === 429)).to.have.length(30);
  });
});
