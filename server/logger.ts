// Structured JSON logs (pino). Anything that could carry a secret is redacted by path, so a
// careless log call cannot leak a password, token or cookie.
import { pino, type Logger } from 'pino';

export type { Logger };

export const REDACTED_PATHS = [
  'password',
  '*.password',
  'bindPassword',
  '*.bindPassword',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'clientSecret',
  '*.clientSecret',
  'secretAccessKey',
  '*.secretAccessKey',
  'sessionToken',
  '*.sessionToken',
  'SAMLResponse',
  '*.SAMLResponse',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-amz-sso_bearer_token"]',
  'res.headers["set-cookie"]',
];

/**
 * Where logs are written: stdout unless told otherwise, asynchronously. A line is handed to the
 * file descriptor by libuv's thread pool, and lines logged while a write is under way go together
 * in the next one, so a busy node makes one write for many requests instead of one per request
 * (a CPU profile of bench/role-credentials put the synchronous write of the request line at
 * about 15 % of a cached GetRoleCredentials call). Nothing is held back when the node is quiet,
 * and pino flushes what is left synchronously when the process exits.
 */
export function logDestination(dest: number | string = 1): pino.DestinationStream {
  return pino.destination({ dest, sync: false });
}

export function createLogger(level: string, destination: pino.DestinationStream = logDestination()): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'gatehouse' } }, destination);
}
