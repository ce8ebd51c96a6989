// Per-response security headers for HTML pages: a CSP with a fresh nonce for our one style block
// and script, no framing (ASVS V3.4.6), and no caching of pages that show personal data.
import { randomBytes } from 'node:crypto';
import type { RequestHandler, Response } from 'express';

export const nonceOf = (res: Response) => res.locals.nonce as string;

export function csp(nonce: string, formTargets: string[] = [], connectTargets: string[] = []): string {
  const formAction = ["'self'", ...formTargets].join(' ');
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "img-src 'self' data:",
    ...(connectTargets.length ? [`connect-src ${connectTargets.join(' ')}`] : []),
    `form-action ${formAction}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

export const pageSecurity: RequestHandler = (_req, res, next) => {
  const nonce = randomBytes(16).toString('base64');
  res.locals.nonce = nonce;
  res.setHeader('Content-Security-Policy', csp(nonce));
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/**
 * A Single Logout hop: the page may post to the app (HTTP-POST binding) and ask its origin
 * whether it answers at all (views/single-logout.ts), nothing else.
 */
export function allowLogoutHop(res: Response, url: string): void {
  const origin = new URL(url).origin;
  res.setHeader('Content-Security-Policy', csp(nonceOf(res), [origin], [origin]));
}

/** Allows one more form target (the SAML destination) on this response's CSP. */
export function allowFormTarget(res: Response, url: string): void {
  res.setHeader('Content-Security-Policy', csp(nonceOf(res), [new URL(url).origin]));
}
