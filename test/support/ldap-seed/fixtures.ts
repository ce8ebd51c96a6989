// Settings and helpers for the LDAP tests, matching seed.ldif: an OpenLDAP-style configuration (uid,
// entryUUID, groupOfNames) and an Active-Directory-style one (sAMAccountName, objectGUID,
// userAccountControl, memberOf) over the seed's ou=corp.

import { LdapIdentitySource } from '../../../directory/ldap/ldap-identity-source.ts';
import type { LdapLogger } from '../../../directory/ldap/logger.ts';
import { parseLdapSettings, type LdapSettings, type LdapSettingsInput } from '../../../directory/ldap/settings.ts';
import { openSqlStores } from '../../../store/sql/open.ts';
import type { SqlStores } from '../../../store/stores.ts';
import type { PrivateSlapd } from '../slapd.ts';

export const PEOPLE = 'ou=people,dc=example,dc=org';
export const GROUPS = 'ou=groups,dc=example,dc=org';
export const CORP_USERS = 'ou=users,ou=corp,dc=example,dc=org';
export const CORP_GROUPS = 'ou=groups,ou=corp,dc=example,dc=org';

/** The seed's password for a uid / sAMAccountName (jürgen's is the exception, below). */
export const passwordOf = (login: string): string => `${login}-secret-1`;
export const JUERGEN_PASSWORD = 'jürgen-pässword-1';

/** Short timeouts: the availability tests wait for them. */
export const TEST_TIMEOUTS = { connectTimeoutMs: 1000, operationTimeoutMs: 1000 } as const;

export function openLdapSettings(slapd: PrivateSlapd, overrides: Partial<LdapSettingsInput> = {}): LdapSettings {
  return parseLdapSettings({
    url: slapd.url,
    bindDn: slapd.bindDn,
    bindPassword: slapd.bindPassword,
    userBaseDn: PEOPLE,
    userFilter: '(objectClass=inetOrgPerson)',
    loginAttribute: 'uid',
    attributes: { custom: { department: 'departmentNumber', employeeNumber: 'employeeNumber' } },
    disabled: { kind: 'attribute-present', attribute: 'pwdAccountLockedTime' },
    groupBaseDn: GROUPS,
    groupFilter: '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))',
    groupMembership: 'member',
    ...TEST_TIMEOUTS,
    ...overrides,
  });
}

export function activeDirectoryLikeSettings(slapd: PrivateSlapd, overrides: Partial<LdapSettingsInput> = {}): LdapSettings {
  return parseLdapSettings({
    url: slapd.url,
    bindDn: slapd.bindDn,
    bindPassword: slapd.bindPassword,
    userBaseDn: CORP_USERS,
    userFilter: '(objectClass=gatehouseAdLike)',
    loginAttribute: 'sAMAccountName',
    attributes: { idAttribute: 'objectGUID', custom: { upn: 'userPrincipalName' } },
    disabled: { kind: 'bit-set', attribute: 'userAccountControl', mask: 2 },
    groupBaseDn: CORP_GROUPS,
    groupFilter: '(objectClass=groupOfNames)',
    groupMembership: 'memberOf',
    ...TEST_TIMEOUTS,
    ...overrides,
  });
}

/** A fresh in-memory SQLite behind the real SQL stores. */
export function openTestStores(): Promise<SqlStores> {
  return openSqlStores({ kind: 'sqlite', file: ':memory:' });
}

export interface CapturedLine {
  level: 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

/** A logger that keeps what it is told, so tests can check reasons are logged and secrets are not. */
export function capturingLogger(): LdapLogger & { lines: CapturedLine[]; text(): string } {
  const lines: CapturedLine[] = [];
  const at = (level: CapturedLine['level']) => (fields: Record<string, unknown>, message: string) => void lines.push({ level, fields, message });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), text: () => JSON.stringify(lines) };
}

export function ldapSource(settings: LdapSettings, stores: SqlStores, logger?: LdapLogger): LdapIdentitySource {
  return new LdapIdentitySource({ settings, store: stores.directory, ...(logger ? { logger } : {}) });
}
