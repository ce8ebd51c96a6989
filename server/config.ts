// One typed configuration, read from environment variables and validated at start. A bad value
// stops the process with a message naming the variable and what is wrong. Nothing else in the
// code base reads process.env.

import path from 'node:path';
import { z } from 'zod';
import { parsePrivateTargetAllowance, type PrivateTargetAllowance } from '../access/applications/address-policy.ts';
import { ldapSettingsFromEnv, type LdapSettings } from '../directory/ldap/index.ts';
import { ValidationError } from '../model/errors.ts';
import type { RedisAddress, RedisConnection } from '../store/ephemeral/redis-connection.ts';

const port = z.coerce.number().int().min(0).max(65535);
const httpUrl = z.string().url().refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL');
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  PORT: port.default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  BASE_URL: httpUrl.optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .refine((u) => /^(postgres|postgresql):\/\//.test(u) || /^sqlite:/.test(u), 'must be postgres://… or sqlite:<file>')
    .optional(),
  // PostgreSQL only (docs/operations.md, "PostgreSQL"): connections per node, the server-side
  // statement timeout, and a read-only replica for lists and the audit log.
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600000).optional(),
  DATABASE_READ_URL: z.string().refine((u) => /^(postgres|postgresql):\/\//.test(u), 'must be postgres://…').optional(),
  REDIS_URL: z
    .string()
    .refine((u) => /^rediss?:\/\//.test(u), 'must be a redis:// or rediss:// URL')
    .optional(),
  // Sentinel or Cluster instead of one server (docs/operations.md, "Redis"); at most one of the three.
  REDIS_SENTINELS: z.string().optional(),
  REDIS_SENTINEL_MASTER: z.string().regex(/^[\w.-]+$/, 'must be the master name Sentinel monitors').optional(),
  REDIS_CLUSTER_NODES: z.string().optional(),
  REDIS_USERNAME: z.string().optional(),
  REDIS_PASSWORD: z.string().optional(),
  REDIS_TLS: bool.default(false),
  CERTS_DIR: z.string().min(1).default('./certs'),
  SIGNING_KEY_PEM: z.string().includes('PRIVATE KEY', { message: 'must be a PEM private key' }).optional(),
  SIGNING_CERT_PEM: z.string().includes('CERTIFICATE', { message: 'must be a PEM certificate' }).optional(),
  GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  GATEHOUSE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: bool.default(false),
  SSO_REGION: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must look like us-east-1').default('us-east-1'),
  STS_ENDPOINT: httpUrl.default('https://sts.amazonaws.com'),
  DEFAULT_SIGNIN_ENDPOINT: httpUrl.default('https://signin.aws.amazon.com/saml'),
  AWS_NAMEID_FORMAT: z.enum(['persistent', 'emailAddress', 'unspecified']).default('persistent'),
  ADMIN_TOKEN_TTL_MINUTES: z.coerce.number().int().min(5).max(60 * 24 * 30).default(60 * 12),
  // Days an audit event is kept before the hourly purge removes it; 0 keeps every event.
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(0).max(36500).default(365),
  DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().min(50).max(60000).default(2000),
  // SP metadata URLs (docs/saml-applications.md): one deadline per fetch, the egress rule for non-public addresses
  // (true, false, or addresses / CIDR ranges), and how often the refresher looks for due apps.
  METADATA_FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).max(60000).default(5000),
  METADATA_FETCH_ALLOW_PRIVATE: z.string().default('false').transform((v, ctx) => {
    const parsed = parsePrivateTargetAllowance(v);
    if (parsed instanceof Error) {
      ctx.addIssue({ code: 'custom', message: parsed.message });
      return z.NEVER;
    }
    return parsed;
  }),
  METADATA_REFRESH_INTERVAL_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  // Graceful shutdown (docs/operations.md): how long the node keeps serving while not ready, then
  // how long requests still running when the listener closes may take before they are cut.
  SHUTDOWN_DRAIN_SECONDS: z.coerce.number().int().min(0).max(3600).default(5),
  SHUTDOWN_FINISH_SECONDS: z.coerce.number().int().min(0).max(3600).default(10),
  // How old a node's copy of the signing key set may get before it reads it again (a key staged,
  // promoted or retired on another node or by the gatehouse command reaches it within this).
  SIGNING_KEYS_REFRESH_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  // Provisioning into AWS accounts (docs/provisioning.md): which driver, where the export driver
  // writes, the role assumed in each account, and the AWS endpoints (default: the SDK's own).
  PROVISIONING_DRIVER: z.enum(['none', 'aws', 'export']).default('none'),
  PROVISIONING_EXPORT_DIR: z.string().min(1).optional(),
  PROVISIONING_ACCESS_ROLE: z.string().regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name').default('OrganizationAccountAccessRole'),
  PROVISIONING_REGION: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must look like us-east-1').default('us-east-1'),
  PROVISIONING_IAM_ENDPOINT: httpUrl.optional(),
  PROVISIONING_STS_ENDPOINT: httpUrl.optional(),
  PROVISIONING_ORGANIZATIONS_ENDPOINT: httpUrl.optional(),
  PROVISIONING_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  // Gatehouse's own AWS credentials where the SDK's chain looks first (its environment provider),
  // read here with the rest so that the environment handed to loadConfig decides them, as it
  // decides everything else (the gatehouse command run inside the tests' process, cli/main.ts).
  // Without both, the rest of the SDK's chain (docs/provisioning.md, "Drivers").
  AWS_ACCESS_KEY_ID: z.string().optional(),
  AWS_SECRET_ACCESS_KEY: z.string().optional(),
  AWS_SESSION_TOKEN: z.string().optional(),
});

