// The LDAP / Active Directory identity source, as the rest of Gatehouse uses it: settings to
// validate (admin API, environment), the source itself, and the admin's "test connection".
export { LdapIdentitySource, MAX_PASSWORD_LENGTH, MAX_USER_NAME_LENGTH, type LdapIdentitySourceOptions } from './ldap-identity-source.ts';
export type { LdapLogger } from './logger.ts';
export {
  GROUP_MEMBERSHIP_MODES,
  ID_ATTRIBUTES,
  LOGIN_ATTRIBUTES,
  ldapSettingsSchema,
  parseLdapSettings,
  publicLdapSettings,
  type LdapSettings,
  type LdapSettingsInput,
} from './settings.ts';
export { ldapSettingsFromEnv } from './settings-from-env.ts';
export { testConnection, type ConnectionReport, type ConnectionStep, type TestConnectionOptions } from './test-connection.ts';
