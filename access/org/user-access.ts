// What the admin API does for one person beyond editing them: what they reach now, and lifting the
// lock that consecutive failed sign-ins put on their account.
import type { User } from '../../model/types.ts';
import type { AuditStore } from '../../store/stores.ts';
import type { AccountAccess, EntitlementService } from '../entitlements.ts';
import type { IdentitySourceFor } from '../sessions/signed-in-person.ts';
import type { SignInState, SignInThrottle } from '../sign-in-throttle.ts';

export class UserAccess {
  constructor(
    private readonly deps: {
      /** UserService.get: NotFoundError for an unknown id. */
      user(id: string): Promise<User>;
      identitySourceFor: IdentitySourceFor;
      entitlements: Pick<EntitlementService, 'forUser'>;
      throttle: Pick<SignInThrottle, 'unlock' | 'states'>;
      audit: AuditStore;
    },
  ) {}

  /** The accounts and permission sets the user reaches now, through their own and their groups' assignments. */
  async entitlementsOf(userId: string): Promise<{ user: User; access: AccountAccess[] }> {
    const user = await this.deps.user(userId);
    const groups = await this.deps.identitySourceFor(user.source).groupsOf(user);
    return { user, access: await this.deps.entitlements.forUser(user, groups) };
  }

  /**
   * Unlocks an account locked by 100 consecutive failed sign-ins (NIST SP 800-63B §5.2.2), which
   * stays locked until an administrator does this. Failures are counted per typed name, and a
   * directory whose login attribute is mail or userPrincipalName is signed in to with an
   * address, so both the userName and the e-mail addresses are unlocked.
   */
  async unlock(userId: string, actor: string): Promise<void> {
    const user = await this.deps.user(userId);
    await this.deps.throttle.unlock(user.userName, ...user.emails.map((e) => e.value));
    await this.deps.audit.append({ actor, action: 'user.unlock', target: `user/${user.id}`, detail: {} });
  }

  /**
   * Whether each user is locked (until an administrator unlocks them) or throttled (for the
   * seconds given) from signing in. Failures are counted per typed name, so every name the user
   * signs in with counts (as for unlock).
   */
  async signInStates(users: readonly Pick<User, 'id' | 'userName' | 'emails'>[]): Promise<Map<string, SignInState>> {
    const states = await this.deps.throttle.states(users.map((u) => [u.userName, ...u.emails.map((e) => e.value)]));
    return new Map(users.map((u, i) => [u.id, states[i] ?? { state: 'open' }]));
  }

  /** signInStates for one user by id; NotFoundError for an unknown id. */
  async signInStateOf(userId: string): Promise<SignInState> {
    const user = await this.deps.user(userId);
    return (await this.signInStates([user])).get(user.id) ?? { state: 'open' };
  }
}
