// What Gatehouse reads off a directory entry: the attributes to ask for, and the user or group they
// describe (keyed on the immutable entryUUID / objectGUID), including whether the account is
// disabled under the configured rule.

import type { Entry, Filter } from 'ldapts';
import type { PersonName, User } from '../../model/types.ts';
import { first, firstBuffer, strings, values } from './entry.ts';
import { equals } from './filters.ts';
import { formatObjectGuid, parseObjectGuid } from './object-guid.ts';
import type { DisabledRule, LdapSettings } from './settings.ts';

/** A directory entry read as a user: the fields of our user record it fills, and where it came from. */
export interface LdapUserProfile extends Pick<User, 'userName' | 'displayName' | 'name' | 'emails' | 'attributes' | 'enabled'> {
  dn: string;
  /** entryUUID, or objectGUID as a GUID string; lower case. */
  externalId: string;
  /** Group DNs from the user's memberOf (read only in `memberOf` mode). */
  memberOf: string[];
}

export interface LdapGroupProfile {
  dn: string;
  externalId: string;
  displayName: string;
  description: string;
}

export function userAttributes(settings: LdapSettings): string[] {
  const a = settings.attributes;
  const wanted = [
    a.idAttribute,
    a.userName,
    settings.loginAttribute,
    a.displayName,
    'cn',
    a.givenName,
    a.familyName,
    a.email,
    ...Object.values(a.custom),
    ...(settings.disabled.kind === 'none' ? [] : [settings.disabled.attribute]),
    ...(settings.groupMembership === 'memberOf' ? ['memberOf'] : []),
  ];
  return unique(wanted);
}

export function groupAttributes(settings: LdapSettings): string[] {
  return unique([settings.attributes.idAttribute, settings.groupNameAttribute, 'cn', 'description']);
}

/** The user an entry describes, or null when it lacks an immutable id or a user name. */
export function toUserProfile(settings: LdapSettings, entry: Entry): LdapUserProfile | null {
  const a = settings.attributes;
  const externalId = externalIdOf(settings, entry);
  const userName = first(entry, a.userName);
  if (externalId === null || userName === undefined) return null;
  const attributes: Record<string, string> = {};
  for (const [name, ldapAttribute] of Object.entries(a.custom)) {
    const value = first(entry, ldapAttribute);
    if (value !== undefined) attributes[name] = value;
  }
  const name: PersonName = {};
  const givenName = first(entry, a.givenName);
  const familyName = first(entry, a.familyName);
  if (givenName !== undefined) name.givenName = givenName;
  if (familyName !== undefined) name.familyName = familyName;
  return {
    dn: entry.dn,
    externalId,
    userName,
    displayName: first(entry, a.displayName) ?? first(entry, 'cn') ?? userName,
    name,
    emails: strings(entry, a.email)
      .filter((v) => v !== '')
      .map((value, i) => ({ value, type: 'work', primary: i === 0 })),
    attributes,
    enabled: !isDisabled(settings.disabled, entry),
    memberOf: strings(entry, 'memberOf'),
  };
}

export function toGroupProfile(settings: LdapSettings, entry: Entry): LdapGroupProfile | null {
  const externalId = externalIdOf(settings, entry);
  const displayName = first(entry, settings.groupNameAttribute) ?? first(entry, 'cn');
  if (externalId === null || displayName === undefined) return null;
  return { dn: entry.dn, externalId, displayName, description: first(entry, 'description') ?? '' };
}

export function externalIdOf(settings: LdapSettings, entry: Entry): string | null {
  if (settings.attributes.idAttribute === 'objectGUID') {
    const bytes = firstBuffer(entry, 'objectGUID');
    return bytes && bytes.length === 16 ? formatObjectGuid(bytes) : null;
  }
  return first(entry, 'entryUUID')?.toLowerCase() ?? null;
}

/** `(idAttribute=<id>)` for re-reading an entry by the id Gatehouse keeps; null for a malformed id. */
export function idFilter(settings: LdapSettings, externalId: string): Filter | null {
  if (settings.attributes.idAttribute === 'objectGUID') {
    const bytes = parseObjectGuid(externalId);
    return bytes ? equals('objectGUID', bytes) : null;
  }
  return /^[0-9a-f-]{36}$/i.test(externalId) ? equals('entryUUID', externalId) : null;
}

export function isDisabled(rule: DisabledRule, entry: Entry): boolean {
  switch (rule.kind) {
    case 'none':
      return false;
    case 'attribute-present':
      return values(entry, rule.attribute).some((v) => v.length > 0);
    case 'attribute-equals':
      return strings(entry, rule.attribute).some((v) => v.toLowerCase() === rule.value.toLowerCase());
    case 'bit-set':
      return strings(entry, rule.attribute).some((v) => /^-?\d+$/.test(v.trim()) && (Number(v) & rule.mask) !== 0);
  }
}

function unique(names: string[]): string[] {
  const seen = new Set<string>();
  return names.filter((n) => {
    const key = n.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
