// Which endpoint URLs an SP's metadata may declare: https only, with plain http allowed for a
// developer's own machine (localhost, 127.0.0.1, [::1]) when the caller permits it. No userinfo
// (`https://evil@sp.example`) and no fragment. The URL is kept exactly as written: ACS matching
// (acs.ts) compares strings, so nothing here normalises.

import { InboundRejection, quote } from './rejection.ts';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const MAX_URL_LENGTH = 2048;

export function assertEndpointUrl(value: string, what: string, allowHttpLocalhost: boolean): void {
  if (value === '' || value.length > MAX_URL_LENGTH || /\s/.test(value) || hasControlCharacter(value)) {
    throw new InboundRejection('metadata-invalid', `The ${what} ${quote(value)} must be a URL of at most ${MAX_URL_LENGTH} characters without spaces`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InboundRejection('metadata-invalid', `The ${what} ${quote(value)} is not an absolute URL`);
  }
  if (url.username !== '' || url.password !== '' || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(value)) {
    throw new InboundRejection('metadata-invalid', `The ${what} ${quote(value)} must not contain a user name or password`);
  }
  if (url.hash !== '' || value.includes('#')) {
    throw new InboundRejection('metadata-invalid', `The ${what} ${quote(value)} must not contain a fragment (#…)`);
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname)) {
    if (allowHttpLocalhost) return;
    throw new InboundRejection('metadata-invalid', `The ${what} ${quote(value)} uses http; plain http to this machine is not allowed here`);
  }
  throw new InboundRejection('metadata-invalid', url.protocol === 'http:'
    ? `The ${what} ${quote(value)} uses http; it must use https (http is only accepted for localhost, 127.0.0.1 and [::1])`
    : `The ${what} ${quote(value)} must be an https URL`);
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
