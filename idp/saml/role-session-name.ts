// RoleSessionName for AWS (docs/aws-accounts.md): one value matching [\w+=,.@-]{2,64}, or
// STS refuses the sign-in ("RoleSessionName in AuthnResponse must match ..."). The name shows up
// in CloudTrail and in the assumed-role ARN, so it should read like the user and stay distinct.

import { createHash } from 'node:crypto';
import { ValidationError } from '../../model/errors.ts';

export const ROLE_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const NOT_ALLOWED = /[^\w+=,.@-]/g;
const COMBINING_MARKS = /[\u0300-\u036f]/g;
const HASH_SUFFIX_LENGTH = 9; // '-' + 8 hex

/**
 * Deterministic: the same userName always gives the same session name. A userName that already
 * fits is used as it is. Otherwise accents are dropped (é → e), other characters become '-', and
 * a short hash of the original userName is appended, so two users whose names sanitize alike
 * (`a b`, `a/b`) still get different session names; long names are cut to make room for it.
 */
export function roleSessionNameFor(userName: string): string {
  if (userName.length === 0) throw new ValidationError('userName is empty', [{ field: 'userName', message: 'required' }]);
  if (ROLE_SESSION_NAME.test(userName)) return userName;
  const readable = userName.normalize('NFKD').replace(COMBINING_MARKS, '').replace(NOT_ALLOWED, '-');
  const suffix = `-${createHash('sha256').update(userName, 'utf8').digest('hex').slice(0, HASH_SUFFIX_LENGTH - 1)}`;
  // Each UTF-16 unit of `readable` is now ASCII, so slicing cannot split a character.
  return readable.slice(0, 64 - HASH_SUFFIX_LENGTH) + suffix;
}
