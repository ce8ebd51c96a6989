// User codes for the device flow (RFC 8628 §6.1): eight characters from the twenty consonants
// BCDFGHJKLMNPQRSTVWXZ, shown as XXXX-XXXX. No vowels (no words), no digits, nothing easily
// confused (0/O, 1/I/L...). 20^8 ≈ 2.6·10^10 codes, short-lived, and wrong guesses are limited
// per person and per address (guess-limit.ts), so a guessed code is out of reach. Input is forgiving: case, spaces and dashes ignored.
import { randomInt } from 'node:crypto';

export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const LENGTH = 8;

export function newUserCode(): string {
  let code = '';
  for (let i = 0; i < LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** The canonical XXXX-XXXX form of what a person typed, or null when it cannot be a user code. */
export function normalizeUserCode(input: string): string | null {
  if (input.length > 64) return null;
  const letters = input.toUpperCase().replace(/[\s-]/g, '');
  if (letters.length !== LENGTH || [...letters].some((c) => !USER_CODE_ALPHABET.includes(c))) return null;
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
}
