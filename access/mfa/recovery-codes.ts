// One-time recovery codes: ten random codes shown once when a user's first device is registered
// (and whenever they ask for new ones), kept as SHA-256 only. Each carries 50 random bits, which
// no one guesses within the sign-in throttle's allowance, so a fast hash is enough.
import { createHash, randomBytes } from 'node:crypto';
import { base32Encode } from '../../idp/otp/base32.ts';

export const RECOVERY_CODE_COUNT = 10;

/** `abcde-fghij`: ten Base32 characters (no 0/1/8/9 to misread), lower case, in two groups. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const text = base32Encode(randomBytes(7)).slice(0, 10).toLowerCase();
    return `${text.slice(0, 5)}-${text.slice(5)}`;
  });
}

/** The form a recovery code is stored and compared in: case, spaces and dashes do not matter. */
export function recoveryCodeHash(code: string): string {
  return createHash('sha256').update(code.replace(/[\s-]/g, '').toLowerCase()).digest('hex');
}

/** Whether typed text has the shape of a recovery code (as opposed to a six-digit TOTP code). */
export const looksLikeRecoveryCode = (text: string) => /^[a-z2-7]{10}$/i.test(text.replace(/[\s-]/g, ''));
