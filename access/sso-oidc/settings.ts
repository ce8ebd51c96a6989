// Lifetimes and limits of the SSO OIDC API. The defaults are what real clients need
// (reference/docs/aws-cli.md "Expiry and refresh rules"); tests shorten some of them.

export interface SsoOidcSettings {
  /** Public URL of Gatehouse without a trailing slash: verificationUri, authorization/token endpoints. */
  baseUrl: string;
  /** RegisterClient: clientSecretExpiresAt. The CLI observes about 90 days. */
  clientRegistrationSeconds: number;
  /** StartDeviceAuthorization expiresIn: botocore says "currently only 10 minutes". */
  deviceCodeSeconds: number;
  /**
   * StartDeviceAuthorization interval. 1 s: botocore sleeps exactly `interval` between polls, so
   * the CLI picks up the token about a second after the person approves; a pending poll costs one
   * store read and one SET NX, so a poll per second per waiting login is cheap. (AWS answers 1 too.)
   */
  pollIntervalSeconds: number;
  /** CreateToken expiresIn, cut short to the portal session's end (≥ 1 h: botocore refreshes at < 15 min). */
  accessTokenSeconds: number;
  /** Authorization codes (PKCE flow): the CLI redeems them the moment its loopback listener is hit. */
  authorizationCodeSeconds: number;
  /** How long a consent page stays usable. */
  consentSeconds: number;
  /** RegisterClient calls per client address per minute (each registration lives 90 days in the store). */
  registrationsPerMinute: number;
  /** StartDeviceAuthorization calls per client per minute. */
  deviceStartsPerMinute: number;
  /** Unknown user codes a signed-in person may enter per 15 minutes before the page refuses more. */
  failedUserCodesPer15Minutes: number;
  /**
   * Unknown user codes entered from one client address per 15 minutes, by anyone: bounds guessing
   * with many accounts, and stays well above what a building of people behind one NAT mistypes.
   */
  failedUserCodesPerAddressPer15Minutes: number;
}

export const DEFAULT_SSO_OIDC_SETTINGS: Omit<SsoOidcSettings, 'baseUrl'> = {
  clientRegistrationSeconds: 90 * 24 * 3600,
  deviceCodeSeconds: 600,
  pollIntervalSeconds: 1,
  accessTokenSeconds: 3600,
  authorizationCodeSeconds: 60,
  consentSeconds: 600,
  registrationsPerMinute: 30,
  deviceStartsPerMinute: 30,
  failedUserCodesPer15Minutes: 10,
  failedUserCodesPerAddressPer15Minutes: 50,
};
