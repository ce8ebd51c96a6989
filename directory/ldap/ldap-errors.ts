// Sorting what went wrong talking to a directory into the two things callers must keep apart
// (directory/identity-source.ts): the person's credentials were refused (a failed sign-in, with a
// reason for the log) or the directory could not serve (UnavailableError: never a failed sign-in,
// never a success). Result codes are RFC 4511 §4.1.9 / Appendix A.

import { ResultCodeError } from 'ldapts';
import { UnavailableError } from '../../model/errors.ts';
import type { AuthenticationResult } from '../identity-source.ts';

export type SignInFailure = Extract<AuthenticationResult, { ok: false }>['reason'];

const RESULT_NAMES: Record<number, string> = {
  1: 'operations error',
  2: 'protocol error',
  3: 'time limit exceeded',
  4: 'size limit exceeded',
  7: 'authentication method not supported',
  8: 'stronger authentication required',
  11: 'administrative limit exceeded',
  13: 'confidentiality required (the server wants TLS)',
  16: 'no such attribute',
  17: 'undefined attribute type',
  18: 'inappropriate matching',
  19: 'constraint violation',
  32: 'no such object',
  34: 'invalid DN syntax',
  48: 'inappropriate authentication',
  49: 'invalid credentials',
  50: 'insufficient access rights',
  51: 'busy',
  52: 'unavailable',
  53: 'unwilling to perform',
  80: 'other',
};

/**
 * Active Directory explains a refused bind (result 49) with a `data <hex>` code in the diagnostic
 * message; each maps to a log reason. The person sees the same message whatever it is.
 */
const AD_BIND_SUBCODES: Record<string, SignInFailure> = {
  '525': 'unknown-user',
  '52e': 'bad-password',
  '530': 'locked', // not permitted to log on at this time
  '531': 'locked', // not permitted to log on at this workstation
  '532': 'expired', // password expired
  '533': 'disabled',
  '701': 'expired', // account expired
  '773': 'expired', // must reset password
  '775': 'locked',
};

/** Result codes on a person's bind that mean "these credentials may not sign in". */
const CREDENTIAL_CODES = new Set([49, 48, 53, 19]);

export function resultCode(e: unknown): number | null {
  if (e instanceof ResultCodeError) return e.code;
  return null;
}

/**
 * The sign-in failure a refused user bind stands for, or null when the error is about the
 * directory, not the credentials (network, timeout, busy, TLS required ...).
 */
export function userBindFailure(e: unknown): SignInFailure | null {
  const code = resultCode(e);
  if (code === null || !CREDENTIAL_CODES.has(code)) return null;
  const sub = /\bdata ([0-9a-f]{3,4})\b/i.exec(diagnostic(e))?.[1]?.toLowerCase();
  return (sub && AD_BIND_SUBCODES[sub]) || 'bad-password';
}

/** One line a person configuring the directory can act on; never contains a password. */
export function describeLdapError(e: unknown): string {
  // Our own wrapper adds "LDAP <what> failed:"; the caller says what it was doing, so describe the cause.
  if (e instanceof UnavailableError && e.cause !== undefined) return describeLdapError(e.cause);
  const code = resultCode(e);
  if (code !== null) {
    const name = RESULT_NAMES[code] ?? 'error';
    const diag = diagnostic(e);
    return diag ? `${name} (LDAP result ${code}): ${diag}` : `${name} (LDAP result ${code})`;
  }
  if (e instanceof Error) {
    const errno = (e as NodeJS.ErrnoException).code;
    return errno && !e.message.includes(errno) ? `${errno}: ${e.message}` : e.message;
  }
  return String(e);
}

export function unavailable(what: string, e: unknown): UnavailableError {
  if (e instanceof UnavailableError) return e;
  return new UnavailableError('ldap', `LDAP ${what} failed: ${describeLdapError(e)}`, { cause: e });
}

/** The server's diagnostic message, without ldapts's own default text and code suffix. */
function diagnostic(e: unknown): string {
  if (!(e instanceof ResultCodeError)) return '';
  const text = e.message.replace(/\s*Code: 0x[0-9a-f]+$/i, '').trim();
  let fallback = '';
  try {
    fallback = new (e.constructor as new () => Error)().message.replace(/\s*Code: 0x[0-9a-f]+$/i, '').trim();
  } catch {
    // Not constructible without arguments: keep the text as it is.
  }
  return text === fallback ? '' : text;
}
