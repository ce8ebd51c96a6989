// An LDAP directory (OpenLDAP, Active Directory, any LDAPv3 server) as Gatehouse's identity source.
//
// Sign-in (docs/security.md: "Passwords and the directory"): an empty or blank password is refused before any
// connection; the service account finds the person by the login attribute (the typed name goes in
// as a filter value, never as filter text or a DN); exactly one entry must match; then a bind as
// that entry's DN checks the password. When no entry may be bound (unknown, ambiguous, disabled),
// a bind as nobody takes its place, so the answer takes as long either way and does not tell which
// names exist (docs/security.md, "Password guessing"). The person always sees one message; the log
// keeps the reason. A directory that is down or slow throws UnavailableError, which is never a failed sign-in
// and never a success. Nothing about groups is cached: every call re-reads the directory, so a
// removal takes effect at the next sign-in or token refresh.

import { randomBytes } from 'node:crypto';
import type { Entry, Filter } from 'ldapts';
import { ValidationError } from '../../model/errors.ts';
import type { Group, User } from '../../model/types.ts';
import type { DirectoryStore } from '../../store/stores.ts';
import type { AuthenticationResult, IdentitySource } from '../identity-source.ts';
import { and, configured, contains, equals, or } from './filters.ts';
import { groupsOfDn } from './group-membership.ts';
import { LdapIdentityLinker } from './identity-link.ts';
import type { SignInFailure } from './ldap-errors.ts';
import { silentLogger, type LdapLogger } from './logger.ts';
import { groupAttributes, idFilter, toGroupProfile, toUserProfile, userAttributes, type LdapUserProfile } from './profiles.ts';
import { withDirectory, type LdapSession } from './session.ts';
import type { LdapSettings } from './settings.ts';

/** Longer than any real login name (AD userPrincipalName tops out at 1024 with its suffix; 256 is plenty for a name). */
export const MAX_USER_NAME_LENGTH = 256;
/** Longer than any real password; refused without asking the directory. */
export const MAX_PASSWORD_LENGTH = 1024;
export const MAX_SEARCH_TEXT_LENGTH = 256;

export interface LdapIdentitySourceOptions {
  settings: LdapSettings;
  store: DirectoryStore;
  logger?: LdapLogger;
}

type Lookup = { profile: LdapUserProfile } | { failure: SignInFailure; detail: string; dn?: string };

export class LdapIdentitySource implements IdentitySource {
  readonly kind = 'ldap' as const;
  private readonly settings: LdapSettings;
  private readonly store: DirectoryStore;
  private readonly logger: LdapLogger;
  private readonly linker: LdapIdentityLinker;
  /**
   * Whom the no-one-to-check paths bind as: a name under the user base that no entry has (random
   * per process) and a password no one has. Directories may log these refused binds.
   */
  private readonly nobody: { dn: string; password: string };

  constructor(options: LdapIdentitySourceOptions) {
    this.settings = options.settings;
    this.nobody = {
      dn: `cn=gatehouse-nobody-${randomBytes(8).toString('hex')},${options.settings.userBaseDn}`,
      password: randomBytes(24).toString('base64url'),
    };
    this.store = options.store;
    this.logger = options.logger ?? silentLogger;
    this.linker = new LdapIdentityLinker(this.store, this.logger);
  }

