// A private PostgreSQL server for tests that stop and start it (the primary restarted under load),
// made with the distribution's initdb and pg_ctl in a temp directory, on a port below the ephemeral
// range (free-port.ts restartablePorts) so the restart finds its port free. Trust authentication
// on 127.0.0.1 only; no fsync (nothing here must survive a crash of the machine).
//
//   const pg = await startPrivatePostgres();
//   after(() => pg.close());
//   ... DATABASE_URL: pg.url ... await pg.stop(); ... await pg.start();
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { restartablePorts } from './free-port.ts';

const run = promisify(execFile);

export interface PrivatePostgres {
  /** postgres:// URL of the `postgres` database on it. */
  readonly url: string;
  readonly port: number;
  /** pg_ctl stop -m fast: open connections are ended, as when a primary restarts. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory, waiting until it accepts connections. */
  start(): Promise<void>;
  /** Stops it (if running) and removes its data directory. */
  close(): Promise<void>;
}

/** The newest PostgreSQL server binaries installed under /usr/lib/postgresql/<major>/bin. */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a)) : [];
  if (majors.length === 0) throw new Error(`no PostgreSQL server under ${root}`);
  return path.join(root, majors[0]!, 'bin');
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-pg-'));
  // PostgreSQL refuses to run as root; as root, run it as the postgres system user.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await run('chown', ['postgres', dir]);
  const tool = (name: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, name), ...args]) : run(path.join(bin, name), args);
  const data = path.join(dir, 'data');
  await tool('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const [port] = (await restartablePorts(1)) as [number];
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  let running = false;
  const start = async () => {
    await tool('pg_ctl', ['-D', data, '-o', serverOptions, '-l', path.join(dir, 'server.log'), '-w', '-t', '20', 'start']);
    running = true;
  };
  const stop = async () => {
    await tool('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '20', 'stop']);
    running = false;
  };
  try {
    await start();
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start,
    async close() {
      if (running) await stop().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
