// Message and assertion IDs (SAML Core §1.3.4: xs:ID, unique, with at least 128 bits of
// randomness; we use 160). An xs:ID is an NCName, so it must not start with a digit: we prefix `_`.
import { randomFillSync } from 'node:crypto';

const ID_BYTES = 20;
// Random bytes are drawn from the CSPRNG in blocks and each byte is used once: one system call
// per hundred IDs instead of one per ID (IDs sit on the signing hot path, bench/saml-sign.ts).
const pool = Buffer.alloc(ID_BYTES * 100);
let offset = pool.length;

export const newSamlId = (): string => {
  if (offset + ID_BYTES > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = `_${pool.toString('hex', offset, offset + ID_BYTES)}`;
  offset += ID_BYTES;
  return id;
};

/** xs:dateTime in UTC without fractional seconds, as most SAML implementations write it. */
export const samlInstant = (at: Date): string => `${at.toISOString().slice(0, 19)}Z`;