  async authenticate(userName: string, password: string): Promise<AuthenticationResult> {
    if (password.trim() === '') return this.refuse(userName, 'empty-password', 'empty or blank password; no bind attempted');
    if (userName.trim() === '' || userName.length > MAX_USER_NAME_LENGTH) {
      return this.refuse(userName, 'unknown-user', `user name empty or over ${MAX_USER_NAME_LENGTH} characters; directory not asked`);
    }
    if (password.length > MAX_PASSWORD_LENGTH) {
      return this.refuse(userName, 'bad-password', `password over ${MAX_PASSWORD_LENGTH} characters; directory not asked`);
    }

    let outcome: Lookup;
    try {
      outcome = await withDirectory(this.settings, 'sign-in', (session) => this.checkCredentials(session, userName, password));
    } catch (e) {
      this.logger.error({ event: 'ldap.signin.unavailable', userName: forLog(userName), error: (e as Error).message }, 'directory unavailable during sign-in');
      throw e;
    }
    if ('failure' in outcome) return this.refuse(userName, outcome.failure, outcome.detail, outcome.dn);

    const user = await this.linker.linkUser(outcome.profile);
    this.logger.info({ event: 'ldap.signin.success', userName: user.userName, userId: user.id, dn: outcome.profile.dn }, 'LDAP sign-in succeeded');
    return { ok: true, user };
  }

  async findUserByName(userName: string): Promise<User | null> {
    if (userName.trim() === '' || userName.length > MAX_USER_NAME_LENGTH) return null;
    const profile = await withDirectory(this.settings, 'user lookup', async (session) => {
      const entries = await this.searchUsersWhere(session, equals(this.settings.attributes.userName, userName), 2);
      return entries.length === 1 ? entries[0]! : null;
    });
    return profile ? this.linker.linkUser(profile) : null;
  }

  async getUser(id: string): Promise<User | null> {
    const stored = await this.store.getUser(id);
    if (!stored || stored.source !== 'ldap' || stored.externalId === null) return null;
    const profile = await withDirectory(this.settings, 'user lookup', (session) => this.readUser(session, stored.externalId!));
    return profile ? this.linker.linkUser(profile) : null;
  }

  async groupsOf(user: User): Promise<Group[]> {
    if (user.source !== 'ldap' || user.externalId === null) return [];
    const externalId = user.externalId;
    const profiles = await withDirectory(this.settings, 'group lookup', async (session) => {
      // Re-read the user: their DN may have changed since sign-in (rename, move).
      const entry = await this.readUser(session, externalId);
      return entry ? groupsOfDn(session, this.settings, entry) : [];
    });
    const groups = [];
    for (const profile of profiles) groups.push(await this.linker.linkGroup(profile));
    return groups.sort(byName((g) => g.displayName));
  }

  async searchUsers(text: string, limit: number): Promise<User[]> {
    const a = this.settings.attributes;
    const filter = or(...distinct([a.userName, a.displayName, 'cn', a.email]).map((attribute) => contains(attribute, searchText(text))));
    const profiles = await withDirectory(this.settings, 'user search', (session) => this.searchUsersWhere(session, filter, clampLimit(limit)));
    const users = [];
    for (const profile of profiles) users.push(await this.linker.linkUser(profile));
    return users.sort(byName((u) => u.userName));
  }

  async searchGroups(text: string, limit: number): Promise<Group[]> {
    const s = this.settings;
    const filter = and(
      configured(s.groupFilter),
      or(...distinct([s.groupNameAttribute, 'cn', 'description']).map((attribute) => contains(attribute, searchText(text)))),
    );
    const entries = await withDirectory(this.settings, 'group search', (session) =>
      session.search(s.groupBaseDn, filter, groupAttributes(s), { sizeLimit: clampLimit(limit) }),
    );
    const groups = [];
    for (const entry of entries) {
      const profile = toGroupProfile(s, entry);
      if (profile) groups.push(await this.linker.linkGroup(profile));
    }
    return groups.sort(byName((g) => g.displayName));
  }

  /** For readiness checks: the directory answers and accepts the service account. */
  async ping(): Promise<void> {
    await withDirectory(this.settings, 'ping', async () => undefined);
  }

  private async checkCredentials(session: LdapSession, userName: string, password: string): Promise<Lookup> {
    const found = await this.findBindTarget(session, userName);
    if ('failure' in found) {
      // No one's password to check: the same round trip anyway, so the answer comes no sooner.
      await session.bindNobody(this.nobody.dn, this.nobody.password);
      return found;
    }
    const failure = await session.bindUser(found.profile.dn, password);
    if (failure) return { failure, detail: 'the directory refused the bind', dn: found.profile.dn };
    return found;
  }

