// SAML times: xs:dateTime, which SAML Core §1.3.3 says MUST be UTC ("Z"). We also accept an
// explicit numeric offset (converted), never a time without a zone, and never Date.parse's
// lenient guesses.

import { InboundRejection } from './rejection.ts';

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export const DEFAULT_CLOCK_SKEW_SECONDS = 180;

export function parseSamlDateTime(value: string, what: string): Date {
  const m = DATE_TIME.exec(value);
  if (m) {
    const [, y, mo, d, h, mi, s, fraction = '', zone] = m;
    const millis = fraction ? Number(fraction.slice(1, 4).padEnd(3, '0')) : 0;
    const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), millis);
    const check = new Date(utc);
    const calendarOk = check.getUTCFullYear() === Number(y) && check.getUTCMonth() === Number(mo) - 1 && check.getUTCDate() === Number(d)
      && Number(h) < 24 && Number(mi) < 60 && Number(s) < 60;
    if (calendarOk) {
      const offsetMinutes = zone === 'Z' ? 0 : (zone!.startsWith('-') ? -1 : 1) * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6)));
      return new Date(utc - offsetMinutes * 60_000);
    }
  }
  throw new InboundRejection('message-invalid', `The ${what} ${JSON.stringify(value.slice(0, 40))} is not an xs:dateTime in UTC (e.g. 2026-01-31T12:00:00Z)`);
}

/** Refuses an IssueInstant further than `skewSeconds` from `now`, in either direction (SAML2Int G01). */
export function assertWithinSkew(instant: Date, now: Date, skewSeconds: number, what: string): void {
  const deltaSeconds = (instant.getTime() - now.getTime()) / 1000;
  if (deltaSeconds > skewSeconds) {
    throw new InboundRejection('clock-skew', `The ${what} is ${Math.round(deltaSeconds)} s in the future; at most ${skewSeconds} s of clock skew is allowed`);
  }
  if (-deltaSeconds > skewSeconds) {
    throw new InboundRejection('clock-skew', `The ${what} is ${Math.round(-deltaSeconds)} s old; requests older than ${skewSeconds} s are refused`);
  }
}
