// Time-based one-time passwords as authenticator apps compute them: RFC 6238 with its defaults
// (HMAC-SHA-1, 30-second steps from the Unix epoch, 6 digits; RFC 4226 §5.3 dynamic truncation).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { base32Encode } from './base32.ts';

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** RFC 4226 §4 asks for at least 128 bits of shared secret and recommends 160. */
const SECRET_BYTES = 20;

export function newTotpSecret(): Buffer {
  return randomBytes(SECRET_BYTES);
}

/** The time step a moment falls in (RFC 6238 §4.2, T0 = 0). */
export const totpStep = (epochMs: number) => Math.floor(epochMs / 1000 / TOTP_STEP_SECONDS);

/** The code for one time step (RFC 4226 §5.3). */
export function totpCode(secret: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', secret).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** TOTP_DIGITS).padStart(TOTP_DIGITS, '0');
}

/**
 * The time step whose code `code` is, looking one step either side of now for clocks that drift
 * and codes typed as they change (RFC 6238 §5.2), or null. The caller refuses a step it has seen
 * before: each code is good once.
 */
export function matchTotp(secret: Buffer, code: string, epochMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const now = totpStep(epochMs);
  let found: number | null = null;
  for (const step of [now - 1, now, now + 1]) {
    // Every candidate is compared, so the time taken does not say which one matched.
    if (timingSafeEqual(Buffer.from(totpCode(secret, step)), Buffer.from(code)) && found === null) found = step;
  }
  return found;
}

/** The Key Uri Format authenticator apps scan: otpauth://totp/Issuer:account?secret=…&issuer=… */
export function totpUri(secret: Buffer, o: { issuer: string; accountName: string }): string {
  const label = `${encodeURIComponent(o.issuer)}:${encodeURIComponent(o.accountName)}`;
  const query = new URLSearchParams({ secret: base32Encode(secret), issuer: o.issuer, algorithm: 'SHA1', digits: String(TOTP_DIGITS), period: String(TOTP_STEP_SECONDS) });
  return `otpauth://totp/${label}?${query.toString()}`;
}
