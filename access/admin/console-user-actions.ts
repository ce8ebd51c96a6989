// What an administrator does to one user from the console besides editing fields: reset the
// password to a generated one shown once, and unlock an account locked by failed sign-ins. Both
// are recorded in the audit log; the generated password never is.
import { randomBytes } from 'node:crypto';
import type { UserService } from '../../directory/users.ts';
import type { User } from '../../model/types.ts';
import type { UserAccess } from '../org/user-access.ts';
import type { SignInState } from '../sign-in-throttle.ts';

export class ConsoleUserActions {
  constructor(
    private readonly deps: { users: UserService; userAccess: Pick<UserAccess, 'unlock' | 'signInStates'> },
  ) {}

  /** Sets a new random password (about 128 bits) and returns it, for the administrator to hand over once. */
  async resetPassword(userId: string, actor: string): Promise<string> {
    const password = randomBytes(16).toString('base64url');
    // Recorded by the update itself (user.update, passwordChanged: true), in its transaction.
    await this.deps.users.update(userId, { password }, actor);
    return password;
  }

  /** Lifts the lockout of failed sign-ins, as the admin API's POST /users/{id}/unlock does. */
  async unlock(userId: string, actor: string): Promise<void> {
    await this.deps.userAccess.unlock(userId, actor);
  }

  /** Who of these users is locked or throttled from signing in now (the users list shows it). */
  signInStates(users: readonly User[]): Promise<Map<string, SignInState>> {
    return this.deps.userAccess.signInStates(users);
  }
}
