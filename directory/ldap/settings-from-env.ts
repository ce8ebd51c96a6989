// LDAP settings from environment variables (LDAP_URL, LDAP_BIND_DN, ...), for deployments that
// configure the identity source without the admin API. A pure function over a record: server/config.ts
// hands it the environment, as nothing else reads process.env. A bad value is reported under the
// variable's own name. scripts/README-ldap.md lists every variable with examples.

import { ValidationError } from '../../model/errors.ts';
import { parseLdapSettings, type LdapSettings, type LdapSettingsInput } from './settings.ts';

/** Variable → settings path, for the scalar settings. */
const SCALARS: Record<string, string> = {
  LDAP_URL: 'url',
  LDAP_START_TLS: 'startTls',
  LDAP_CA_CERT_PEM: 'caCertificatePem',
  LDAP_TLS_VERIFY: 'tlsVerify',
  LDAP_BIND_DN: 'bindDn',
  LDAP_BIND_PASSWORD: 'bindPassword',
  LDAP_USER_BASE_DN: 'userBaseDn',
  LDAP_USER_FILTER: 'userFilter',
  LDAP_LOGIN_ATTRIBUTE: 'loginAttribute',
  LDAP_ATTR_USER_NAME: 'attributes.userName',
  LDAP_ATTR_DISPLAY_NAME: 'attributes.displayName',
  LDAP_ATTR_GIVEN_NAME: 'attributes.givenName',
  LDAP_ATTR_FAMILY_NAME: 'attributes.familyName',
  LDAP_ATTR_EMAIL: 'attributes.email',
  LDAP_ID_ATTRIBUTE: 'attributes.idAttribute',
  LDAP_GROUP_BASE_DN: 'groupBaseDn',
  LDAP_GROUP_FILTER: 'groupFilter',
  LDAP_GROUP_NAME_ATTRIBUTE: 'groupNameAttribute',
  LDAP_GROUP_MEMBERSHIP: 'groupMembership',
  LDAP_NESTED_GROUP_DEPTH: 'nestedGroupDepth',
  LDAP_CONNECT_TIMEOUT_MS: 'connectTimeoutMs',
  LDAP_OPERATION_TIMEOUT_MS: 'operationTimeoutMs',
};
const BOOLEANS = new Set(['LDAP_START_TLS', 'LDAP_TLS_VERIFY']);
const NUMBERS = new Set(['LDAP_NESTED_GROUP_DEPTH', 'LDAP_CONNECT_TIMEOUT_MS', 'LDAP_OPERATION_TIMEOUT_MS']);
/** Variables with their own small syntax (below). */
const LISTS: Record<string, string> = {
  LDAP_CUSTOM_ATTRIBUTES: 'attributes.custom',
  LDAP_MEMBER_ATTRIBUTES: 'memberAttributes',
  LDAP_DISABLED: 'disabled',
};

/**
 * The LDAP settings the environment describes, or null when LDAP_URL is not set (the built-in
 * directory is used). Empty variables count as unset. Throws ValidationError naming the variables.
 */
export function ldapSettingsFromEnv(env: Record<string, string | undefined>): LdapSettings | null {
  const get = (name: string): string | undefined => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  if (get('LDAP_URL') === undefined) return null;

  const input: Record<string, unknown> = {};
  const problems: Array<{ field: string; message: string }> = [];
  for (const [name, path] of Object.entries(SCALARS)) {
    const raw = get(name);
    if (raw === undefined) continue;
    let value: unknown = raw;
    if (BOOLEANS.has(name)) {
      value = /^(true|1|yes)$/i.test(raw) ? true : /^(false|0|no)$/i.test(raw) ? false : raw;
    } else if (NUMBERS.has(name)) {
      value = /^\d+$/.test(raw) ? Number(raw) : raw;
    }
    setPath(input, path, value);
  }
  const custom = get('LDAP_CUSTOM_ATTRIBUTES');
  if (custom !== undefined) {
    const pairs = custom.split(',').map((p) => p.split('=').map((s) => s.trim()));
    if (pairs.some((p) => p.length !== 2 || !p[0] || !p[1])) {
      problems.push({ field: 'LDAP_CUSTOM_ATTRIBUTES', message: 'must be name=ldapAttribute pairs separated by commas, e.g. costCenter=extensionAttribute1' });
    } else setPath(input, 'attributes.custom', Object.fromEntries(pairs));
  }
  const members = get('LDAP_MEMBER_ATTRIBUTES');
  if (members !== undefined) setPath(input, 'memberAttributes', members.split(',').map((s) => s.trim()).filter(Boolean));
  const disabled = get('LDAP_DISABLED');
  if (disabled !== undefined) {
    const rule = parseDisabledRule(disabled);
    if (rule) setPath(input, 'disabled', rule);
    else {
      problems.push({
        field: 'LDAP_DISABLED',
        message: 'must be none, present:<attribute>, equals:<attribute>=<value> or bit:<attribute>=<mask>',
      });
    }
  }

  try {
    const settings = parseLdapSettings(input as LdapSettingsInput);
    if (problems.length > 0) throw new ValidationError('Invalid LDAP settings', []);
    return settings;
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    const all = [...problems, ...e.problems.map((p) => ({ field: variableFor(p.field), message: p.message }))];
    throw new ValidationError(`Invalid LDAP settings: ${all.map((p) => `${p.field}: ${p.message}`).join('; ')}`, all);
  }
}

/** `none`, `present:pwdAccountLockedTime`, `equals:employeeType=disabled`, `bit:userAccountControl=2`. */
function parseDisabledRule(text: string): LdapSettingsInput['disabled'] | null {
  const t = text.trim();
  if (t === 'none') return { kind: 'none' };
  const present = /^present:([^=]+)$/.exec(t);
  if (present) return { kind: 'attribute-present', attribute: present[1]!.trim() };
  const equals = /^equals:([^=]+)=(.+)$/.exec(t);
  if (equals) return { kind: 'attribute-equals', attribute: equals[1]!.trim(), value: equals[2]!.trim() };
  const bit = /^bit:([^=]+)=(\d+)$/.exec(t);
  if (bit) return { kind: 'bit-set', attribute: bit[1]!.trim(), mask: Number(bit[2]) };
  return null;
}

function variableFor(path: string): string {
  for (const [name, p] of [...Object.entries(SCALARS), ...Object.entries(LISTS)]) {
    if (path === p || path.startsWith(`${p}.`)) return name;
  }
  return path;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}
