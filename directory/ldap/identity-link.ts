// Gives every directory user and group a stable Gatehouse id, recorded in SQL the first time
// Gatehouse sees it and keyed on the directory's immutable id (entryUUID / objectGUID), so
// assignments and audit records survive renames and moves. Each later sight refreshes the stored
// copy (names, e-mail, enabled) from the directory, which stays the authority. LDAP users are
// never administrators and have no password stored.

import { ConflictError } from '../../model/errors.ts';
import { newPrincipalId } from '../../model/ids.ts';
import type { Group, User } from '../../model/types.ts';
import type { DirectoryStore, GroupPatch, UserPatch } from '../../store/stores.ts';
import type { LdapLogger } from './logger.ts';
import type { LdapGroupProfile, LdapUserProfile } from './profiles.ts';

export class LdapIdentityLinker {
  constructor(
    private readonly store: DirectoryStore,
    private readonly logger: LdapLogger,
  ) {}

  async linkUser(profile: LdapUserProfile): Promise<User> {
    const existing = await this.store.getUserByExternalId('ldap', profile.externalId);
    if (existing) return this.refreshUser(existing, profile);
    try {
      return await this.createUser(profile);
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      // Another request linked the same entry a moment ago, or the name is held by someone else.
      const raced = await this.store.getUserByExternalId('ldap', profile.externalId);
      if (raced) return this.refreshUser(raced, profile);
      await this.releaseUserName(profile);
      return this.createUser(profile);
    }
  }

  async linkGroup(profile: LdapGroupProfile): Promise<Group> {
    const existing = await this.store.getGroupByExternalId('ldap', profile.externalId);
    if (existing) return this.refreshGroup(existing, profile);
    try {
      return await this.store.createGroup({
        id: newPrincipalId(),
        displayName: profile.displayName,
        description: profile.description,
        source: 'ldap',
        externalId: profile.externalId,
      });
    } catch (e) {
      const raced = e instanceof ConflictError ? await this.store.getGroupByExternalId('ldap', profile.externalId) : null;
      if (!raced) throw e;
      return this.refreshGroup(raced, profile);
    }
  }

  private createUser(profile: LdapUserProfile): Promise<User> {
    return this.store.createUser({
      id: newPrincipalId(),
      ...userFields(profile),
      isAdmin: false,
      source: 'ldap',
      externalId: profile.externalId,
    });
  }

  private async refreshUser(user: User, profile: LdapUserProfile): Promise<User> {
    const patch = userPatch(user, profile);
    if (Object.keys(patch).length === 0) return user;
    try {
      return await this.store.updateUser(user.id, patch);
    } catch (e) {
      if (!(e instanceof ConflictError) || patch.userName === undefined) throw e;
      await this.releaseUserName(profile);
      return this.store.updateUser(user.id, patch);
    }
  }

  private async refreshGroup(group: Group, profile: LdapGroupProfile): Promise<Group> {
    const patch: GroupPatch = {};
    if (group.displayName !== profile.displayName) patch.displayName = profile.displayName;
    if (group.description !== profile.description) patch.description = profile.description;
    return Object.keys(patch).length === 0 ? group : this.store.updateGroup(group.id, patch);
  }

  /**
   * userName is unique in SQL. When another LDAP entry's stored copy still holds the name (it was
   * renamed or deleted in the directory since Gatehouse last saw it), park that copy under a name
   * nobody can type; its own next sight gives it its current name back. A built-in user holding
   * the name is a real clash an administrator must resolve.
   */
  private async releaseUserName(profile: LdapUserProfile): Promise<void> {
    const holder = await this.store.getUserByName(profile.userName);
    if (!holder || holder.externalId === profile.externalId) return;
    if (holder.source !== 'ldap') {
      this.logger.error(
        { event: 'ldap.link.conflict', userName: profile.userName, dn: profile.dn, holderId: holder.id },
        'a built-in user already has this LDAP user name',
      );
      throw new ConflictError(`The LDAP user ${JSON.stringify(profile.userName)} clashes with a built-in user of the same name`);
    }
    const parked = `${holder.userName}#${holder.externalId}`;
    this.logger.warn(
      { event: 'ldap.link.rename', userName: profile.userName, holderId: holder.id, parkedAs: parked },
      'user name moved to another directory entry; parking the old holder',
    );
    await this.store.updateUser(holder.id, { userName: parked });
  }
}

function userFields(profile: LdapUserProfile): Required<Pick<UserPatch, 'userName' | 'displayName' | 'name' | 'emails' | 'attributes' | 'enabled'>> {
  return {
    userName: profile.userName,
    displayName: profile.displayName,
    name: profile.name,
    emails: profile.emails,
    attributes: profile.attributes,
    enabled: profile.enabled,
  };
}

/** Only what changed, so an unchanged user costs no write. */
function userPatch(user: User, profile: LdapUserProfile): UserPatch {
  const patch: UserPatch = {};
  const fresh = userFields(profile);
  if (user.userName !== fresh.userName) patch.userName = fresh.userName;
  if (user.displayName !== fresh.displayName) patch.displayName = fresh.displayName;
  if (!sameJson(user.name, fresh.name)) patch.name = fresh.name;
  if (!sameJson(user.emails, fresh.emails)) patch.emails = fresh.emails;
  if (!sameJson(user.attributes, fresh.attributes)) patch.attributes = fresh.attributes;
  if (user.enabled !== fresh.enabled) patch.enabled = fresh.enabled;
  if (user.isAdmin) patch.isAdmin = false;
  return patch;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** Key order and absent-vs-undefined must not count as a change. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}
