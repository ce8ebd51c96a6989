// Graceful shutdown, in the order a load balancer needs (docs/operations.md, "Shutdown and
// draining"):
//   1. drain: /readyz answers 503 at once, and the node goes on serving every request for the
//      drain period, so the balancer sees it as not ready and moves traffic before anything fails;
//      responses carry `Connection: close` so kept-alive clients reconnect elsewhere;
//   2. the listener closes; requests still in flight may finish within the finish period, after
//      which their connections are cut;
//   3. background work stops and SQL and the ephemeral store are closed: only now, because a
//      request still running would otherwise find its driver destroyed;
//   4. the process exits 0.
// A second SIGTERM or SIGINT exits at once, with 128 + the signal number as a shell reports it.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { constants } from 'node:os';
import type { AppState } from './app.ts';
import type { Logger } from './logger.ts';

export interface ShutdownOptions {
  server: Server;
  state: AppState;
  logger: Logger;
  drainSeconds: number;
  finishSeconds: number;
  /** Stops background work and closes SQL and the ephemeral store. */
  closeServices: () => Promise<void>;
  exit: (code: number) => void;
  /** Resolves after ms milliseconds; tests pass their own clock. */
  sleep?: (ms: number) => Promise<void>;
}

/** Counts requests whose response has not yet finished (or whose connection has not yet gone). */
export function trackInFlight(server: Server): { count: () => number; settled: () => Promise<void> } {
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
      if (inFlight === 0) {
        for (const wake of waiters) wake();
        waiters = [];
      }
    });
  });
  return {
    count: () => inFlight,
    settled: () => (inFlight === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))),
  };
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Installs the SIGTERM and SIGINT handlers (server/main.ts). */
export function installGracefulShutdown(o: ShutdownOptions): void {
  const onSignal = gracefulShutdown(o);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** What to do on a stop signal: the first begins the shutdown above, a second exits at once. */
export function gracefulShutdown(o: ShutdownOptions): (signal: NodeJS.Signals) => void {
  const requests = trackInFlight(o.server);
  const sleep = o.sleep ?? realSleep;
  const wait = (ms: number) => sleep(ms).then(() => 'elapsed' as const);
  let stopping = false;

  const shutdown = async (signal: NodeJS.Signals) => {
    o.state.draining = true;
    o.logger.info({ signal, drainSeconds: o.drainSeconds, inFlight: requests.count() }, 'shutting down: not ready, draining');
    await sleep(o.drainSeconds * 1000);

    o.server.close();
    o.server.closeIdleConnections();
    o.logger.info({ inFlight: requests.count(), finishSeconds: o.finishSeconds }, 'shutting down: listener closed, finishing requests in flight');
    const outcome = await Promise.race([requests.settled().then(() => 'settled' as const), wait(o.finishSeconds * 1000)]);
    if (outcome === 'elapsed' && requests.count() > 0) {
      o.logger.warn({ inFlight: requests.count(), finishSeconds: o.finishSeconds }, 'shutting down: requests still in flight after the finish period; cutting their connections');
    }
    o.server.closeAllConnections();

    o.logger.info('shutting down: stopping background work, closing SQL and the ephemeral store');
    await o.closeServices();
    o.logger.info('stopped');
    o.exit(0);
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      o.logger.warn({ signal }, 'second signal during shutdown: exiting now');
      o.exit(128 + constants.signals[signal]);
      return;
    }
    stopping = true;
    shutdown(signal).catch((err: unknown) => {
      o.logger.error({ err }, 'shutdown failed');
      o.exit(1);
    });
  };
  return onSignal;
}
