// The forms of a typed sign-in name. Directories compare names loosely: LDAP's caseIgnoreMatch
// prepares both sides (RFC 4518: map, NFKC, case fold, insignificant space) before comparing, so
// `ivan`, ` IVAN ` and `ｉｖａｎ` all find the same entry. Anything that counts attempts per name
// must fold at least as much, or each spelling buys its own allowance (docs/security.md,
// "Password guessing").

/** RFC 4518 §2.2: these are mapped to SPACE. */
const TO_SPACE = /[\t\n\v\f\r\u0085\p{Z}]/gu;
/**
 * RFC 4518 §2.2: mapped to nothing (other controls and format characters, soft hyphens, the
 * combining grapheme joiner, variation selectors, the object replacement character).
 */
const TO_NOTHING = /[\p{Cc}\p{Cf}\u00ad\u1806\ufffc]|\u034f|[\u180b-\u180d]|[\ufe00-\ufe0f]/gu;

/**
 * The one key every spelling of a name shares: spaces and controls mapped as RFC 4518 §2.2 does,
 * NFKC, full case folding, outer spaces dropped and inner runs collapsed to one (RFC 4518 §2.6.1).
 * Folding more than a directory does is safe here: it only makes two names share one allowance.
 */
export function userNameKey(typed: string): string {
  const mapped = typed.replace(TO_SPACE, ' ').replace(TO_NOTHING, '');
  // Upper then lower case approximates Unicode full case folding (ß → ss, ς → σ); NFKC again
  // because case mapping can leave a string unnormalized.
  const folded = mapped.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
  return folded.replace(/ {2,}/g, ' ').trim();
}

/**
 * The name handed to a directory: the typed name without outer whitespace. Safe for every source:
 * built-in user names cannot start or end with whitespace, and LDAP ignores outer spaces when it
 * matches (RFC 4518 §2.6.1). Inner characters are left alone; the directory applies its own rules.
 */
export function directoryUserName(typed: string): string {
  return typed.trim();
}
