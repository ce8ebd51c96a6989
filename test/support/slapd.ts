// A private OpenLDAP slapd for tests: its own port, temp dir, slapd.conf (mdb backend, suffix
// dc=example,dc=org, schemas core/cosine/inetorgperson/nis plus a few AD attributes, the memberof,
// refint and ppolicy overlays), seeded from test/support/ldap-seed/seed.ldif. A test can stop it,
// freeze it, start it again on the same port with the same data, and change entries
// (DESIGN.md, "Tests start what they need themselves").
//
//   const slapd = await startSlapd();
//   after(() => slapd.close());
//   await slapd.stop();                 // down: connections drop, new ones are refused
//   await slapd.start();                // back on the same port, same data
//   slapd.pause(); slapd.resume();      // hangs: connections are accepted, nothing answers (SIGSTOP)
//   await slapd.ldapmodify(ldif);       // as the root DN, through ldapmodify(1)
//   await slapd.ldapsearch(base, filter, ['entryUUID'])  // LDIF, as the root DN
//   slapd.log()                         // slapd's "stats" log (connections, binds, searches)
//
// Needs /usr/sbin/slapd and ldap-utils (scripts/setup.sh installs both). Every slapd still
// running when the test process exits is killed and its temp dir removed.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { restartablePorts } from './free-port.ts';

export interface PrivateSlapd {
  /** `ldap://127.0.0.1:<port>`; stays the same across restarts. */
  readonly url: string;
  readonly port: number;
  /** Only with `{ tls: true }`: `ldaps://127.0.0.1:<port>`; StartTLS also works on `url`. */
  readonly ldapsUrl: string | null;
  /** Only with `{ tls: true }`: the CA that signed the server certificate (for `localhost`). */
  readonly caCertificatePem: string | null;
  /** The read-only service account the seed creates. */
  readonly bindDn: string;
  readonly bindPassword: string;
  readonly baseDn: string;
  readonly rootDn: string;
  readonly rootPassword: string;
  /** Stops slapd (SIGTERM, then waits for it to exit). The data stays. Idempotent. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data; waits until it accepts connections. */
  start(): Promise<void>;
  /** Freezes slapd (SIGSTOP): the kernel still accepts connections, slapd answers nothing. */
  pause(): void;
  resume(): void;
  /** Applies LDIF change records (changetype: modify / modrdn / add / delete) as the root DN. */
  ldapmodify(ldif: string): Promise<void>;
  /** Runs ldapsearch(1) as the root DN; returns its LDIF (no line wrapping), e.g. to read an entryUUID. */
  ldapsearch(baseDn: string, filter: string, attributes?: string[]): Promise<string>;
  /** slapd's stats log since it was first started (ACCEPT, BIND, SRCH lines). */
  log(): string;
  /** Stops slapd and removes its temp dir. */
  close(): Promise<void>;
}

export interface SlapdOptions {
  /** Also serve ldaps:// and StartTLS with a throwaway CA and a certificate for `localhost`. */
  tls?: boolean;
}

const SLAPD = '/usr/sbin/slapd';
const SEED_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ldap-seed');
const BASE_DN = 'dc=example,dc=org';
const ROOT_DN = `cn=admin,${BASE_DN}`;
const ROOT_PASSWORD = 'root-secret-1';
const READY_TIMEOUT_MS = 10_000;

const running = new Set<ChildProcess>();
const tempDirs = new Set<string>();

// Mocha runs with `exit: true`, so 'exit' is the one hook that always fires; it must be synchronous.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

