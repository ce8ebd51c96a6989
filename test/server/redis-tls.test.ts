// Redis over TLS (docs/operations.md, "TLS and ACL"): a Gatehouse process given a rediss:// URL and
// a password reaches a redis-server that speaks only TLS, checking its certificate against the
// trusted CAs (NODE_EXTRA_CA_CERTS for a private CA, read at process start, hence a child process
// here): with the CA trusted it is ready and signs people in, recording the sign-in in that Redis;
// without it the node is not ready and refuses sign-in with 503, never falling back to plain text.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createClient } from 'redis';
import { freePort } from '../support/free-port.ts';
import { PortalClient } from '../support/portal-client.ts';
import { generateSelfSignedSigningKey, type GeneratedKeyPair } from '../../idp/keys/self-signed-certificate.ts';

const PASSWORD = 'gh-tls-secret';
const ADMIN_PASSWORD = 'correct horse battery staple';

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 10_000 }, (error, _stdout, stderr) => (error ? reject(new Error(`${command}: ${error.message}\n${stderr}`)) : resolve()));
  });
}

/** A throwaway CA and a certificate for 127.0.0.1 signed by it. */
async function certificates(dir: string): Promise<void> {
  const f = (name: string) => path.join(dir, name);
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...key, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=Gatehouse test CA']);
  await run('openssl', ['req', ...key, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1']);
  fs.writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  await run('openssl', ['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', '2', '-extfile', f('server.ext')]);
}

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Redis over TLS', function () {
  this.timeout(60_000);
  let dir: string;
  let tlsPort: number;
  let signingKey: GeneratedKeyPair;
  const children: ChildProcess[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-redis-tls-'));
    // The nodes' SAML signing key, given to them so that no node spends its start making an RSA 3072
    // key; of 2048 bits, the least accepted, as what is tested here is Redis, not SAML.
    [signingKey] = await Promise.all([generateSelfSignedSigningKey('https://gatehouse.test/saml/metadata', { modulusLength: 2048 }), certificates(dir)]);
    tlsPort = await freePort();
    const f = (name: string) => path.join(dir, name);
    const redis = spawn('redis-server', [
      '--port', '0', '--tls-port', String(tlsPort), '--bind', '127.0.0.1',
      '--tls-cert-file', f('server.pem'), '--tls-key-file', f('server.key'), '--tls-ca-cert-file', f('ca.pem'), '--tls-auth-clients', 'no',
      '--requirepass', PASSWORD, '--save', '', '--appendonly', 'no', '--dir', dir,
    ], { stdio: 'ignore' });
    children.push(redis);
    await until('redis-server answers over TLS', async () => {
      const c = await createClient({ url: `rediss://127.0.0.1:${tlsPort}`, password: PASSWORD, socket: { tls: true, ca: fs.readFileSync(f('ca.pem')), reconnectStrategy: false } }).connect();
      await c.close();
      return true;
    });
  });
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A Gatehouse process on its own port and data directory, with this environment added. */
  async function gatehouse(env: Record<string, string>): Promise<string> {
    const port = await freePort();
    const dataDir = fs.mkdtempSync(path.join(dir, 'node-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        CERTS_DIR: path.join(dataDir, 'certs'),
        SIGNING_KEY_PEM: signingKey.privateKeyPem,
        SIGNING_CERT_PEM: signingKey.certificatePem,
        LOG_LEVEL: 'error',
        GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
        REDIS_URL: `rediss://127.0.0.1:${tlsPort}`,
        REDIS_PASSWORD: PASSWORD,
        ...env,
      },
      stdio: 'ignore',
    });
    children.push(child);
    const baseUrl = `http://127.0.0.1:${port}`;
    await until('Gatehouse listens', async () => ((await fetch(`${baseUrl}/healthz`)).ok ? true : null));
    return baseUrl;
  }

  it('with the CA trusted: ready, signs in, and the sign-in is recorded in the TLS-only Redis', async () => {
    const baseUrl = await gatehouse({ NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem') });
    await until('/readyz says ready', async () => ((await fetch(`${baseUrl}/readyz`)).status === 200 ? true : null));
    expect((await new PortalClient(baseUrl).signIn('admin', ADMIN_PASSWORD)).status).to.equal(303);
    const inspector = await createClient({ url: `rediss://127.0.0.1:${tlsPort}`, password: PASSWORD, socket: { tls: true, ca: fs.readFileSync(path.join(dir, 'ca.pem')) } }).connect();
    try {
      // The administrator's password step is recorded there, waiting for their second factor.
      expect((await inspector.keys('gh:*')).filter((k) => /^gh:(session|mfa-pending):/.test(k))).to.have.length(1);
    } finally {
      await inspector.close();
    }
  });

  it('without the CA: the certificate is refused, the node is not ready and sign-in answers 503', async () => {
    // The start waits up to the dependency timeout for Redis's first connection, which never comes
    // here; a certificate wrongly accepted would connect within it all the same.
    const baseUrl = await gatehouse({ DEPENDENCY_TIMEOUT_MS: '500' });
    const ready = await fetch(`${baseUrl}/readyz`);
    expect(ready.status).to.equal(503);
    expect(((await ready.json()) as { down: string[] }).down).to.include('redis');
    const signIn = await new PortalClient(baseUrl).signIn('admin', ADMIN_PASSWORD);
    expect(signIn.status).to.equal(503);
    expect(signIn.headers.get('retry-after')).to.match(/^\d+$/);
  });
});
