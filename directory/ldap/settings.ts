// How Gatehouse reaches an LDAP directory (OpenLDAP, Active Directory, any LDAPv3 server): the one
// validated settings object behind the admin API's `/api/v1/identity-source` and the environment.
// Filters typed by an administrator are parsed here, so a bad one is refused when it is saved, not at
// the next sign-in. scripts/README-ldap.md shows full OpenLDAP and Active Directory examples.

import { FilterParser } from 'ldapts';
import { z } from 'zod';
import { parseInput } from '../../model/validate.ts';

/** The attribute a person types their name into at sign-in. */
export const LOGIN_ATTRIBUTES = ['uid', 'sAMAccountName', 'userPrincipalName', 'mail'] as const;

/**
 * How a user's groups are found:
 * - `member`: groups (groupOfNames / groupOfUniqueNames / AD group) whose member attribute holds the
 *   user's DN; nested groups followed level by level up to `nestedGroupDepth`.
 * - `memberOf`: the user's own `memberOf` values (AD, or OpenLDAP's memberof overlay); nested groups
 *   followed through each group's `memberOf`.
 * - `ad-in-chain`: one search with LDAP_MATCHING_RULE_IN_CHAIN (1.2.840.113556.1.4.1941), which
 *   Active Directory resolves to every group the user is in, directly or nested. AD only.
 */
export const GROUP_MEMBERSHIP_MODES = ['member', 'memberOf', 'ad-in-chain'] as const;

/** The directory's immutable id, which Gatehouse ids are keyed on (survives renames and moves). */
export const ID_ATTRIBUTES = ['entryUUID', 'objectGUID'] as const;

const attributeName = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'must be an LDAP attribute name, e.g. displayName');

const dn = z.string().trim().min(1, 'is required').max(1024, 'is too long');

const filter = z
  .string()
  .trim()
  .max(4096, 'is too long')
  .refine(parsesAsFilter, 'is not a valid LDAP filter (RFC 4515); write it in parentheses, e.g. (objectClass=inetOrgPerson)');

const timeoutMs = z.number().int().min(100, 'must be at least 100 ms').max(60_000, 'must be at most 60000 ms');

/** When a directory account counts as disabled: sign-in is refused with reason `disabled`. */
const disabledRule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  /** e.g. OpenLDAP ppolicy's `pwdAccountLockedTime`, or `nsAccountLock` on 389-DS. */
  z.object({ kind: z.literal('attribute-present'), attribute: attributeName }),
  /** e.g. `employeeType` = `disabled`; compared case-insensitively. */
  z.object({ kind: z.literal('attribute-equals'), attribute: attributeName, value: z.string().min(1) }),
  /** e.g. AD `userAccountControl` with mask 2 (ACCOUNTDISABLE, MS-ADTS 2.2.16). */
  z.object({ kind: z.literal('bit-set'), attribute: attributeName, mask: z.number().int().min(1).max(0x7fffffff) }),
]);

const attributeMapping = z.object({
  /** Gatehouse's userName; defaults to the login attribute. */
  userName: attributeName.optional(),
  displayName: attributeName.default('displayName'),
  givenName: attributeName.default('givenName'),
  familyName: attributeName.default('sn'),
  email: attributeName.default('mail'),
  idAttribute: z.enum(ID_ATTRIBUTES).default('entryUUID'),
  /** Gatehouse attribute name (ABAC PrincipalTag key, app mappings) → LDAP attribute. */
  custom: z
    .record(z.string().regex(/^[A-Za-z][\w.:-]{0,63}$/, 'must be a name like costCenter'), attributeName)
    .default({}),
});

