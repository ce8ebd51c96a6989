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
  /**
   * A second factor is still to come: the right password does not clear the name's failure count
   * (succeeded() does, once the second factor is right). Otherwise knowing the password would
   * reset the count, and with it the allowance for guessing codes (docs/mfa.md "Signing in").
   */
  secondFactorFollows?: boolean;
}

/** How often a check looks whether another check of the same name has ended. */
const CLAIM_POLL_MS = 10;

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
    // Refused before any waiting or password work when already over a limit.
    await this.refuseIfThrottled(attempt);
    if (!(await this.claimCheck(userName))) {
      const busy: ThrottleRefusal = { reason: 'check-in-progress', retryAfterSeconds: 1 };
      await this.refuseThrottled(attempt, busy);
      throw new ThrottledError(refusedMessage, busy.retryAfterSeconds);
    }
    try {
      // Again under the claim: a check that finished meanwhile may have used the last allowance.
      await this.refuseIfThrottled(attempt);
      const result = await source.authenticate(directoryUserName(userName), password);
      if (!result.ok) {
        await this.throttle.recordFailure(userName, address);
        const detail = { userName: recorded(userName), reason: result.reason, address };
        this.log.info({ event: 'signin.failure', surface, ...detail }, 'password check failed');
        await this.audit.append({ actor: 'anonymous', action: 'signin.failure', target: surface, outcome: 'failure', address, detail });
        throw new UnauthenticatedError(refusedMessage);
      }
      if (!attempt.secondFactorFollows) await this.throttle.recordSuccess(userName);
      return result.user;
    } finally {
      await this.throttle.endCheck(userName);
    }
  }

  /** The whole sign-in succeeded (after a second factor): the name's failure count starts over. */
  async succeeded(userName: string): Promise<void> {
    await this.throttle.recordSuccess(userName);
  }

  private async refuseIfThrottled(attempt: PasswordAttempt): Promise<void> {
    const refusal = await this.throttle.refusal(attempt.userName, attempt.address);
    if (!refusal) return;
    await this.refuseThrottled(attempt, refusal);
    throw new ThrottledError(attempt.refusedMessage, refusal.retryAfterSeconds);
  }

  /**
   * Waits for the name's one check at a time (sign-in-throttle.ts beginCheck), so that checks sent
   * at once run one after another; false when the name stays busy past the claim's stale time.
   */
  private async claimCheck(userName: string): Promise<boolean> {
    // A second longer than a claim can be held: by then a claim left behind is taken over.
    const until = Date.now() + this.throttle.staleClaimMs + 1000;
    for (;;) {
      if (await this.throttle.beginCheck(userName)) return true;
      if (Date.now() >= until) return false;
      await new Promise((resolve) => setTimeout(resolve, CLAIM_POLL_MS));
    }
  }

  private async refuseThrottled(attempt: PasswordAttempt, refusal: ThrottleRefusal): Promise<void> {
    const detail = { userName: recorded(attempt.userName), reason: refusal.reason, address: attempt.address, retryAfterSeconds: refusal.retryAfterSeconds };
    const message =
      refusal.reason === 'locked' ? 'password check refused: account locked'
      : refusal.reason === 'check-in-progress' ? 'password check refused: another check of this name is under way'
      : 'password check refused: too many failures';
    this.log.warn({ event: 'signin.throttled', surface: attempt.surface, ...detail }, message);
    await this.audit.append({ actor: 'anonymous', action: 'signin.throttled', target: attempt.surface, outcome: 'refused', address: attempt.address, detail });
  }
}
