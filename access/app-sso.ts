// What a custom SAML application receives about a person, decided at the moment of sign-in
// (security.md §5 promise 3): is the user assigned to the app now (directly or through a group),
// which NameID (by the app's NameID source), which attributes (the app's mappings, resolved from
// the directory), and for an external AWS account the AWS Role attribute pairs from the roles the
// user is assigned there (aws-identity-center.md §4). Everything here is data for idp/ to sign;
// nothing sees a request.
import { createHmac, randomBytes } from 'node:crypto';
import { defaultNameFormat, type SamlAttribute } from '../idp/saml/app-response.ts';
import {
  AWS_ATTR_PRINCIPAL_TAG_PREFIX, AWS_ATTR_ROLE, AWS_ATTR_ROLE_SESSION_NAME, AWS_ATTR_SESSION_DURATION,
} from '../idp/saml/aws-response.ts';
import { NAMEID_UNSPECIFIED } from '../idp/saml/namespaces.ts';
import { roleSessionNameFor } from '../idp/saml/role-session-name.ts';
import type { Application, AttributeMapping, Group, User } from '../model/types.ts';
import type { ApplicationStore, InstanceStore } from '../store/stores.ts';
import { principalTagsOf } from './aws-federation.ts';
import { samlProviderArn } from './role-name.ts';

/** The server-secret purpose that keys persistent NameIDs (access/server-secret.ts deriveKey). */
export const PERSISTENT_NAMEID_KEY_PURPOSE = 'saml-persistent-nameid';

const AWS_ATTRIBUTE_PREFIX = 'https://aws.amazon.com/SAML/Attributes/';
// IAM role ARN without commas (the Role attribute value is `role,provider`): as aws-response.ts.
const ROLE_ARN = /^arn:(aws[\w-]*):iam::(\d{12}):role\/[\w+=.@/-]{1,576}$/;
// AWS STS SessionDuration bounds (aws-identity-center.md §4).
const MIN_AWS_SESSION_SECONDS = 900;
const MAX_AWS_SESSION_SECONDS = 43200;

export type RefusalCode = 'user-disabled' | 'not-assigned' | 'no-role' | 'no-email' | 'nameid-policy' | 'misconfigured';

/** Why a person gets no assertion, in words for them (and the admin preview). */
export interface AppSsoRefusal {
  code: RefusalCode;
  message: string;
}

export interface AppSsoGrant {
  nameId: { value: string; format: string };
  attributes: SamlAttribute[];
  /** External AWS accounts: the role ARNs named in the Role attribute. */
  roleArns: string[];
  /** Mapping problems that did not stop the sign-in (an unknown template, say), for the preview. */
  warnings: string[];
}

export type AppSsoDecision = { ok: true; grant: AppSsoGrant } | { ok: false; refusal: AppSsoRefusal };

export interface DecideOptions {
  /** NameIDPolicy Format from an AuthnRequest; refused unless it is the app's format or unspecified (SAML Core §3.4.1.1). */
  requestedNameIdFormat?: string;
}

export class AppSsoService {
  constructor(
    private readonly deps: {
      applications: ApplicationStore;
      instance: InstanceStore;
      /** deriveKey(PERSISTENT_NAMEID_KEY_PURPOSE): the same on every node. */
      persistentIdKey: Buffer;
    },
  ) {}

  /**
   * The user's assignment to the app at this moment (directly or through `groups`), with the union
   * of assigned role ARNs; null when not assigned or disabled.
   */
  async assignmentOf(app: Application, user: User, groups: Group[]): Promise<{ roleArns: string[] } | null> {
    if (!user.enabled) return null;
    const reached = await this.deps.applications.applicationsFor(user.id, groups.map((g) => g.id));
    const row = reached.find((r) => r.applicationId === app.id);
    return row ? { roleArns: row.roleArns } : null;
  }

  /**
   * The apps the user reaches now, sorted by name (the portal's Applications tab). An AWS account
   * app shows only while one of the roles it still offers is assigned.
   */
  async applicationsFor(user: User, groups: Group[]): Promise<{ app: Application; roleArns: string[] }[]> {
    if (!user.enabled) return [];
    const reached = await this.deps.applications.applicationsFor(user.id, groups.map((g) => g.id));
    const found = await Promise.all(reached.map(async (r) => ({ app: await this.deps.applications.get(r.applicationId), roleArns: r.roleArns })));
    return found
      .filter((f): f is { app: Application; roleArns: string[] } => f.app !== null)
      .filter(({ app, roleArns }) => app.kind !== 'external-aws-account' || roleArns.some((arn) => app.externalAwsAccount?.roles.some((r) => r.roleArn === arn)))
      .sort((a, b) => a.app.name.localeCompare(b.app.name) || a.app.id.localeCompare(b.app.id));
  }

