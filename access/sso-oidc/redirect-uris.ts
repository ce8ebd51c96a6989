// Loopback redirect URIs for native apps (RFC 8252 §7.3), the only kind the SSO OIDC API accepts:
// AWS CLI 2.22+ registers `http://127.0.0.1/oauth/callback` (no port) and then listens on an
// ephemeral port, so a registered URI without a port matches any port at use time; one with a port
// matches only that port. Host and path must match exactly.
//
// Matching is done on the raw string with one strict pattern, never on a parsed-and-normalised
// URL, so userinfo (`http://127.0.0.1@evil/`), `localhost` (resolvable elsewhere), encoded dots,
// backslashes, queries and fragments can never slip through (cf. Keycloak CVE-2024-8883).

const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?(\/[A-Za-z0-9\-._~/]*)$/;

export interface LoopbackUri {
  host: string;
  port: number | null;
  path: string;
}

export function parseLoopbackUri(uri: string): LoopbackUri | null {
  if (uri.length > 512) return null;
  const m = LOOPBACK.exec(uri);
  if (!m) return null;
  const path = m[3]!;
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) return null;
  const port = m[2] === undefined ? null : Number(m[2]);
  if (port !== null && (port < 1 || port > 65535 || m[2]!.startsWith('0'))) return null;
  return { host: m[1]!, port, path };
}

/** True when `requested` (as sent at use time) is allowed by one of the registered URIs. */
export function redirectUriAllowed(registered: readonly string[], requested: string): boolean {
  const wanted = parseLoopbackUri(requested);
  if (!wanted) return false;
  return registered.some((r) => {
    const allowed = parseLoopbackUri(r);
    return !!allowed && allowed.host === wanted.host && allowed.path === wanted.path && (allowed.port === null || allowed.port === wanted.port);
  });
}
