// One structured log line per request, with a request id echoed in X-Request-Id. Query strings
// are left out of the log: they can carry codes and tokens.
//
// `requestLog` makes, once per server, the function that begins every request at the node:http
// level (server/http-server.ts), before either the portal API's own handler or express sees it,
// so every surface logs the same way.
// Express handlers then find the id as `req.id` and a child logger as `req.log`, made on first
// use only: most requests never log anything but the request line, and a pino child costs more
// than the rest of this file (bindings serialised through the redaction rules).
//
// The request line itself goes through a sibling logger without redaction, on the same stream:
// its fields are fixed and never secret (an id made here, the method, the path without its
// query, the status, the time), and pino's redaction over REDACTED_PATHS costs ~9 µs a line,
// about a quarter of what the rest of a cached GetRoleCredentials call spends in JavaScript.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino } from 'pino';
import type { Logger } from './logger.ts';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    log: Logger;
  }
}

const ID = Symbol('request id');
const PARENT = Symbol('request log parent');
const CHILD = Symbol('request log child');

interface LoggedRequest extends IncomingMessage {
  [ID]?: string;
  [PARENT]?: Logger;
  [CHILD]?: Logger;
}

/** Starts a request: gives it an id (X-Request-Id) and logs one line when its response is finished. Returns the id. */
export type BeginRequest = (req: IncomingMessage, res: ServerResponse) => string;

/** The request starter of one server, writing its request lines where `logger` writes. */
export function requestLog(logger: Logger): BeginRequest {
  // Same level, bindings and stream as `logger`, without redaction (see the top of this file).
  const stream = (logger as unknown as Record<symbol, pino.DestinationStream>)[pino.symbols.streamSym];
  const lines = pino({ level: logger.level, base: logger.bindings() }, stream);
  const logsRequests = lines.isLevelEnabled('info');
  return (req, res) => {
    const start = process.hrtime.bigint();
    const id = randomUUID();
    const logged = req as LoggedRequest;
    logged[ID] = id;
    logged[PARENT] = logger;
    res.setHeader('X-Request-Id', id);
    if (logsRequests) {
      // Read now: express rewrites req.url while a request is inside a mounted router.
      const url = req.url ?? '/';
      const query = url.indexOf('?');
      const path = query < 0 ? url : url.slice(0, query);
      const method = req.method;
      res.once('finish', () => {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        lines.info({ reqId: id, method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
      });
    }
    return id;
  };
}

/** The id requestLog gave this request. */
export function requestIdOf(req: IncomingMessage): string {
  return (req as LoggedRequest)[ID] ?? 'unknown';
}

/** A logger carrying this request's id, made on first use. */
export function requestLoggerOf(req: IncomingMessage): Logger {
  const logged = req as LoggedRequest;
  if (logged[CHILD]) return logged[CHILD];
  const parent = logged[PARENT];
  if (!parent) throw new Error('requestLoggerOf: the request was not begun by requestLog');
  return (logged[CHILD] = parent.child({ reqId: requestIdOf(req) }));
}

/** Express side: `req.id` and `req.log` on an app's request prototype, for what requestLog began. */
export function exposeRequestContext(requestPrototype: object): void {
  Object.defineProperty(requestPrototype, 'id', {
    configurable: true,
    get(this: IncomingMessage): string {
      return requestIdOf(this);
    },
  });
  Object.defineProperty(requestPrototype, 'log', {
    configurable: true,
    get(this: IncomingMessage): Logger {
      return requestLoggerOf(this);
    },
  });
}
