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

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'gatehouse' } }, destination);
}
