// The one way a password is checked, whatever surface asks (the portal's sign-in form, the admin
// API's token endpoint, anything later): the same per-name and per-address throttles and the same
// lockout (access/sign-in-throttle.ts), so guesses add up across surfaces instead of each surface
// granting its own allowance. Every refusal carries the surface's one message, whatever its reason
// (unknown user, wrong password, disabled, throttled, locked); the reason goes to the audit log and
// the log only (docs/security.md, "Password guessing").
import type { IdentitySource } from '../directory/identity-source.ts';
import { ThrottledError, UnauthenticatedError } from '../model/errors.ts';
import type { User } from '../model/types.ts';
import { directoryUserName } from '../model/user-name.ts';
import type { AuditStore } from '../store/stores.ts';
import type { SignInThrottle, ThrottleRefusal } from './sign-in-throttle.ts';

/** Where refusals are logged: the slice of a pino logger this needs. */
export interface RefusalLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface PasswordAttempt {
  userName: string;
  password: string;
  /** The client address, counted by the per-address throttle. */
  address: string;
  /** Which surface asks, e.g. `portal` or `admin-token`: the audit target and a log field. */
  surface: string;
  /** The one message every refusal on this surface carries. */
  refusedMessage: string;
}

/** A typed name as the audit log and the log keep it: bounded. */
const recorded = (userName: string) => userName.slice(0, 128);

export class PasswordCheck {
  constructor(
    private readonly throttle: SignInThrottle,
    private readonly audit: AuditStore,
    private readonly log: RefusalLog,
  ) {}

  /**
   * The user whose password this is. Throws ThrottledError (before any password work) when the
   * name or the address has failed too often or the account is locked, UnauthenticatedError for
   * every other refusal, UnavailableError when the directory or a store does not answer (not
   * counted as a failure).
   */
  async verify(source: IdentitySource, attempt: PasswordAttempt): Promise<User> {
    const { userName, password, address, surface, refusedMessage } = attempt;
    const refusal = await this.throttle.refusal(userName, address);
    if (refusal) {
      await this.refuseThrottled(attempt, refusal);
      throw new ThrottledError(refusedMessage, refusal.retryAfterSeconds);
    }
    const result = await source.authenticate(directoryUserName(userName), password);
    if (!result.ok) {
      await this.throttle.recordFailure(userName, address);
      const detail = { userName: recorded(userName), reason: result.reason, address };
      this.log.info({ event: 'signin.failure', surface, ...detail }, 'password check failed');
      await this.audit.append({ actor: 'anonymous', action: 'signin.failure', target: surface, detail });
      throw new UnauthenticatedError(refusedMessage);
    }
    await this.throttle.recordSuccess(userName);
    return result.user;
  }

  private async refuseThrottled(attempt: PasswordAttempt, refusal: ThrottleRefusal): Promise<void> {
    const detail = { userName: recorded(attempt.userName), reason: refusal.reason, address: attempt.address, retryAfterSeconds: refusal.retryAfterSeconds };
    const message = refusal.reason === 'locked' ? 'password check refused: account locked' : 'password check refused: too many failures';
    this.log.warn({ event: 'signin.throttled', surface: attempt.surface, ...detail }, message);
    await this.audit.append({ actor: 'anonymous', action: 'signin.throttled', target: attempt.surface, detail });
  }
}
