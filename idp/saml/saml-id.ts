// Message and assertion IDs (SAML Core §1.3.4: xs:ID, unique, with at least 128 bits of
// randomness). An xs:ID is an NCName, so it must not start with a digit: we prefix `_`.
import { randomBytes } from 'node:crypto';

export const newSamlId = (): string => `_${randomBytes(20).toString('hex')}`;

/** xs:dateTime in UTC without fractional seconds, as most SAML implementations write it. */
export const samlInstant = (at: Date): string => {
  const iso = at.toISOString();
  return `${iso.slice(0, 19)}Z`;
};
