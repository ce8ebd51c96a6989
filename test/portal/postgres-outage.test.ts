// The PostgreSQL primary going away under load (docs/operations.md, "PostgreSQL"): a private server
// stopped and started again (pg_ctl, as a restart or a failover behind a proxy looks to a client),
// and the network to the shared server cut and restored (test/support/tcp-proxy.ts). Meanwhile
// every request that needs the database answers 503 with Retry-After, none 500, no sign-in or
// federation happens half; afterwards the same process serves again, and the sessions signed in
// before are still signed in.
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { startPrivatePostgres } from '../support/private-postgres.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

const PROD = '111122223333';
const PEOPLE = ['alice', 'bob', 'carol'];

interface Outcome {
  what: string;
  status: number;
  retryAfter: string | null;
  body: string;
  /** Whether the database was down when the request was sent. */
  down: boolean;
}

async function world(databaseUrl: string): Promise<{ gh: TestGatehouse; org: SeededOrg }> {
  const gh = await startGatehouse({ env: { DATABASE_URL: databaseUrl } });
  const org = await seedOrganization(gh.services, {
    users: PEOPLE.map((userName) => ({ userName, email: `${userName}@example.com` })),
    accounts: [{ accountId: PROD, name: 'Production' }],
    permissionSets: [{ name: 'ReadOnly' }],
    assignments: PEOPLE.map((user) => ({ accountId: PROD, set: 'ReadOnly', user })),
  });
  return { gh, org };
}

/** Load from every person while `down` then `up` run; checks what a user would have seen. */
async function outageUnderLoad(gh: TestGatehouse, org: SeededOrg, outage: { down(): Promise<void>; up(): Promise<void> }): Promise<void> {
  const browsers = await Promise.all(
    PEOPLE.map(async (p) => {
      const browser = new PortalClient(gh.baseUrl);
      expect((await browser.signIn(p, org.users[p]!.password)).status).to.equal(303);
      await browser.request('GET', '/start');
      return { browser, csrf: browser.csrf() };
    }),
  );
  const outcomes: Outcome[] = [];
  let down = false;
  let stop = false;
  const record = (what: string, r: { status: number; headers: Headers; text: string }, wasDown: boolean) =>
    outcomes.push({ what, status: r.status, retryAfter: r.headers.get('retry-after'), body: r.text, down: wasDown });
  const load = async (i: number) => {
    const { browser, csrf } = browsers[i]!;
    while (!stop) {
      let wasDown = down;
      record('GET /start', await browser.request('GET', '/start'), wasDown);
      wasDown = down;
      record('federate', await browser.request('POST', '/start/federate', { csrf, accountId: PROD, permissionSet: 'ReadOnly' }), wasDown);
      const fresh = new PortalClient(gh.baseUrl);
      const form = await fresh.request('GET', '/start');
      wasDown = down;
      const login = await fresh.request('POST', '/start/login', { csrf: /name="csrf" value="([^"]+)"/.exec(form.text)?.[1] ?? '', userName: PEOPLE[i]!, password: org.users[PEOPLE[i]!]!.password });
      record('sign-in', login, wasDown);
      if (login.status !== 303) expect(fresh.cookies.has('gh_session'), 'a refused sign-in sets no session').to.equal(false);
    }
  };
  const until = async (what: string, condition: () => boolean) => {
    const deadline = Date.now() + 20000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`waited 20 s for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const loops = browsers.map((_, i) => load(i));
  try {
    await until('the load to run', () => outcomes.length >= 12);
    down = true;
    await outage.down();
    const atDown = outcomes.length;
    await until('requests while the database is down', () => outcomes.slice(atDown).filter((o) => o.down && o.status === 503).length >= 6);
    await outage.up();
    down = false;
    const atUp = outcomes.length;
    await until('service to come back', () => outcomes.slice(atUp).filter((o) => !o.down && o.status === 200).length >= 6);
  } finally {
    stop = true;
    await Promise.all(loops);
  }

  const unexpected = outcomes.filter((o) => ![200, 303, 503].includes(o.status));
  expect(unexpected.map((o) => `${o.what}: ${o.status} ${o.body.slice(0, 200)}`)).to.deep.equal([]);
  for (const o of outcomes.filter((x) => x.status === 503)) {
    expect(o.retryAfter, `${o.what}: 503 without Retry-After`).to.match(/^\d+$/);
    expect(o.body).to.include('Temporarily unavailable').and.not.include('SAMLResponse');
  }
  // While down, nothing needing the database succeeded (a page may still be served from a request already past its queries).
  expect(outcomes.filter((o) => o.down && o.status === 503).length).to.be.at.least(6);
  // Back without a restart: every session signed in before the outage still works.
  for (const { browser } of browsers) {
    const home = await browser.request('GET', '/start');
    expect(home.status).to.equal(200);
    expect(home.text).to.include('Production');
    expect((await browser.federate(PROD, 'ReadOnly')).fields.SAMLResponse).to.be.a('string');
  }
}

describe('PostgreSQL primary outage under load', function () {
  this.timeout(40000);

  it('restarted (pg_ctl stop, start): 503 with Retry-After while down, no 500, recovery without restarting Gatehouse', async () => {
    const server = await startPrivatePostgres();
    let gh: TestGatehouse | undefined;
    try {
      const started = await world(server.url);
      gh = started.gh;
      await outageUnderLoad(gh, started.org, { down: () => server.stop(), up: () => server.start() });
    } finally {
      await gh?.close();
      await server.close();
    }
  });

  it('unreachable (network cut by a proxy, then restored): the same', async () => {
    const db = await createTestDatabase();
    const proxy = await startTcpProxy('127.0.0.1', 5432);
    let gh: TestGatehouse | undefined;
    try {
      const started = await world(db.url.replace(':5432/', `:${proxy.port}/`));
      gh = started.gh;
      await outageUnderLoad(gh, started.org, { down: () => proxy.cut(), up: () => proxy.restore() });
    } finally {
      await gh?.close();
      await proxy.close();
      await db.drop();
    }
  });
});