  /** Everything the app would receive about `user`, or why it receives nothing. */
  async decide(app: Application, user: User, groups: Group[], options: DecideOptions = {}): Promise<AppSsoDecision> {
    if (!user.enabled) return refuse('user-disabled', 'Your account is disabled.');
    const assignment = await this.assignmentOf(app, user, groups);
    if (!assignment) return refuse('not-assigned', `You are not assigned to ${app.name}. Ask your administrator for access.`);

    const requested = options.requestedNameIdFormat;
    if (requested !== undefined && requested !== NAMEID_UNSPECIFIED && requested !== app.nameIdFormat) {
      return refuse('nameid-policy', `${app.name} asked for NameID format ${requested}, but it is set up for ${app.nameIdFormat}.`);
    }
    const nameIdValue = nameIdFor(app, user, this.deps.persistentIdKey);
    if (nameIdValue === null) {
      return refuse('no-email', `${app.name} identifies people by email address, and your account has none. Ask your administrator.`);
    }

    const warnings: string[] = [];
    let attributes: SamlAttribute[] = [];
    let roleArns: string[] = [];
    if (app.kind === 'external-aws-account') {
      const aws = await this.awsAttributes(app, user, assignment.roleArns);
      if (!aws.ok) return aws;
      attributes = aws.attributes;
      roleArns = aws.roleArns;
    }
    for (const mapping of app.attributeMappings) {
      if (app.kind === 'external-aws-account' && mapping.name.startsWith(AWS_ATTRIBUTE_PREFIX)) {
        // The AWS attributes come from the assignment only; a mapping can never add a role.
        warnings.push(`Mapping ${mapping.name} is ignored: AWS attributes come from the role assignments`);
        continue;
      }
      const resolved = resolveMapping(mapping, user, groups);
      warnings.push(...resolved.warnings);
      if (resolved.attribute) attributes.push(resolved.attribute);
    }
    return { ok: true, grant: { nameId: { value: nameIdValue, format: app.nameIdFormat }, attributes: mergeByName(attributes), roleArns, warnings } };
  }

  private async awsAttributes(app: Application, user: User, assigned: string[]): Promise<{ ok: true; attributes: SamlAttribute[]; roleArns: string[] } | { ok: false; refusal: AppSsoRefusal }> {
    const account = app.externalAwsAccount;
    if (!account) return refuse('misconfigured', `${app.name} is an AWS account app without its account settings. Ask your administrator.`);
    // Only roles the app still offers count: removing a role from the app withdraws it at once.
    const offered = new Set(account.roles.map((r) => r.roleArn));
    const roleArns = [...new Set(assigned)].filter((arn) => offered.has(arn)).sort();
    if (roleArns.length === 0) return refuse('no-role', `You have no role in AWS account ${account.accountId} (${app.name}). Ask your administrator.`);
    const pairs: string[] = [];
    for (const roleArn of roleArns) {
      const m = ROLE_ARN.exec(roleArn);
      if (!m || m[2] !== account.accountId) {
        return refuse('misconfigured', `${app.name} offers a role that is not an IAM role of account ${account.accountId}. Ask your administrator.`);
      }
      pairs.push(`${roleArn},${samlProviderArn(account.accountId, account.samlProviderName, m[1])}`);
    }
    const attributes: SamlAttribute[] = [
      { name: AWS_ATTR_ROLE, values: pairs },
      { name: AWS_ATTR_ROLE_SESSION_NAME, values: [roleSessionNameFor(user.userName)] },
    ];
    if (app.sessionDurationSeconds !== null) {
      const seconds = Math.min(MAX_AWS_SESSION_SECONDS, Math.max(MIN_AWS_SESSION_SECONDS, Math.round(app.sessionDurationSeconds)));
      attributes.push({ name: AWS_ATTR_SESSION_DURATION, values: [String(seconds)] });
    }
    const { accessControlAttributes } = await this.deps.instance.getOrCreate();
    for (const [tag, value] of Object.entries(principalTagsOf(user, accessControlAttributes))) {
      attributes.push({ name: AWS_ATTR_PRINCIPAL_TAG_PREFIX + tag, values: [value] });
    }
    return { ok: true, attributes, roleArns };
  }
}

function refuse(code: RefusalCode, message: string): { ok: false; refusal: AppSsoRefusal } {
  return { ok: false, refusal: { code, message } };
}

/** The primary email (else the first), or null: never the userName, which is not an address. */
export function emailOf(user: User): string | null {
  return (user.emails.find((e) => e.primary) ?? user.emails[0])?.value ?? null;
}

