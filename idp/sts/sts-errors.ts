// What can go wrong when Gatehouse calls STS AssumeRoleWithSAML, as typed domain errors with
// messages a person (and the log) can act on (docs/aws-accounts.md, "STS AssumeRoleWithSAML"
// error table). Every surface already maps the domain kinds: a refusal is `forbidden`, throttling
// is `throttled`, and an STS that does not answer (or answers nonsense) is `unavailable` (deny,
// never allow: docs/security.md: "When a dependency is down").
import { ForbiddenError, ThrottledError, UnavailableError } from '../../model/errors.ts';

/** Which call the error is about, so the message can name the role and the account. */
export interface StsCallContext {
  roleArn: string;
  principalArn: string;
}

/** STS said no (HTTP 4xx with an ErrorResponse). `code` is STS's own error code. */
export class StsRefusedError extends ForbiddenError {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly stsMessage: string,
    context: StsCallContext,
  ) {
    super(refusalMessage(code, stsMessage, context));
    this.name = 'StsRefusedError';
  }
}

export class StsThrottledError extends ThrottledError {
  constructor(readonly code: string, readonly status: number) {
    super(`AWS STS is throttling requests (${code}); try again in a few seconds`, 5);
    this.name = 'StsThrottledError';
  }
}

/** STS did not answer in time, could not be reached, failed (5xx) or answered something unreadable. */
export class StsUnavailableError extends UnavailableError {
  constructor(readonly reason: 'timeout' | 'network' | 'server-error' | 'bad-response', detail: string, options?: { cause?: unknown }) {
    super('AWS STS', `AWS STS is unavailable (${detail}); nothing was issued, try again in a moment`, options);
    this.name = 'StsUnavailableError';
  }
}

/** STS error codes that mean "slow down" (the query protocol's Throttling, plus the generic forms). */
export const THROTTLING_CODES = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded']);

const accountOf = (arn: string) => /^arn:[\w-]+:iam::(\d{12}):/.exec(arn)?.[1] ?? 'unknown';
const roleNameOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

function refusalMessage(code: string, stsMessage: string, c: StsCallContext): string {
  const role = `role ${roleNameOf(c.roleArn)} in account ${accountOf(c.roleArn)}`;
  const said = stsMessage ? `${code}: ${stsMessage}` : code;
  switch (code) {
    case 'InvalidIdentityToken':
      return `AWS STS did not accept Gatehouse's SAML assertion for ${role} (${said}). The account's IAM SAML provider may hold outdated Gatehouse metadata; ask your administrator.`;
    case 'ExpiredTokenException':
      return `AWS STS found Gatehouse's SAML assertion for ${role} expired (${said}). Gatehouse's clock may be wrong; ask your administrator.`;
    case 'AccessDenied':
      return `AWS STS refused to let Gatehouse assume ${role} (${said}). The role may not be provisioned yet, or its trust policy does not trust the SAML provider; ask your administrator.`;
    case 'IDPRejectedClaim':
      return `The SAML provider in account ${accountOf(c.roleArn)} rejected Gatehouse's claim for ${role} (${said}); ask your administrator.`;
    case 'RegionDisabledException':
      return `AWS STS is not activated, for ${role}, in the region Gatehouse calls (${said}); the administrator can set STS_ENDPOINT to an enabled region.`;
    default:
      return `AWS STS refused credentials for ${role} (${said}); ask your administrator.`;
  }
}
