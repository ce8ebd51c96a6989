// When URL metadata is fetched next (SAML Metadata §1.3.2 validUntil / cacheDuration; SAML2Int
// MD02/MD03: metadata is trusted only while valid).
// - After a good fetch: after cacheDuration (24 h when the document names none), clamped to
//   [5 min, 7 d] so a document can neither make us hammer its server nor go stale for weeks; and
//   always before validUntil (an hour before, or half-way there when it is closer), so a current
//   copy is in hand before the one in force expires.
// - After a failed fetch: the last good copy stays in force and the fetch is retried after
//   RETRY_SECONDS, still no later than the good copy's own schedule.

export const DEFAULT_CACHE_SECONDS = 24 * 3600;
export const MIN_CACHE_SECONDS = 5 * 60;
export const MAX_CACHE_SECONDS = 7 * 24 * 3600;
export const RETRY_SECONDS = 5 * 60;
const EXPIRY_MARGIN_SECONDS = 3600;

export function nextFetchAfterSuccess(now: Date, doc: { validUntil: Date | null; cacheDurationSeconds: number | null }): Date {
  const cache = Math.min(MAX_CACHE_SECONDS, Math.max(MIN_CACHE_SECONDS, doc.cacheDurationSeconds ?? DEFAULT_CACHE_SECONDS));
  let next = now.getTime() + cache * 1000;
  if (doc.validUntil) {
    const left = doc.validUntil.getTime() - now.getTime();
    const beforeExpiry = doc.validUntil.getTime() - Math.min(EXPIRY_MARGIN_SECONDS * 1000, left / 2);
    next = Math.min(next, beforeExpiry);
  }
  return new Date(Math.max(next, now.getTime() + 1000));
}

export function nextFetchAfterFailure(now: Date, lastGood: { nextFetchAt: Date | null }): Date {
  const retry = now.getTime() + RETRY_SECONDS * 1000;
  // A schedule the good copy already had that comes sooner (it is about to expire) wins.
  const planned = lastGood.nextFetchAt?.getTime();
  return new Date(planned !== undefined && planned > now.getTime() && planned < retry ? planned : retry);
}
