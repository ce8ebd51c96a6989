// A private redis-server for tests: its own port and temp dir, no persistence, so a test can stop
// it, pause it or restart it without touching anyone else's Redis (DESIGN.md, "Tests start what
// they need themselves").
//
//   const redis = await startRedisServer();
//   after(() => redis.stop());
//   ... createClient({ url: redis.url }) ...
//   await redis.stop();     // Redis is down: connections drop, new ones are refused
//   await redis.restart();  // up again on the same port, empty
//   redis.pause();          // Redis hangs: connections stay open but nothing answers (SIGSTOP)
//   redis.resume();
//
// Every server still running when the test process exits is killed and its temp dir removed.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { restartablePorts } from './free-port.ts';

export interface PrivateRedis {
  /** `redis://127.0.0.1:<port>`; stays the same across restarts. */
  readonly url: string;
  readonly port: number;
  /** Kills the server (like a crash) and waits until it has exited. Idempotent. */
  stop(): Promise<void>;
  /** Stops it if running, then starts it again on the same port (empty) and waits until it answers PING. */
  restart(): Promise<void>;
  /** Freezes the server (SIGSTOP): sockets stay open, nothing answers. */
  pause(): void;
  /** Unfreezes a paused server. */
  resume(): void;
}

const READY_TIMEOUT_MS = 5000;
const running = new Set<ChildProcess>();
const tempDirs = new Set<string>();

// Mocha runs with `exit: true`, so 'exit' is the one hook that always fires; it must be synchronous.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp dir, removed when the test process exits. */
export function redisTempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-redis-'));
  tempDirs.add(dir);
  return dir;
}

export async function startRedisServer(): Promise<PrivateRedis> {
  const dir = redisTempDir();
  // Below the ephemeral range: while a test has Redis stopped, nobody else is handed its port.
  const [port] = (await restartablePorts(1)) as [number];
  let child: ChildProcess | null = await launch(port, dir);

  const stop = async (): Promise<void> => {
    const c = child;
    child = null;
    if (c === null) return;
    await kill(c);
  };

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    async restart() {
      await stop();
      child = await launch(port, dir);
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
  };
}

/** Starts redis-server on `port` (extra arguments e.g. for Cluster mode) and waits until it answers PING. */
export async function launch(port: number, dir: string, extraArgs: readonly string[] = [], configFile?: string): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    // A Sentinel needs a config file it can rewrite, given first; it takes no persistence options.
    // A data node starts a replica's first full sync at once, instead of Redis's default 5 s wait for
    // more replicas to share the transfer (repl-diskless-sync-delay): until then the replica has
    // nothing, and a WAIT for it (before a failover in a test) times out.
    configFile !== undefined
      ? [configFile, '--port', String(port), '--bind', '127.0.0.1', ...extraArgs]
      : ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0', '--dir', dir, ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let log = '';
  const collect = (chunk: Buffer): void => {
    log = (log + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  child.once('exit', () => {
    exited = true;
    running.delete(child);
  });
  child.once('error', (e) => {
    log += `\n${e.message}`;
    exited = true;
  });

  const deadline = Date.now() + READY_TIMEOUT_MS;
  // A Sentinel does not log 'Ready to accept connections'; it logs its id once listening.
  const readyLine = configFile !== undefined ? 'Sentinel ID is' : 'Ready to accept connections';
  // Ready means: this process logged that it accepts connections (after binding its port) and the
  // port answers PING; a restart that found its port taken fails instead of using a stranger.
  while (Date.now() < deadline && !exited) {
    if (log.includes(readyLine) && (await answersPing(port)) && !exited) return child;
    await new Promise((r) => setTimeout(r, 20));
  }
  await kill(child);
  throw new Error(`redis-server on port ${port} did not answer within ${READY_TIMEOUT_MS} ms:\n${log}`);
}

export function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    // SIGKILL works on a paused (SIGSTOPped) process too.
    child.kill('SIGKILL');
  });
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

