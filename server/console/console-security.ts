// Headers of every console page: a CSP with a fresh nonce for our style block and script, which
// may also call back to the console itself (the policy editor's as-you-type check); no framing;
// no caching of pages that show the directory.
import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';

export function consoleCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

export const consoleSecurity: RequestHandler = (_req, res, next) => {
  const nonce = randomBytes(16).toString('base64');
  res.locals.nonce = nonce;
  res.setHeader('Content-Security-Policy', consoleCsp(nonce));
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cache-Control', 'no-store');
  next();
};
