// What an administrator does to one user from the console besides editing fields: reset the
// password to a generated one shown once, and unlock an account locked by failed sign-ins. Both
// are recorded in the audit log; the generated password never is.
import { randomBytes } from 'node:crypto';
import type { UserService } from '../../directory/users.ts';
import type { AuditStore } from '../../store/stores.ts';
import type { SignInThrottle } from '../sign-in-throttle.ts';

export class ConsoleUserActions {
  constructor(
    private readonly deps: { users: UserService; throttle: SignInThrottle; audit: AuditStore },
  ) {}

  /** Sets a new random password (about 128 bits) and returns it, for the administrator to hand over once. */
  async resetPassword(userId: string, actor: string): Promise<string> {
    const password = randomBytes(16).toString('base64url');
    // Recorded by the update itself (user.update, passwordChanged: true), in its transaction.
    await this.deps.users.update(userId, { password }, actor);
    return password;
  }

  /**
   * Lifts the lockout of 100 consecutive failed sign-ins (NIST SP 800-63B §5.2.2). Failures are
   * counted per typed name, and a directory may sign people in by address, so the user name and
   * every e-mail address are unlocked, as the admin API's POST /users/{id}/unlock does.
   */
  async unlock(userId: string, actor: string): Promise<void> {
    const user = await this.deps.users.get(userId);
    await this.deps.throttle.unlock(user.userName, ...user.emails.map((e) => e.value));
    await this.deps.audit.append({ actor, action: 'user.unlock', target: `user/${user.id}`, detail: {} });
  }
}