export async function startSlapd(options: SlapdOptions = {}): Promise<PrivateSlapd> {
  if (!fs.existsSync(SLAPD)) {
    throw new Error(`${SLAPD} is missing: run scripts/setup.sh (installs the slapd and ldap-utils Debian packages)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-slapd-'));
  tempDirs.add(dir);
  fs.mkdirSync(path.join(dir, 'db'));
  const caCertificatePem = options.tls ? await makeCertificates(dir) : null;
  fs.writeFileSync(path.join(dir, 'slapd.conf'), slapdConf(dir, options.tls === true));

  const logs: string[] = [];
  // A port found free can be taken by someone else before slapd binds it: try fresh ports a few times.
  let port = 0;
  let tlsPort: number | null = null;
  let listen = '';
  let child: ChildProcess | null = null;
  for (let attempt = 1; child === null; attempt++) {
    // Below the ephemeral range: while a test has slapd stopped, nobody else is handed its port.
    const ports = await restartablePorts(options.tls ? 2 : 1);
    port = ports[0]!;
    tlsPort = ports[1] ?? null;
    listen = [`ldap://127.0.0.1:${port}/`, ...(tlsPort ? [`ldaps://127.0.0.1:${tlsPort}/`] : [])].join(' ');
    try {
      child = await launch(dir, listen, port, logs);
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
  const url = `ldap://127.0.0.1:${port}`;

  const start = async (): Promise<void> => {
    if (child) return;
    child = await launch(dir, listen, port, logs);
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = null;
    if (c) await terminate(c);
  };
  const ldapmodify = async (ldif: string): Promise<void> => {
    await run('ldapmodify', ['-x', '-H', url, '-D', ROOT_DN, '-w', ROOT_PASSWORD], ldif);
  };

  try {
    // ldapadd (not slapadd) so the memberof and refint overlays see every entry, as in production.
    await run('ldapadd', ['-x', '-H', url, '-D', ROOT_DN, '-w', ROOT_PASSWORD, '-f', path.join(SEED_DIR, 'seed.ldif')]);
  } catch (e) {
    await stop();
    throw e;
  }

  return {
    url,
    port,
    ldapsUrl: tlsPort ? `ldaps://127.0.0.1:${tlsPort}` : null,
    caCertificatePem,
    bindDn: `cn=gatehouse-svc,ou=services,${BASE_DN}`,
    bindPassword: 'svc-secret-1',
    baseDn: BASE_DN,
    rootDn: ROOT_DN,
    rootPassword: ROOT_PASSWORD,
    stop,
    start,
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    ldapmodify,
    ldapsearch: (baseDn, filter, attributes = []) =>
      run('ldapsearch', ['-x', '-LLL', '-o', 'ldif-wrap=no', '-H', url, '-D', ROOT_DN, '-w', ROOT_PASSWORD, '-b', baseDn, filter, ...attributes]),
    log: () => logs.join(''),
    async close() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    },
  };
}

function slapdConf(dir: string, tls: boolean): string {
  const schema = (name: string): string => `include /etc/ldap/schema/${name}.schema`;
  return `${[
    schema('core'),
    schema('cosine'),
    schema('inetorgperson'),
    schema('nis'),
    `include ${path.join(SEED_DIR, 'ad-like.schema')}`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    'moduleload memberof',
    'moduleload refint',
    'moduleload ppolicy',
    `pidfile ${path.join(dir, 'slapd.pid')}`,
    `argsfile ${path.join(dir, 'slapd.args')}`,
    ...(tls
      ? [
          `TLSCACertificateFile ${path.join(dir, 'ca.pem')}`,
          `TLSCertificateFile ${path.join(dir, 'server.pem')}`,
          `TLSCertificateKeyFile ${path.join(dir, 'server.key')}`,
        ]
      : []),
    'sizelimit 500',
    'database mdb',
    'maxsize 67108864',
    `suffix "${BASE_DN}"`,
    `rootdn "${ROOT_DN}"`,
    `rootpw ${ROOT_PASSWORD}`,
    `directory ${path.join(dir, 'db')}`,
    'index objectClass,uid,cn,member,uniqueMember,mail,sAMAccountName,userPrincipalName eq',
    'index entryUUID,objectGUID eq',
    // Passwords: usable for a bind, readable by nobody. Everything else: readable by any bound
    // identity (the service account), nothing for anonymous, so an unauthenticated bind finds nothing.
    'access to attrs=userPassword',
    '  by self =xw',
    '  by anonymous auth',
    '  by * none',
    'access to *',
    '  by users read',
    '  by * none',
    'overlay memberof',
    'memberof-refint TRUE',
    'overlay refint',
    'refint_attributes member uniqueMember',
    // For pwdAccountLockedTime (the seed's locked account); no default policy is enforced.
    'overlay ppolicy',
  ].join('\n')}\n`;
}

async function launch(dir: string, listen: string, port: number, logs: string[]): Promise<ChildProcess> {
  // -d 256 ("stats") keeps slapd in the foreground and logs every connection and operation to stderr.
  const child = spawn(SLAPD, ['-f', path.join(dir, 'slapd.conf'), '-h', listen, '-d', '256'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Ready means: this process logged "slapd starting" (it does so only once its listeners are
  // bound) and the port accepts. The log of an earlier run of the same slapd does not count, nor
  // does whoever else answers on the port: a restart that found its port taken must fail here,
  // not leave the test talking to a stranger while pause() freezes a process that has exited.
  const since = logs.length;
  const thisRun = () => logs.slice(since).join('');
  running.add(child);
  const collect = (chunk: Buffer): void => void logs.push(chunk.toString());
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  child.once('exit', () => {
    exited = true;
    running.delete(child);
  });
  child.once('error', (e) => {
    logs.push(`\n${e.message}`);
    exited = true;
  });

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !exited) {
    if (thisRun().includes('slapd starting') && (await accepts(port)) && !exited) return child;
    await new Promise((r) => setTimeout(r, 20));
  }
  await terminate(child);
  throw new Error(`slapd on port ${port} did not start within ${READY_TIMEOUT_MS} ms:\n${thisRun().slice(-4000)}`);
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    // A frozen slapd cannot handle SIGTERM; wake it first. SIGKILL if it dawdles.
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => done(true));
  });
}

function run(command: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
    child.stdin?.end(input ?? '');
  });
}

/** A throwaway CA and a server certificate for localhost / 127.0.0.1; returns the CA's PEM. */
async function makeCertificates(dir: string): Promise<string> {
  const f = (name: string): string => path.join(dir, name);
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...ecKey, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=Gatehouse test CA']);
  await run('openssl', ['req', ...ecKey, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost']);
  fs.writeFileSync(f('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  await run('openssl', [
    'x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial',
    '-out', f('server.pem'), '-days', '2', '-extfile', f('server.ext'),
  ]);
  return fs.readFileSync(f('ca.pem'), 'utf8');
}