export interface Config {
  port: number;
  host: string;
  /** Public URL without a trailing slash, e.g. https://gatehouse.example.com */
  baseUrl: string;
  dataDir: string;
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  /** PostgreSQL pool size, statement timeout (ms; null: the query deadline only) and read-only replica URL (null: none). */
  postgres: { poolSize: number; statementTimeoutMs: number | null; readUrl: string | null };
  /** Redis to connect to (one server, Sentinel or Cluster); null: the embedded ephemeral store. */
  redis: RedisConnection | null;
  certsDir: string;
  signingKeyPem: string | null;
  signingCertPem: string | null;
  /** How old a node's copy of the signing key set may get before it is read again from SQL. */
  signingKeysRefreshSeconds: number;
  bootstrapAdminPassword: string | null;
  /** Server key (GATEHOUSE_SECRET) for sealing cached credentials and stored secrets; generated under certsDir when not given. */
  secret: string | null;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  trustProxy: boolean;
  ssoRegion: string;
  stsEndpoint: string;
  defaultSignInEndpoint: string;
  /** NameID format of assertions to AWS accounts; the value is always the user's primary email. */
  awsNameIdFormat: 'persistent' | 'emailAddress' | 'unspecified';
  adminTokenTtlMinutes: number;
  /** Days an audit event is kept; 0: forever. */
  auditRetentionDays: number;
  dependencyTimeoutMs: number;
  /** LDAP / Active Directory from LDAP_URL and friends; null: the admin API decides (built-in by default). */
  ldap: LdapSettings | null;
  /** Fetching SP metadata from URLs: deadline, which non-public addresses are allowed ('all' or a list), refresher period. */
  metadataFetch: { timeoutMs: number; allowPrivateTargets: PrivateTargetAllowance; refreshIntervalSeconds: number };
  /** After SIGTERM: seconds served while /readyz says 503, then seconds in-flight requests may still take. */
  shutdown: { drainSeconds: number; finishSeconds: number };
  /** Provisioning roles into accounts: driver, export folder, the role assumed per account, AWS endpoints, job lease, Gatehouse's AWS credentials. */
  provisioning: {
    driver: 'none' | 'aws' | 'export';
    exportDir: string;
    accessRoleName: string;
    region: string;
    iamEndpoint: string | undefined;
    stsEndpoint: string | undefined;
    organizationsEndpoint: string | undefined;
    leaseSeconds: number;
    /** AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; null: the SDK's credential chain finds them. */
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | null;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset, so `FOO= npm start` behaves like not setting FOO.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  if ((e.SIGNING_KEY_PEM === undefined) !== (e.SIGNING_CERT_PEM === undefined)) {
    throw new ConfigError(['SIGNING_KEY_PEM / SIGNING_CERT_PEM: set both or neither']);
  }
  let ldap: LdapSettings | null;
  try {
    ldap = ldapSettingsFromEnv(cleaned);
  } catch (err) {
    if (err instanceof ValidationError) throw new ConfigError(err.problems.map((p) => `${p.field}: ${p.message}`));
    throw err;
  }
  const redis = redisConnection(e);
  const dataDir = path.resolve(e.DATA_DIR);
  const database: Config['database'] =
    e.DATABASE_URL === undefined
      ? { kind: 'sqlite', file: path.join(dataDir, 'gatehouse.db') }
      : e.DATABASE_URL.startsWith('sqlite:')
        ? { kind: 'sqlite', file: path.resolve(e.DATABASE_URL.slice('sqlite:'.length)) }
        : { kind: 'postgres', url: e.DATABASE_URL };
  if (database.kind === 'sqlite' && e.DATABASE_READ_URL !== undefined) {
    throw new ConfigError(['DATABASE_READ_URL: a read replica needs DATABASE_URL to be postgres://… too']);
  }
  return {
    port: e.PORT,
    host: e.HOST,
    baseUrl: (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    dataDir,
    database,
    postgres: { poolSize: e.DATABASE_POOL_SIZE, statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS ?? null, readUrl: e.DATABASE_READ_URL ?? null },
    redis,
    certsDir: path.resolve(e.CERTS_DIR),
    signingKeyPem: e.SIGNING_KEY_PEM ?? null,
    signingCertPem: e.SIGNING_CERT_PEM ?? null,
    signingKeysRefreshSeconds: e.SIGNING_KEYS_REFRESH_SECONDS,
    bootstrapAdminPassword: e.GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD ?? null,
    secret: e.GATEHOUSE_SECRET ?? null,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    ssoRegion: e.SSO_REGION,
    stsEndpoint: e.STS_ENDPOINT.replace(/\/+$/, ''),
    defaultSignInEndpoint: e.DEFAULT_SIGNIN_ENDPOINT,
    awsNameIdFormat: e.AWS_NAMEID_FORMAT,
    adminTokenTtlMinutes: e.ADMIN_TOKEN_TTL_MINUTES,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    dependencyTimeoutMs: e.DEPENDENCY_TIMEOUT_MS,
    ldap,
    metadataFetch: {
      timeoutMs: e.METADATA_FETCH_TIMEOUT_MS,
      allowPrivateTargets: e.METADATA_FETCH_ALLOW_PRIVATE,
      refreshIntervalSeconds: e.METADATA_REFRESH_INTERVAL_SECONDS,
    },
    shutdown: { drainSeconds: e.SHUTDOWN_DRAIN_SECONDS, finishSeconds: e.SHUTDOWN_FINISH_SECONDS },
    provisioning: {
      driver: e.PROVISIONING_DRIVER,
      exportDir: path.resolve(e.PROVISIONING_EXPORT_DIR ?? path.join(dataDir, 'cloudformation')),
      accessRoleName: e.PROVISIONING_ACCESS_ROLE,
      region: e.PROVISIONING_REGION,
      iamEndpoint: e.PROVISIONING_IAM_ENDPOINT,
      stsEndpoint: e.PROVISIONING_STS_ENDPOINT,
      organizationsEndpoint: e.PROVISIONING_ORGANIZATIONS_ENDPOINT,
      leaseSeconds: e.PROVISIONING_LEASE_SECONDS,
      credentials:
        e.AWS_ACCESS_KEY_ID !== undefined && e.AWS_SECRET_ACCESS_KEY !== undefined
          ? { accessKeyId: e.AWS_ACCESS_KEY_ID, secretAccessKey: e.AWS_SECRET_ACCESS_KEY, ...(e.AWS_SESSION_TOKEN !== undefined ? { sessionToken: e.AWS_SESSION_TOKEN } : {}) }
          : null,
    },
  };
}

function redisConnection(e: z.infer<typeof schema>): RedisConnection | null {
  const chosen = (['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const).filter((name) => e[name] !== undefined);
  if (chosen.length > 1) throw new ConfigError([`${chosen.join(' / ')}: set only one way to reach Redis`]);
  if (e.REDIS_SENTINEL_MASTER !== undefined && e.REDIS_SENTINELS === undefined) {
    throw new ConfigError(['REDIS_SENTINEL_MASTER: only meaningful with REDIS_SENTINELS']);
  }
  const auth = { username: e.REDIS_USERNAME ?? null, password: e.REDIS_PASSWORD ?? null, tls: e.REDIS_TLS };
  if (e.REDIS_URL !== undefined) {
    // A URL carries its own user, password and scheme; the variables only fill in what it leaves out.
    const url = new URL(e.REDIS_URL);
    return {
      kind: 'url',
      url: e.REDIS_URL,
      username: url.username === '' ? auth.username : null,
      password: url.password === '' ? auth.password : null,
      tls: url.protocol === 'rediss:' || auth.tls,
    };
  }
  const addresses = (name: 'REDIS_SENTINELS' | 'REDIS_CLUSTER_NODES', value: string) => {
    try {
      return parseRedisAddresses(value);
    } catch (err) {
      throw new ConfigError([`${name}: ${(err as Error).message}`]);
    }
  };
  if (e.REDIS_SENTINELS !== undefined) {
    if (e.REDIS_SENTINEL_MASTER === undefined) throw new ConfigError(['REDIS_SENTINEL_MASTER: required with REDIS_SENTINELS']);
    return { kind: 'sentinel', sentinels: addresses('REDIS_SENTINELS', e.REDIS_SENTINELS), masterName: e.REDIS_SENTINEL_MASTER, ...auth };
  }
  if (e.REDIS_CLUSTER_NODES !== undefined) return { kind: 'cluster', nodes: addresses('REDIS_CLUSTER_NODES', e.REDIS_CLUSTER_NODES), ...auth };
  if (auth.username !== null || auth.password !== null) {
    throw new ConfigError(['REDIS_USERNAME / REDIS_PASSWORD: set REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES too']);
  }
  return null;
}

/** Parses `host:port,host:port` (IPv6 as `[::1]:26379`); throws with a message naming the bad entry. */
function parseRedisAddresses(list: string): RedisAddress[] {
  const entries = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (entries.length === 0) throw new Error('must list at least one host:port');
  return entries.map((entry) => {
    const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(entry);
    const port = match ? Number(match[3]) : NaN;
    if (!match || port < 1 || port > 65535) throw new Error(`"${entry}" is not host:port`);
    return { host: match[1] ?? match[2]!, port };
  });
}