  /** The one enabled entry whose password a bind may check, or why there is none. */
  private async findBindTarget(session: LdapSession, userName: string): Promise<Lookup> {
    const entries = await this.userEntries(session, equals(this.settings.loginAttribute, userName), 2);
    if (entries.length === 0) return { failure: 'unknown-user', detail: 'no entry matches' };
    // Two entries answering to one login name: signing in as either would be a guess.
    if (entries.length > 1) {
      return { failure: 'unknown-user', detail: `ambiguous: more than one entry has this ${this.settings.loginAttribute}` };
    }
    const profile = this.profileOf(entries[0]!);
    if (!profile) return { failure: 'unknown-user', detail: 'the matching entry is unusable', dn: entries[0]!.dn };
    // Checked before the bind: a disabled account's bind is never attempted (AD and ppolicy would
    // count it towards lockout), and OpenLDAP's ppolicy would refuse it as "invalid credentials".
    if (!profile.enabled) return { failure: 'disabled', detail: 'account disabled in the directory', dn: profile.dn };
    return { profile };
  }

  private async readUser(session: LdapSession, externalId: string): Promise<LdapUserProfile | null> {
    const filter = idFilter(this.settings, externalId);
    if (!filter) return null;
    const entries = await this.userEntries(session, filter, 2);
    return entries.length === 1 ? this.profileOf(entries[0]!) : null;
  }

  private async searchUsersWhere(session: LdapSession, filter: Filter, sizeLimit: number): Promise<LdapUserProfile[]> {
    const entries = await this.userEntries(session, filter, sizeLimit);
    return entries.map((e) => this.profileOf(e)).filter((p): p is LdapUserProfile => p !== null);
  }

  /** Entries matching `filter` within the configured user base and user filter. */
  private userEntries(session: LdapSession, filter: Filter, sizeLimit: number): Promise<Entry[]> {
    const s = this.settings;
    return session.search(s.userBaseDn, and(configured(s.userFilter), filter), userAttributes(s), { sizeLimit });
  }

  private profileOf(entry: Entry): LdapUserProfile | null {
    const profile = toUserProfile(this.settings, entry);
    if (!profile) {
      const a = this.settings.attributes;
      this.logger.warn({ event: 'ldap.entry.skipped', dn: entry.dn }, `entry has no ${a.idAttribute} or no ${a.userName}; ignored`);
    }
    return profile;
  }

  private refuse(userName: string, reason: SignInFailure, detail: string, dn?: string): AuthenticationResult {
    this.logger.info({ event: 'ldap.signin.failure', userName: forLog(userName), reason, detail, ...(dn ? { dn } : {}) }, 'LDAP sign-in refused');
    return { ok: false, reason };
  }
}

/** A typed name as the log may keep it: bounded, control characters made visible. */
function forLog(userName: string): string {
  // eslint-disable-next-line no-control-regex
  const visible = userName.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return visible.length > 64 ? `${visible.slice(0, 64)}… (${userName.length} chars)` : visible;
}

function searchText(text: string): string {
  if (text.length > MAX_SEARCH_TEXT_LENGTH) {
    throw new ValidationError(`Search text is longer than ${MAX_SEARCH_TEXT_LENGTH} characters`, [
      { field: 'text', message: `must be at most ${MAX_SEARCH_TEXT_LENGTH} characters` },
    ]);
  }
  return text.trim();
}

function clampLimit(limit: number): number {
  return Number.isFinite(limit) ? Math.min(1000, Math.max(1, Math.trunc(limit))) : 100;
}

function distinct(names: string[]): string[] {
  return [...new Map(names.map((n) => [n.toLowerCase(), n])).values()];
}

function byName<T>(name: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => name(a).localeCompare(name(b));
}
