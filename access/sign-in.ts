// Sign-in to the access portal with directory credentials, through the one password check every
// surface shares (access/password-check.ts). Every failure looks the same to the person; the audit
// log keeps the reason. A directory or store that does not answer raises UnavailableError, is not
// counted as a failure, and never lets anyone in.
import type { IdentitySource } from '../directory/identity-source.ts';
import type { User } from '../model/types.ts';
import type { AuditStore, InstanceStore } from '../store/stores.ts';
import type { PasswordCheck } from './password-check.ts';
import type { PortalSession, PortalSessionService } from './portal-sessions.ts';

/** The one message people see for a wrong password, an unknown user, a disabled or throttled account. */
export const SIGN_IN_FAILED = 'Sign-in failed. Check your user name and password, or try again later.';

/**
 * What a throttled attempt is told: to wait, and for how long. The throttle counts failures per
 * user name whether or not the name exists (sign-in-throttle.ts), so this says nothing about the
 * name either.
 */
export function throttledMessage(retryAfterSeconds: number | undefined): string {
  const minutes = Math.ceil((retryAfterSeconds ?? 60) / 60);
  const wait = minutes <= 1 ? 'a minute' : `${minutes} minutes`;
  return `Too many failed sign-ins. Wait ${wait}, then try again. If it still fails, ask your administrator.`;
}

export class SignInService {
  constructor(
    private readonly identitySource: () => IdentitySource,
    private readonly passwords: PasswordCheck,
    private readonly sessions: PortalSessionService,
    private readonly instance: InstanceStore,
    private readonly audit: AuditStore,
  ) {}

  /** Checks credentials; throws UnauthenticatedError or ThrottledError (both shown as SIGN_IN_FAILED). */
  async verify(userName: string, password: string, address: string): Promise<User> {
    return this.passwords.verify(this.identitySource(), { userName, password, address, surface: 'portal', refusedMessage: SIGN_IN_FAILED });
  }

  /** Verifies and opens a new portal session (a fresh id every time: no fixation). */
  async signIn(userName: string, password: string, address: string): Promise<{ id: string; session: PortalSession; user: User }> {
    const user = await this.verify(userName, password, address);
    const { sessionDurationMinutes } = await this.instance.getOrCreate();
    const { id, session } = await this.sessions.create(user, sessionDurationMinutes);
    await this.audit.append({ actor: user.id, actorName: user.userName, address, action: 'signin.success', target: 'portal', detail: { userName: user.userName, address } });
    return { id, session, user };
  }
}