export const ldapSettingsSchema = z
  .object({
    /** `ldap://host[:389]` (optionally with StartTLS) or `ldaps://host[:636]`. */
    url: z.string().trim().refine(isLdapUrl, 'must be ldap://host[:port] or ldaps://host[:port], with no path'),
    /** Upgrade an `ldap://` connection with the StartTLS extended operation (RFC 4511 §4.14). */
    startTls: z.boolean().default(false),
    /** PEM of the CA that signed the directory's certificate, when it is not a public CA. */
    caCertificatePem: z.string().includes('BEGIN CERTIFICATE', { message: 'must be a PEM certificate' }).optional(),
    /** Check the directory's certificate and host name. Off only for a lab. */
    tlsVerify: z.boolean().default(true),
    /** The service account that searches for users and groups (read-only is enough). */
    bindDn: dn,
    bindPassword: z.string().min(1, 'is required'),
    userBaseDn: dn,
    userFilter: filter.default('(objectClass=inetOrgPerson)'),
    loginAttribute: z.enum(LOGIN_ATTRIBUTES).default('uid'),
    attributes: attributeMapping.default(() => attributeMapping.parse({})),
    disabled: disabledRule.default({ kind: 'none' }),
    groupBaseDn: dn,
    groupFilter: filter.default('(objectClass=groupOfNames)'),
    groupNameAttribute: attributeName.default('cn'),
    groupMembership: z.enum(GROUP_MEMBERSHIP_MODES).default('member'),
    /** For `member` mode: attributes of a group holding member DNs (`uniqueMember` for groupOfUniqueNames). */
    memberAttributes: z.array(attributeName).min(1).max(4).default(['member']),
    /** How many levels of groups-in-groups `member` and `memberOf` modes follow (0 = direct only). */
    nestedGroupDepth: z.number().int().min(0).max(20).default(10),
    connectTimeoutMs: timeoutMs.default(5000),
    operationTimeoutMs: timeoutMs.default(5000),
  })
  .superRefine((s, ctx) => {
    if (s.startTls && s.url.toLowerCase().startsWith('ldaps:')) {
      ctx.addIssue({ code: 'custom', path: ['startTls'], message: 'StartTLS is for ldap:// URLs; ldaps:// is TLS from the start' });
    }
    if (s.groupMembership === 'ad-in-chain' && s.memberAttributes.length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['memberAttributes'], message: 'ad-in-chain follows exactly one member attribute (member)' });
    }
  })
  .transform((s) => ({ ...s, attributes: { ...s.attributes, userName: s.attributes.userName ?? s.loginAttribute } }));

/** What an administrator sends (defaults may be left out). */
export type LdapSettingsInput = z.input<typeof ldapSettingsSchema>;
/** Validated, with every default filled in. */
export type LdapSettings = z.output<typeof ldapSettingsSchema>;
export type DisabledRule = LdapSettings['disabled'];

/** Validates settings; throws ValidationError naming every bad field. */
export function parseLdapSettings(input: unknown): LdapSettings {
  return parseInput(ldapSettingsSchema, input, 'LDAP settings');
}

/** The settings as the admin API may show them: the service password is never sent back. */
export function publicLdapSettings(settings: LdapSettings): Omit<LdapSettings, 'bindPassword'> & { bindPasswordSet: boolean } {
  const { bindPassword, ...rest } = settings;
  return { ...rest, bindPasswordSet: bindPassword.length > 0 };
}

function isLdapUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'ldap:' || url.protocol === 'ldaps:') &&
    url.hostname !== '' &&
    (url.pathname === '' || url.pathname === '/') &&
    url.search === '' &&
    url.hash === '' &&
    url.username === '' &&
    url.password === ''
  );
}

/**
 * RFC 4515 §3: one parenthesised filter. ldapts's parser forgives a missing outer pair and an
 * unclosed `(&`, so the shape is checked here first; inside values, parentheses must be written
 * \28 and \29, so counting them is exact.
 */
function parsesAsFilter(value: string): boolean {
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '(') depth++;
    else if (value[i] === ')') depth--;
    if (depth < 0 || (depth === 0 && i < value.length - 1)) return false;
  }
  if (depth !== 0 || !value.startsWith('(')) return false;
  try {
    FilterParser.parseString(value);
    return true;
  } catch {
    return false;
  }
}
