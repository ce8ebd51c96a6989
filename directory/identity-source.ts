// The one interface every identity source implements (the built-in directory, LDAP / Active
// Directory), after dex's Connector: sign-in keeps "wrong credentials" (ok: false) apart from "the
// directory is broken" (throws UnavailableError), so a broken directory is never counted as a
// failed sign-in and never lets anyone in.

import type { Group, User } from '../model/types.ts';

export type AuthenticationResult =
  | { ok: true; user: User }
  /** `reason` is for the log only; people always see the same message. */
  | { ok: false; reason: 'unknown-user' | 'bad-password' | 'disabled' | 'locked' | 'expired' | 'empty-password' };

export interface IdentitySource {
  readonly kind: User['source'];
  /** Never succeeds with an empty password. Throws UnavailableError when the directory does not answer. */
  authenticate(userName: string, password: string): Promise<AuthenticationResult>;
  /** The user as the directory has it now (re-read at every sign-in and token refresh). */
  findUserByName(userName: string): Promise<User | null>;
  getUser(id: string): Promise<User | null>;
  /** The groups whose assignments reach the user (nested membership resolved where the source has it). */
  groupsOf(user: User): Promise<Group[]>;
  searchUsers(text: string, limit: number): Promise<User[]>;
  searchGroups(text: string, limit: number): Promise<Group[]>;
}