/**
 * The NameID value by the app's source. persistent: an opaque, stable, per-app pseudonym,
 * HMAC-SHA256(server key, app id, user id), so two apps cannot correlate a person by it and it
 * reveals nothing (SAML Core §8.3.7); transient: fresh randomness every time (§8.3.8).
 */
export function nameIdFor(app: Pick<Application, 'id' | 'nameIdSource'>, user: User, persistentIdKey: Buffer): string | null {
  switch (app.nameIdSource) {
    case 'email':
      return emailOf(user);
    case 'userName':
      return user.userName;
    case 'persistent':
      return persistentNameId(app.id, user.id, persistentIdKey);
    case 'transient':
      return `_${randomBytes(20).toString('hex')}`;
  }
}

export function persistentNameId(appId: string, userId: string, key: Buffer): string {
  return createHmac('sha256', key).update(`saml-persistent-nameid\n${appId}\n${userId}`, 'utf8').digest('base64url');
}

const TEMPLATE = /\$\{user:([^}]*)\}/g;
const SIMPLE_FIELDS = ['email', 'userName', 'displayName', 'givenName', 'familyName', 'groups'] as const;

/** The template fields an attribute value may use (for validation and the admin documentation). */
export const TEMPLATE_FIELDS = [...SIMPLE_FIELDS.map((f) => `\${user:${f}}`), '${user:attribute.<name>}'];

/** The placeholders in `template` that name no known field (settings validation can refuse them). */
export function unknownTemplateFields(template: string): string[] {
  return [...template.matchAll(TEMPLATE)].map((m) => m[1]!).filter((f) => !isKnownField(f));
}

function isKnownField(field: string): boolean {
  return (SIMPLE_FIELDS as readonly string[]).includes(field) || /^attribute\.[^\s]+$/.test(field);
}

/** The value(s) of one field; groups gives one value per group display name. */
function fieldValues(field: string, user: User, groups: Group[]): string[] | null {
  switch (field) {
    case 'email': {
      const email = emailOf(user);
      return email === null ? [] : [email];
    }
    case 'userName':
      return [user.userName];
    case 'displayName':
      return user.displayName ? [user.displayName] : [];
    case 'givenName':
      return user.name.givenName ? [user.name.givenName] : [];
    case 'familyName':
      return user.name.familyName ? [user.name.familyName] : [];
    case 'groups':
      return groups.map((g) => g.displayName).sort((a, b) => a.localeCompare(b));
    default: {
      if (!field.startsWith('attribute.')) return null;
      const value = user.attributes[field.slice('attribute.'.length)];
      return value ? [value] : [];
    }
  }
}

/**
 * Resolves one mapping. A value that is exactly one placeholder gives that field's values (several
 * for `${user:groups}`); placeholders inside text are replaced by the field's values joined with
 * commas; text outside placeholders is literal. An empty result leaves the attribute out.
 */
export function resolveMapping(mapping: AttributeMapping, user: User, groups: Group[]): { attribute: SamlAttribute | null; warnings: string[] } {
  const warnings: string[] = [];
  const whole = /^\$\{user:([^}]*)\}$/.exec(mapping.value);
  let values: string[];
  if (whole) {
    const found = fieldValues(whole[1]!, user, groups);
    if (found === null) warnings.push(`Attribute ${mapping.name}: unknown field \${user:${whole[1]}}`);
    values = found ?? [];
  } else {
    const text = mapping.value.replace(TEMPLATE, (_m, field: string) => {
      const found = fieldValues(field, user, groups);
      if (found === null) warnings.push(`Attribute ${mapping.name}: unknown field \${user:${field}}`);
      return (found ?? []).join(',');
    });
    values = text === '' ? [] : [text];
  }
  values = values.filter((v) => v !== '');
  if (values.length === 0) return { attribute: null, warnings };
  return { attribute: { name: mapping.name, nameFormat: mapping.nameFormat ?? defaultNameFormat(mapping.name), values }, warnings };
}

/** Two mappings with one name become one Attribute with both values (SAML Core §2.7.3.1: one Attribute per name). */
function mergeByName(attributes: SamlAttribute[]): SamlAttribute[] {
  const byName = new Map<string, SamlAttribute>();
  for (const a of attributes) {
    const existing = byName.get(a.name);
    if (existing) existing.values.push(...a.values.filter((v) => !existing.values.includes(v)));
    else byName.set(a.name, { name: a.name, nameFormat: a.nameFormat ?? defaultNameFormat(a.name), values: [...a.values] });
  }
  return [...byName.values()];
}
