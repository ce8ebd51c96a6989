// Reading attributes off an ldapts search entry. Servers may answer with a different letter case
// than was asked for (`objectguid` for `objectGUID`), and single values come back bare while
// several come back as an array, so every read goes through here.

import type { Entry } from 'ldapts';

type Value = string | Buffer;

export function values(entry: Entry, attribute: string): Value[] {
  const wanted = attribute.toLowerCase();
  for (const [key, raw] of Object.entries(entry)) {
    if (key === 'dn' || key.toLowerCase() !== wanted) continue;
    return (Array.isArray(raw) ? raw : [raw]) as Value[];
  }
  return [];
}

export function strings(entry: Entry, attribute: string): string[] {
  return values(entry, attribute).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
}

/** The first value as text, or undefined when the attribute is absent or empty. */
export function first(entry: Entry, attribute: string): string | undefined {
  const v = strings(entry, attribute)[0];
  return v === undefined || v === '' ? undefined : v;
}

export function firstBuffer(entry: Entry, attribute: string): Buffer | undefined {
  const v = values(entry, attribute)[0];
  if (v === undefined) return undefined;
  return Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8');
}
