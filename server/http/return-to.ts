// Where the browser goes back to after signing in. Only a relative path on this origin, under one
// of the portal's own pages, is accepted (no open redirect: OWASP ASVS V5.1.5); anything else
// (another host, `//host`, a scheme, `\`, `..`) falls back to the accounts page.
const PORTAL_PATH = /^\/(start|device|authorize|admin|saml\/sso\/continue|oidc\/interaction)(\/[\w\-/]*)?(\?[\w\-=&%.]*)?$/;

export const HOME = '/start';

/** `value` when it is one of our own paths to return to, else the accounts page. */
export function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && value.length <= 2048 && PORTAL_PATH.test(value) && !value.includes('..') ? value : HOME;
}

/** The sign-in page's address, coming back to `returnTo` afterwards; `expired` adds the "session expired" notice. */
export function signInUrl(returnTo: string, expired: boolean): string {
  const back = safeReturnTo(returnTo);
  const query = [back === HOME ? '' : `returnTo=${encodeURIComponent(back)}`, expired ? 'expired=1' : ''].filter(Boolean).join('&');
  return query ? `${HOME}?${query}` : HOME;
}
