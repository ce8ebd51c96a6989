// ISO-8601 durations as permission sets use them (sso-admin SessionDuration: "PT1H" .. "PT12H").
// Only the time part (PTnHnMnS) is meaningful for sessions; day and larger units are refused.

const PATTERN = /^PT(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/;

/** Seconds, or null when the string is not a PTnHnMnS duration. */
export function parseIsoDurationSeconds(value: string): number | null {
  const m = PATTERN.exec(value);
  if (!m) return null;
  const [, h = '0', min = '0', s = '0'] = m;
  return Number(h) * 3600 + Number(min) * 60 + Number(s);
}
