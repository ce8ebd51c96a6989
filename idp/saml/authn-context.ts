// Authentication contexts (SAML Core §2.7.2.2, §3.3.2.2.1): which class a Response states for the
// way the person signed in, and whether an AuthnRequest's RequestedAuthnContext is satisfied.
// Gatehouse knows two classes: a password over TLS (SAML AuthnContext §3.4.19,
// PasswordProtectedTransport) and a password with a second factor (the REFEDS MFA profile,
// https://refeds.org/profile/mfa, which SPs ask for by that URI).
import { AC_PASSWORD_PROTECTED_TRANSPORT } from './namespaces.ts';

export const AC_PASSWORD = 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password';
export const AC_UNSPECIFIED = 'urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified';
export const AC_REFEDS_MFA = 'https://refeds.org/profile/mfa';
/** SAML Core §3.2.2.2: the IdP cannot satisfy the RequestedAuthnContext. */
export const STATUS_NO_AUTHN_CONTEXT = 'urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext';

export type AuthnContextComparison = 'exact' | 'minimum' | 'maximum' | 'better';

export interface RequestedAuthnContext {
  comparison: AuthnContextComparison;
  /** The AuthnContextClassRef values, in the SP's order of preference. */
  classRefs: string[];
}

/**
 * The class a Response states for a sign-in with these RFC 8176 methods, given what the SP asked
 * for: the strongest class the sign-in truthfully meets that satisfies the request, or null when
 * none does (answered NoAuthnContext). A sign-in with a second factor also meets the password
 * classes (the password went over TLS too), so an SP asking exactly for PasswordProtectedTransport
 * still gets an assertion, stated as such.
 */
export function authnContextFor(amr: readonly string[] | undefined, requested?: RequestedAuthnContext): string | null {
  const claimable = amr?.includes('mfa') ? [AC_REFEDS_MFA, AC_PASSWORD_PROTECTED_TRANSPORT, AC_PASSWORD, AC_UNSPECIFIED] : [AC_PASSWORD_PROTECTED_TRANSPORT, AC_PASSWORD, AC_UNSPECIFIED];
  return claimable.find((c) => satisfies(requested, c)) ?? null;
}

/** How strong each known class is; an unknown class cannot be compared, so only an exact match serves it. */
const STRENGTH: Record<string, number> = {
  [AC_UNSPECIFIED]: 0,
  [AC_PASSWORD]: 1,
  [AC_PASSWORD_PROTECTED_TRANSPORT]: 1,
  [AC_REFEDS_MFA]: 2,
};

/**
 * Whether a sign-in of class `actual` satisfies the request (SAML Core §3.3.2.2.1): `exact` one of
 * the listed classes; `minimum` at least as strong as one of them; `better` stronger than every
 * one of them; `maximum` as strong as one of them at most.
 */
export function satisfies(requested: RequestedAuthnContext | undefined, actual: string): boolean {
  if (!requested || requested.classRefs.length === 0) return true;
  const mine = STRENGTH[actual];
  const ranks = requested.classRefs.map((c) => STRENGTH[c]).filter((r): r is number => r !== undefined);
  switch (requested.comparison) {
    case 'exact':
      return requested.classRefs.includes(actual);
    case 'minimum':
      return requested.classRefs.includes(actual) || (mine !== undefined && ranks.some((r) => mine >= r));
    case 'better':
      return mine !== undefined && ranks.length === requested.classRefs.length && ranks.every((r) => mine > r);
    case 'maximum':
      return requested.classRefs.includes(actual) || (mine !== undefined && ranks.some((r) => mine <= r));
  }
}
