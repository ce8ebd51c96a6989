// Random secrets and how they are kept: every device code, authorization code, refresh token and
// client secret is 256 random bits handed out once; the store keeps only its SHA-256, so a dump of
// Redis yields nothing usable (DESIGN.md "State").
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const newSecret = (prefix = '') => `${prefix}${randomBytes(32).toString('base64url')}`;

export const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

/** Constant-time comparison of two strings (hashes, CSRF tokens). */
export function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whole seconds from now until an ISO instant, at least 1 (store TTLs must be > 0). */
export const secondsUntil = (iso: string, now = Date.now()) => Math.max(1, Math.ceil((Date.parse(iso) - now) / 1000));
