// Starts a real Gatehouse in this process on a free port, with its own data directory, for tests
// that go through the HTTP surface. Each call is independent (own SQLite file or own PostgreSQL
// database), so nothing depends on test order.
//
// Costs that buy nothing in a test are taken out here, never switched by the server itself: the
// SAML signing key is a fixture generated once per test process (test/support/signing-keys.ts)
// instead of a new RSA 3072 key per start, so are the OpenID Provider's keys, and password hashes
// use a trivial argon2id cost.
// test/directory/passwords.test.ts and test/server/process.test.ts check the production cost.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { DestinationStream } from 'pino';
import { ensureBootstrapAdmin } from '../../access/bootstrap-admin.ts';
import type { AppState } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { createHttpServer } from '../../server/http-server.ts';
import { createLogger } from '../../server/logger.ts';
import type { Argon2idCost } from '../../directory/passwords.ts';
import { createServices, type ServiceOptions, type Services } from '../../server/services.ts';
import { freePort } from './free-port.ts';
import { fixtureOidcKey, placeFixtureSigningKey } from './signing-keys.ts';
import { TestClock } from './test-clock.ts';
import { MFA_OFF, type MfaPolicy } from '../../model/mfa.ts';

export const ADMIN_PASSWORD = 'correct-horse-battery-staple';

/** argon2id's smallest cost (RFC 9106 §3.1: at least 8 KiB per lane, one pass); tests only. */
export const TEST_PASSWORD_HASH_COST: Argon2idCost = { memoryCost: 8, timeCost: 1, parallelism: 1 };

export interface TestGatehouse {
  baseUrl: string;
  config: Config;
  services: Services;
  state: AppState;
  /** The time this instance's expiry decisions read: `clock.advance(ms)` instead of sleeping. */
  clock: TestClock;
  /** A bearer token of the bootstrap administrator. */
  adminToken(): Promise<string>;
  /** fetch() against the admin API with the admin token; JSON in, parsed JSON out. */
  api(method: string, pathAndQuery: string, body?: unknown, token?: string | null): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Extra environment, e.g. DATABASE_URL, REDIS_URL. */
  env?: Record<string, string>;
  /** Share another instance's data directory (two nodes on one SQLite file / certs). */
  dataDir?: string;
  port?: number;
  /** Where Gatehouse's log goes, at what level; default: nowhere (GATEHOUSE_TEST_LOG_LEVEL, else silent). */
  log?: { level: string; destination: DestinationStream };
  /**
   * Which test signing key a new certs directory starts with (default 'default', shared by every
   * instance in the process); a different name gives a different key; false lets Gatehouse
   * generate its own, as a first start does.
   */
  signingKey?: string | false;
  /** argon2id cost of new password hashes; default TEST_PASSWORD_HASH_COST. */
  passwordHashCost?: Argon2idCost;
  /** The clock to run on (two nodes share one to see the same time); default: a new TestClock. */
  clock?: TestClock;
  /** The provisioning driver's AWS credentials, backoff and clock (server/provisioning-services.ts). */
  provisioning?: ServiceOptions['provisioning'];
  /**
   * The instance's MFA policy, set before the server answers. Default: off, so tests of other
   * things sign in with a password alone; 'keep' leaves what the database has (a new instance:
   * MFA at every sign-in; a shared database: what the first node set).
   */
  mfa?: MfaPolicy | 'keep';
}

export async function startGatehouse(options: StartOptions = {}): Promise<TestGatehouse> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'gatehouse-test-'));
  const port = options.port ?? (await freePort());
  const clock = options.clock ?? new TestClock();
  const certsDir = path.join(dataDir, 'certs');
  if (options.signingKey !== false) await placeFixtureSigningKey(certsDir, options.signingKey);
  const config = loadConfig({
    PORT: String(port),
    DATA_DIR: dataDir,
    CERTS_DIR: certsDir,
    GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOG_LEVEL: options.log?.level ?? process.env.GATEHOUSE_TEST_LOG_LEVEL ?? 'silent',
    DEPENDENCY_TIMEOUT_MS: '1000',
    ...options.env,
  });
  const services = await createServices(config, createLogger(config.logLevel, options.log?.destination), {
    passwordHashCost: options.passwordHashCost ?? TEST_PASSWORD_HASH_COST,
    oidcKeyGenerator: fixtureOidcKey,
    clock,
    provisioning: options.provisioning,
  });
  await ensureBootstrapAdmin(services.sql.directory, services.users, config.bootstrapAdminPassword);
  if (options.mfa !== 'keep') await services.sql.instance.update({ mfa: options.mfa ?? MFA_OFF });
  const state: AppState = { draining: false };
  const server: Server = await new Promise((resolve) => {
    const s = createHttpServer(services, state).listen(port, '127.0.0.1', () => resolve(s));
  });
  let token: string | null = null;

  const gatehouse: TestGatehouse = {
    baseUrl: config.baseUrl,
    config,
    services,
    state,
    clock,
    async adminToken() {
      if (token) return token;
      const res = await fetch(`${config.baseUrl}/api/v1/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userName: 'admin', password: ADMIN_PASSWORD }),
      });
      if (res.status === 401 && (await services.mfa.required())) {
        // MFA is on and admin has no authenticator app: the token a console session would mint.
        const admin = await services.sql.directory.getUserByName('admin');
        if (!admin) throw new Error('admin token: no admin user');
        token = (await services.adminTokens.issueForSession(admin, '127.0.0.1')).token;
        return token;
      }
      if (res.status !== 201) throw new Error(`admin token: ${res.status} ${await res.text()}`);
      token = ((await res.json()) as { token: string }).token;
      return token;
    },
    async api(method, pathAndQuery, body, explicitToken) {
      const bearer = explicitToken === undefined ? await gatehouse.adminToken() : explicitToken;
      const headers: Record<string, string> = {};
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${config.baseUrl}/api/v1${pathAndQuery}`, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await services.close();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return gatehouse;
}
