// A Gatehouse pointed at the STS stand-in, with a small organization, and bearer tokens minted the
// way SSO OIDC CreateToken mints them (bound to a real portal session signed in over HTTP).
import { SSOClient } from '@aws-sdk/client-sso';
import { hashSessionId } from '../../access/portal-sessions.ts';
import { startGatehouse, type StartOptions, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { startStsStandIn, type StsStandIn } from '../support/sts-standin.ts';

export const PROD = '111122223333';
export const DEV = '444455556666';
export const SANDBOX = '777788889999';

export interface PortalApiWorld {
  gh: TestGatehouse;
  sts: StsStandIn;
  org: SeededOrg;
  /** Signs the user in to the portal and issues an SSO bearer token bound to that session. */
  tokenFor(userName: string): Promise<{ accessToken: string; browser: PortalClient }>;
  /** The AWS SDK's SSO client pointed at Gatehouse (one attempt: no retries hide the first answer). */
  sso(): SSOClient;
  close(): Promise<void>;
}

export async function startPortalApiWorld(options: StartOptions = {}): Promise<PortalApiWorld> {
  const sts = await startStsStandIn();
  let gh: TestGatehouse;
  try {
    gh = await startGatehouse({ ...options, env: { STS_ENDPOINT: sts.url, ...options.env } });
  } catch (e) {
    await sts.close();
    throw e;
  }
  await sts.trust(`${gh.baseUrl}/saml/metadata`);
  const org = await seedOrganization(gh.services, {
    users: [
      { userName: 'alice', email: 'alice@example.com' },
      { userName: 'bob', email: 'bob@example.com' },
      { userName: 'carol', email: 'carol@example.com' },
    ],
    groups: [{ name: 'engineers', members: ['alice', 'bob'] }],
    accounts: [
      { accountId: PROD, name: 'Production', email: 'prod@example.com', samlProviderName: 'GatehouseIdP' },
      { accountId: DEV, name: 'Development', email: 'dev@example.com' },
      { accountId: SANDBOX, name: 'Sandbox', email: 'sandbox@example.com' },
    ],
    permissionSets: [
      { name: 'AdministratorAccess', sessionDuration: 'PT2H' },
      { name: 'ReadOnly', sessionDuration: 'PT8H' },
      { name: 'Billing', sessionDuration: 'PT1H' },
    ],
    assignments: [
      { accountId: PROD, set: 'AdministratorAccess', group: 'engineers' },
      { accountId: PROD, set: 'ReadOnly', user: 'alice' },
      { accountId: DEV, set: 'ReadOnly', user: 'alice' },
      { accountId: SANDBOX, set: 'Billing', user: 'bob' },
    ],
  });
  const clients: SSOClient[] = [];
  return {
    gh,
    sts,
    org,
    async tokenFor(userName) {
      const browser = new PortalClient(gh.baseUrl);
      const login = await browser.signIn(userName, org.users[userName]!.password);
      if (login.status !== 303) throw new Error(`sign-in of ${userName} failed: ${login.status}`);
      const { accessToken } = await gh.services.ssoAccessTokens.issue(
        {
          userId: org.users[userName]!.id,
          source: 'builtin',
          portalSessionHash: hashSessionId(browser.cookies.get('gh_session')!),
          clientId: 'test-client',
          scopes: ['sso:account:access'],
        },
        3600,
      );
      return { accessToken, browser };
    },
    sso() {
      const client = new SSOClient({ region: 'us-east-1', endpoint: gh.baseUrl, maxAttempts: 1 });
      clients.push(client);
      return client;
    },
    async close() {
      for (const c of clients) c.destroy();
      await gh.close();
      await sts.close();
    },
  };
}

/** A raw call to the portal API, for what the SDK hides (headers, exact bodies, bad parameters). */
export async function rawPortalApi(baseUrl: string, method: string, pathAndQuery: string, token?: string) {
  const res = await fetch(baseUrl + pathAndQuery, { method, headers: token === undefined ? {} : { 'x-amz-sso_bearer_token': token } });
  const text = await res.text();
  let json: Record<string, any> | null = null;
  try {
    json = text ? (JSON.parse(text) as Record<string, any>) : null;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, text, json, headers: res.headers };
}

/** The error an SDK call rejects with (name = the AWS error code, $metadata.httpStatusCode). */
export async function failure(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}

export interface TwoNodes {
  /** Node A, with the STS stand-in and the seeded organization. */
  a: PortalApiWorld;
  /** Node B: the same database, Redis and signing key, its own port and its own process memory. */
  b: TestGatehouse;
  db: TestDatabase;
  close(): Promise<void>;
}

/** Two Gatehouse nodes sharing a fresh PostgreSQL database and the Redis at `redisUrl`. */
export async function startTwoNodes(redisUrl: string): Promise<TwoNodes> {
  const db = await createTestDatabase();
  const env = { DATABASE_URL: db.url, REDIS_URL: redisUrl };
  const a = await startPortalApiWorld({ env });
  const b = await startGatehouse({ env: { ...env, STS_ENDPOINT: a.sts.url }, dataDir: a.gh.config.dataDir });
  return {
    a,
    b,
    db,
    async close() {
      await b.close();
      await a.close();
      await db.drop();
    },
  };
}
