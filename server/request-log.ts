// One structured log line per request, with a request id echoed in X-Request-Id. Query strings
// are left out of the log: they can carry codes and tokens.
//
// `req.log` (a child logger carrying the request id) is made on first use only: most requests
// never log anything but the request line, and a pino child costs more than the rest of this
// middleware (bindings serialised through the redaction rules). The request line itself is
// written by the parent logger with the same `reqId` field, so it reads exactly as before.
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Logger } from './logger.ts';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    log: Logger;
  }
}

const PARENT = Symbol('request log parent');
const CHILD = Symbol('request log child');

interface LoggedRequest extends Request {
  [PARENT]: Logger;
  [CHILD]?: Logger;
}

/** Request prototypes (one per express app) that already have the lazy `log` accessor. */
const prepared = new WeakSet<object>();

function prepare(proto: object): void {
  prepared.add(proto);
  Object.defineProperty(proto, 'log', {
    configurable: true,
    get(this: LoggedRequest): Logger {
      return (this[CHILD] ??= this[PARENT].child({ reqId: this.id }));
    },
    set(this: LoggedRequest, logger: Logger) {
      this[CHILD] = logger;
    },
  });
}

export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    const proto = Object.getPrototypeOf(req) as object;
    if (!prepared.has(proto)) prepare(proto);
    (req as LoggedRequest)[PARENT] = logger;
    req.id = randomUUID();
    res.setHeader('X-Request-Id', req.id);
    res.on('finish', () => {
      if (!logger.isLevelEnabled('info')) return;
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      logger.info({ reqId: req.id, method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}
