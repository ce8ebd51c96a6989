// The order of a graceful shutdown (server/shutdown.ts), on a real HTTP server in this process
// with the clock in the test's hands: requests under way are answered before the stores close, a
// request that outlives the finish period is cut, and a second signal exits at once.
// test/server/process.test.ts stops the real process.
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { AppState } from '../../server/app.ts';
import { createLogger } from '../../server/logger.ts';
import { gracefulShutdown } from '../../server/shutdown.ts';

/** Sleeps that end when the test says so. */
class ManualClock {
  private pending: { ms: number; wake: () => void }[] = [];
  sleep = (ms: number) => new Promise<void>((wake) => this.pending.push({ ms, wake }));
  /** Ends the oldest sleep, which must be of `ms` milliseconds. */
  async elapse(ms: number): Promise<void> {
    await until(() => this.pending.length > 0);
    const next = this.pending.shift()!;
    expect(next.ms).to.equal(ms);
    next.wake();
  }
}

async function until(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !predicate(); i++) await new Promise((r) => setImmediate(r));
  expect(predicate(), 'condition never became true').to.equal(true);
}

interface World {
  server: Server;
  url: string;
  state: AppState;
  clock: ManualClock;
  log: { level: number; msg: string; inFlight?: number }[];
  /** Resolved when /slow has been received; /slow answers once release() is called. */
  slowReceived: Promise<void>;
  release: () => void;
  slowAnswered: () => boolean;
  events: string[];
  onSignal: (signal: NodeJS.Signals) => void;
}

async function world(drainSeconds: number, finishSeconds: number): Promise<World> {
  let received!: () => void;
  const slowReceived = new Promise<void>((r) => (received = r));
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let answered = false;
  const server = http.createServer((req, res) => {
    if (req.url === '/slow') {
      received();
      void released.then(() => res.end('done', () => (answered = true)));
    } else res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const log: World['log'] = [];
  const logger = createLogger('info', { write: (line: string) => void log.push(JSON.parse(line)) });
  const state: AppState = { draining: false };
  const clock = new ManualClock();
  const events: string[] = [];
  const onSignal = gracefulShutdown({
    server,
    state,
    logger,
    drainSeconds,
    finishSeconds,
    closeServices: async () => void events.push(`close services (slow answered: ${answered})`),
    exit: (code) => void events.push(`exit ${code}`),
    sleep: clock.sleep,
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, url, state, clock, log, slowReceived, release, slowAnswered: () => answered, events, onSignal };
}

describe('graceful shutdown', () => {
  let w: World;
  afterEach(() => {
    w.release();
    w.server.closeAllConnections();
    w.server.close();
  });

  it('stays open through the drain, then closes the listener and answers the request under way before closing the stores', async () => {
    w = await world(5, 10);
    const slow = fetch(`${w.url}/slow`);
    await w.slowReceived;

    w.onSignal('SIGTERM');
    expect(w.state.draining).to.equal(true);
    // Draining: still listening and answering.
    expect((await fetch(`${w.url}/other`)).status).to.equal(200);
    expect(w.server.listening).to.equal(true);

    await w.clock.elapse(5000);
    await until(() => !w.server.listening);
    // The finish period is running, the request is still under way: the stores stay open.
    expect(w.events).to.deep.equal([]);

    w.release();
    const answer = await slow;
    expect(answer.status).to.equal(200);
    expect(await answer.text()).to.equal('done');
    await until(() => w.events.length === 2);
    expect(w.events).to.deep.equal(['close services (slow answered: true)', 'exit 0']);
    expect(w.log.map((l) => l.msg)).to.deep.equal([
      'shutting down: not ready, draining',
      'shutting down: listener closed, finishing requests in flight',
      'shutting down: stopping background work, closing SQL and the ephemeral store',
      'stopped',
    ]);
    expect(w.log[1]!.inFlight).to.equal(1);
  });

  it('cuts a request still running when the finish period ends, says so, then closes the stores and exits 0', async () => {
    w = await world(0, 10);
    const slow = fetch(`${w.url}/slow`).then(
      () => 'answered',
      () => 'cut',
    );
    await w.slowReceived;
    w.onSignal('SIGTERM');
    await w.clock.elapse(0);
    await w.clock.elapse(10000);
    expect(await slow).to.equal('cut');
    await until(() => w.events.length === 2);
    expect(w.events).to.deep.equal(['close services (slow answered: false)', 'exit 0']);
    const warning = w.log.find((l) => l.level === 40);
    expect(warning).to.include({ msg: 'shutting down: requests still in flight after the finish period; cutting their connections', inFlight: 1 });
  });

  it('exits at once on a second signal, with 128 + its number, without waiting for the drain', async () => {
    w = await world(600, 10);
    w.onSignal('SIGTERM');
    w.onSignal('SIGINT');
    expect(w.events).to.deep.equal(['exit 130']);
    expect(w.log.at(-1)).to.include({ level: 40, msg: 'second signal during shutdown: exiting now' });
  });
});
