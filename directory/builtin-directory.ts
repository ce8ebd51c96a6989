// The built-in directory as an identity source: users and groups kept in Gatehouse's own SQL
// store, passwords as argon2id hashes.
import type { Group, User } from '../model/types.ts';
import type { DirectoryStore } from '../store/stores.ts';
import type { AuthenticationResult, IdentitySource } from './identity-source.ts';
import { PASSWORD_MAX_LENGTH, type PasswordHasher } from './passwords.ts';

export class BuiltinDirectory implements IdentitySource {
  readonly kind = 'builtin' as const;

  constructor(
    private readonly store: DirectoryStore,
    private readonly passwords: PasswordHasher,
  ) {}

  async authenticate(userName: string, password: string): Promise<AuthenticationResult> {
    if (password.trim() === '') return { ok: false, reason: 'empty-password' };
    if (userName.length > 128 || password.length > PASSWORD_MAX_LENGTH) {
      await this.passwords.burn(password.slice(0, PASSWORD_MAX_LENGTH));
      return { ok: false, reason: 'unknown-user' };
    }
    const user = await this.store.getUserByName(userName);
    const hash = user && user.source === 'builtin' ? await this.store.getPasswordHash(user.id) : null;
    if (!user || !hash) {
      await this.passwords.burn(password);
      return { ok: false, reason: 'unknown-user' };
    }
    if (!(await this.passwords.verify(hash, password))) return { ok: false, reason: 'bad-password' };
    // Checked after the password, so a disabled account is not revealed to someone without it.
    if (!user.enabled) return { ok: false, reason: 'disabled' };
    return { ok: true, user };
  }

  async findUserByName(userName: string): Promise<User | null> {
    const user = await this.store.getUserByName(userName);
    return user?.source === 'builtin' ? user : null;
  }

  async getUser(id: string): Promise<User | null> {
    return this.store.getUser(id);
  }

  /** One query, whatever the number of groups (the credential check reads this often). */
  groupsOf(user: User): Promise<Group[]> {
    return this.store.groupsOfUser(user.id);
  }

  async searchUsers(text: string, limit: number): Promise<User[]> {
    return (await this.store.listUsers({ nameContains: text, limit })).items;
  }

  async searchGroups(text: string, limit: number): Promise<Group[]> {
    return (await this.store.listGroups({ nameContains: text, limit })).items;
  }
}
