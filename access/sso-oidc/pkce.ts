// PKCE (RFC 7636) with S256 only (docs/security.md: "Codes"; ASVS V10.4.6): `plain` would hand the
// verifier to anyone who sees the authorization request.
import { createHash } from 'node:crypto';
import { sameString } from './secrets.ts';

/** BASE64URL(SHA256(verifier)) without padding is always 43 characters (RFC 7636 §4.2). */
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** 43 to 128 unreserved characters (RFC 7636 §4.1). */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export const isS256Challenge = (value: string) => CHALLENGE.test(value);

export function verifierMatches(verifier: string, challenge: string): boolean {
  if (!VERIFIER.test(verifier)) return false;
  return sameString(createHash('sha256').update(verifier, 'ascii').digest('base64url'), challenge);
}
