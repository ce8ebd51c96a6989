// The query string exactly as received: the HTTP-Redirect binding's signature covers these octets
// (SAML Bindings §3.4.4.1), so it is never re-encoded from a parsed query.
import type { Request } from 'express';

export function rawQueryOf(req: Request): string {
  const url = req.originalUrl;
  const q = url.indexOf('?');
  return q === -1 ? '' : url.slice(q + 1);
}
