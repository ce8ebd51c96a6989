// One scenario for every highly available Redis deployment (docs/operations.md, "Redis"): two
// Gatehouse nodes on one PostgreSQL database and one Sentinel-watched or Cluster Redis. A portal
// session and an SSO token made on one node work on the other; a forced failover under requests
// makes requests fail closed (503 with Retry-After, never a 500, never a page served without a
// session), service comes back without a restart, and every session and token the replica had
// before the failover still works afterwards.
import { CreateTokenCommand, StartDeviceAuthorizationCommand } from '@aws-sdk/client-sso-oidc';
import { expect } from 'chai';
import { decideDevice, oidcClient, registerClient, START_URL } from '../aws/oidc-fixtures.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';

/** A private Redis deployment the scenario can fail over. */
export interface FailoverTopology {
  /** How Gatehouse reaches it (REDIS_SENTINELS + REDIS_SENTINEL_MASTER, or REDIS_CLUSTER_NODES). */
  env: Record<string, string>;
  /** Waits until the replica taking over has every write made so far (WAIT on the primary). */
  replicated(): Promise<void>;
  /** Starts the failover (SENTINEL FAILOVER, CLUSTER FAILOVER) and returns at once. */
  failover(): Promise<void>;
  /** True once the replica has become the primary. */
  switched(): Promise<boolean>;
  stop(): Promise<void>;
}

const PROD = '111122223333';
const PEOPLE = ['alice', 'bob', 'carol', 'dave'];
const BEARER = 'x-amz-sso_bearer_token';

interface Outcome {
  what: string;
  status: number;
  retryAfter: string | null;
  body: string;
}

