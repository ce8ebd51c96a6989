// Cookie reading and writing for the portal (no cookie-parser: two functions do). Portal cookies
// are HttpOnly, SameSite=Lax, Path=/, and Secure whenever Gatehouse is served over https.
// Over https they are also named with the __Host- prefix (RFC 6265bis §4.1.3.2): a browser keeps
// such a cookie only if it came Secure from this very host with Path=/ and no Domain, so a
// neighbouring subdomain or a plain-http answer cannot plant or overwrite a session or CSRF
// cookie. Only the prefixed name is read then. Over plain http (local development) browsers would
// refuse the prefix, so the plain names are used.
import type { Request, Response } from 'express';

export const SESSION_COOKIE = 'gh_session';
export const LOGIN_CSRF_COOKIE = 'gh_login';
/** A sign-in waiting for its second factor (access/mfa/pending-sign-ins.ts). */
export const MFA_PENDING_COOKIE = 'gh_mfa';

/** The name a cookie has on the wire. */
export function wireName(name: string, secure: boolean): string {
  return secure ? `__Host-${name}` : name;
}

export function readCookie(req: Request, name: string, secure: boolean): string | undefined {
  return cookieFromHeader(req.headers.cookie, name, secure);
}

/** A cookie's value in a Cookie header (oidc-provider's requests are not express requests). */
export function cookieFromHeader(header: string | undefined, name: string, secure: boolean): string | undefined {
  if (!header) return undefined;
  const wanted = wireName(name, secure);
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === wanted) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function setCookie(res: Response, name: string, value: string, options: { secure: boolean; maxAgeSeconds?: number }): void {
  const parts = [`${wireName(name, options.secure)}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (options.secure) parts.push('Secure');
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`);
  res.append('Set-Cookie', parts.join('; '));
}

export function clearCookie(res: Response, name: string, secure: boolean): void {
  setCookie(res, name, '', { secure, maxAgeSeconds: 0 });
}
