// Active Directory's objectGUID is 16 raw bytes; people and tools write it as a GUID string whose
// first three fields are the bytes in little-endian order ([MS-DTYP] 2.3.4.2, GUID packet
// representation). Gatehouse stores that string as the external id, the form AD's own tools show.

const GUID = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i;

export function formatObjectGuid(bytes: Buffer): string {
  if (bytes.length !== 16) throw new RangeError(`objectGUID must be 16 bytes, got ${bytes.length}`);
  const hex = (from: number, to: number, reverse: boolean): string => {
    const part = Buffer.from(bytes.subarray(from, to));
    return (reverse ? part.reverse() : part).toString('hex');
  };
  return [hex(0, 4, true), hex(4, 6, true), hex(6, 8, true), hex(8, 10, false), hex(10, 16, false)].join('-');
}

/** The 16 bytes to search for (the inverse of formatObjectGuid); null when `text` is not a GUID. */
export function parseObjectGuid(text: string): Buffer | null {
  const m = GUID.exec(text);
  if (!m) return null;
  const [, a, b, c, d, e] = m as unknown as [string, string, string, string, string, string];
  const le = (h: string): Buffer => Buffer.from(h, 'hex').reverse();
  return Buffer.concat([le(a), le(b), le(c), Buffer.from(d, 'hex'), Buffer.from(e, 'hex')]);
}