export function redisFailoverScenario(title: string, startTopology: () => Promise<FailoverTopology>): void {
  describe(title, function () {
    this.timeout(40000);
    let topology: FailoverTopology;
    let db: TestDatabase;
    let a: TestGatehouse;
    let b: TestGatehouse;
    let org: SeededOrg;

    before(async () => {
      [topology, db] = await Promise.all([startTopology(), createTestDatabase()]);
      const env = { DATABASE_URL: db.url, ...topology.env };
      a = await startGatehouse({ env });
      b = await startGatehouse({ env, dataDir: a.config.dataDir, clock: a.clock });
      org = await seedOrganization(a.services, {
        users: PEOPLE.map((userName) => ({ userName, email: `${userName}@example.com` })),
        accounts: [{ accountId: PROD, name: 'Production' }],
        permissionSets: [{ name: 'ReadOnly' }],
        assignments: PEOPLE.map((user) => ({ accountId: PROD, set: 'ReadOnly', user })),
      });
    });
    after(async () => {
      await b?.close();
      await a?.close();
      await Promise.allSettled([topology?.stop(), db?.drop()]);
    });

    async function signIn(node: TestGatehouse, userName: string): Promise<PortalClient> {
      const browser = new PortalClient(node.baseUrl);
      const login = await browser.signIn(userName, org.users[userName]!.password);
      expect(login.status, `sign-in of ${userName}`).to.equal(303);
      return browser;
    }

    /** An SSO bearer token through the device grant, as the AWS CLI gets one, all on `node`. */
    async function ssoToken(node: TestGatehouse, browser: PortalClient): Promise<string> {
      const oidc = oidcClient(node);
      try {
        const client = await registerClient(oidc);
        const start = await oidc.send(new StartDeviceAuthorizationCommand({ ...client, startUrl: START_URL }));
        const saved = browser.baseUrl;
        browser.baseUrl = node.baseUrl;
        await decideDevice(browser, start.verificationUriComplete!, 'approve');
        browser.baseUrl = saved;
        const token = await oidc.send(
          new CreateTokenCommand({ grantType: 'urn:ietf:params:oauth:grant-type:device_code', ...client, deviceCode: start.deviceCode }),
        );
        return token.accessToken!;
      } finally {
        oidc.destroy();
      }
    }

    const listAccounts = (node: TestGatehouse, token: string) =>
      fetch(`${node.baseUrl}/assignment/accounts?max_result=10`, { headers: { [BEARER]: token } });

    async function homeOf(browser: PortalClient, node: TestGatehouse): Promise<Outcome> {
      browser.baseUrl = node.baseUrl;
      const page = await browser.request('GET', '/start');
      return { what: `GET /start on ${node === a ? 'a' : 'b'}`, status: page.status, retryAfter: page.headers.get('retry-after'), body: page.text };
    }

    async function accountsOf(token: string, node: TestGatehouse): Promise<Outcome> {
      const res = await listAccounts(node, token);
      return { what: `ListAccounts on ${node === a ? 'a' : 'b'}`, status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() };
    }

    it('a portal session and an SSO token made on one node work on the other', async () => {
      const browser = await signIn(a, 'alice');
      const token = await ssoToken(a, browser);
      browser.baseUrl = b.baseUrl;
      expect((await browser.request('GET', '/start')).text).to.include('Production');
      const accounts = await listAccounts(b, token);
      expect(accounts.status).to.equal(200);
      expect(((await accounts.json()) as { accountList: { accountId: string }[] }).accountList.map((x) => x.accountId)).to.deep.equal([PROD]);
      // Signing out on b ends the session on a, and the token bound to it.
      await browser.signOut();
      browser.baseUrl = a.baseUrl;
      expect((await browser.request('GET', '/start')).text).to.include('name="password"');
      expect((await listAccounts(a, token)).status).to.equal(401);
    });

    it('a forced failover under requests: 503 with Retry-After meanwhile, no 500, and back without a restart with nothing lost', async () => {
      // Signed in before the failover, on both nodes, with a token each.
      const browsers = await Promise.all(PEOPLE.map((p, i) => signIn(i % 2 ? b : a, p)));
      const tokens = await Promise.all(browsers.map((br, i) => ssoToken(i % 2 ? a : b, br)));
      await topology.replicated();

      const outcomes: Outcome[] = [];
      let stop = false;
      const load = async (i: number) => {
        for (let n = 0; !stop; n++) {
          const node = (i + n) % 2 ? a : b;
          outcomes.push(await homeOf(browsers[i]!, node), await accountsOf(tokens[i]!, node));
          // A fresh sign-in writes a new session: it must either succeed or be refused, never half-happen.
          const fresh = new PortalClient(node.baseUrl);
          const login = await fresh.signIn(PEOPLE[i]!, org.users[PEOPLE[i]!]!.password).catch(() => null);
          if (login) {
            outcomes.push({ what: 'sign-in', status: login.status, retryAfter: login.headers.get('retry-after'), body: login.text });
            if (login.status !== 303) expect(fresh.cookies.has('gh_session'), 'no session cookie from a refused sign-in').to.equal(false);
          }
        }
      };
      const loops = PEOPLE.map((_, i) => load(i));
      try {
        const before = outcomes.length;
        await topology.failover();
        const deadline = Date.now() + 25000;
        while (!(await topology.switched())) {
          if (Date.now() > deadline) throw new Error('the failover did not complete within 25 s');
          await new Promise((r) => setTimeout(r, 100));
        }
        // Keep the load on until both nodes have served a page and a token call from the new primary.
        let servedAfter = false;
        while (!servedAfter && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 200));
          const recent = outcomes.slice(-16);
          servedAfter = recent.filter((o) => o.status === 200).length >= 8;
        }
        expect(outcomes.length, 'requests were made during the failover').to.be.above(before);
      } finally {
        stop = true;
        await Promise.all(loops);
      }

      const unexpected = outcomes.filter((o) => ![200, 303, 503].includes(o.status));
      expect(unexpected.map((o) => `${o.what}: ${o.status} ${o.body.slice(0, 200)}`)).to.deep.equal([]);
      for (const o of outcomes.filter((x) => x.status === 503)) {
        expect(o.retryAfter, `${o.what} 503 without Retry-After`).to.match(/^\d+$/);
        expect(o.body).to.not.include('SAMLResponse');
      }
      // Every page served with 200 was the signed-in home page, never the form of someone signed out.
      for (const o of outcomes.filter((x) => x.status === 200 && x.what.startsWith('GET'))) expect(o.body).to.include('Production');

      // Nothing the replica had is lost, on either node, without restarting anything.
      for (const [i, browser] of browsers.entries()) {
        for (const node of [a, b]) {
          const home = await homeOf(browser, node);
          expect(home.status, `${PEOPLE[i]} on ${home.what}`).to.equal(200);
          expect(home.body).to.include('Production');
          expect((await listAccounts(node, tokens[i]!)).status).to.equal(200);
        }
      }
      // New sign-ins and tokens work on both nodes.
      const after = await signIn(b, 'alice');
      const token = await ssoToken(a, after);
      expect((await listAccounts(b, token)).status).to.equal(200);
    });
  });
}
