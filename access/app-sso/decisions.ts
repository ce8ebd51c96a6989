// What a custom SAML application receives about a person, decided at the moment of sign-in
// (docs/security.md: "Only what is assigned, at that moment"): is the user assigned to the app now (directly or through a group),
// which NameID (by the app's NameID source), which attributes (the app's mappings, resolved from
// the directory), and for an external AWS account the AWS Role attribute pairs from the roles the
// user is assigned there (docs/aws-accounts.md). AWS sign-in attributes come from those
// assignments only: no mapping ever adds one, and an app carrying AWS's sign-in audience that is
// not an external AWS account (stored before that was refused) gets nothing
// (idp/saml/reserved-names.ts). Everything here is data for idp/ to sign; nothing sees a request.
import { createHmac, randomBytes } from 'node:crypto';
import { defaultNameFormat, type SamlAttribute } from '../../idp/saml/response.ts';
import { awsSignInAttributes, type AwsRolePair } from '../../idp/saml/aws-response.ts';
import { NAMEID_UNSPECIFIED } from '../../idp/saml/namespaces.ts';
import { isAwsSamlAttributeName, isAwsSignInAudience } from '../../idp/saml/reserved-names.ts';
import { roleSessionNameFor } from '../../idp/saml/role-session-name.ts';
import type { Application, AttributeMapping, Group, User } from '../../model/types.ts';
import type { InstanceStore } from '../../store/stores.ts';
import { parseTemplate } from '../applications/attribute-templates.ts';
import { providerArnFor, roleArnProblem } from '../applications/external-aws.ts';
import { effectiveTrust } from '../applications/metadata-trust.ts';
import { principalTagsOf, type LeftOutSessionTagReport } from '../aws-federation.ts';

/** The server-secret purpose that keys persistent NameIDs (access/server-secret.ts deriveKey). */
export const PERSISTENT_NAMEID_KEY_PURPOSE = 'saml-persistent-nameid';

// AWS STS SessionDuration bounds (docs/aws-accounts.md).
const MIN_AWS_SESSION_SECONDS = 900;
const MAX_AWS_SESSION_SECONDS = 43200;

export type RefusalCode = 'user-disabled' | 'not-assigned' | 'no-role' | 'no-email' | 'nameid-policy' | 'misconfigured' | 'metadata-expired';

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

/** The apps a user reaches now, with their AWS roles (ApplicationService.forUser). */
export type ReachableApplications = (user: User, groups: Group[]) => Promise<{ application: Application; roleArns: string[] }[]>;

export class AppSsoService {
  constructor(
    private readonly deps: {
      reachable: ReachableApplications;
      instance: InstanceStore;
      /** deriveKey(PERSISTENT_NAMEID_KEY_PURPOSE): the same on every node. */
      persistentIdKey: Buffer;
      now?: () => Date;
      /** Hears of each session tag left out for its length (access/aws-federation.ts principalTagsOf). */
      reportLeftOutTag?: LeftOutSessionTagReport;
    },
  ) {}

  /**
   * The user's assignment to the app at this moment (directly or through `groups`), with the role
   * ARNs the app still offers; null when not assigned or disabled. The same answer as the portal's
   * Applications tab: one definition of "reaches now".
   */
  async assignmentOf(app: Application, user: User, groups: Group[]): Promise<{ roleArns: string[] } | null> {
    if (!user.enabled) return null;
    const row = (await this.deps.reachable(user, groups)).find((r) => r.application.id === app.id);
    return row ? { roleArns: row.roleArns } : null;
  }

  /** Everything the app would receive about `user`, or why it receives nothing. */
  async decide(app: Application, user: User, groups: Group[], options: DecideOptions = {}): Promise<AppSsoDecision> {
    if (!user.enabled) return refuse('user-disabled', 'Your account is disabled.');
    const assignment = await this.assignmentOf(app, user, groups);
    if (!assignment) return refuse('not-assigned', `You are not assigned to ${app.name}. Ask your administrator for access.`);
    if (app.kind !== 'external-aws-account' && isAwsSignInAudience(app.entityId)) {
      return refuse('misconfigured', `${app.name} is set up with an entity id reserved for AWS sign-in. Ask your administrator.`);
    }
    if (app.kind === 'custom' && (await this.metadataExpired(app))) {
      return refuse('metadata-expired', `The metadata ${app.name} was set up with has expired. Ask your administrator.`);
    }

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
      warnings.push(...aws.warnings);
    }
    for (const mapping of app.attributeMappings) {
      if (isAwsSamlAttributeName(mapping.name)) {
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

  /**
   * Where the metadata trust requires validUntil (metadata-trust.ts), an app whose document has
   * expired is not signed in to: its SP data is no longer vouched for (SAML Metadata §2.3.2).
   * Typed SP data has no document and does not expire.
   */
  private async metadataExpired(app: Application): Promise<boolean> {
    if (app.metadata.xml === null) return false;
    const { metadataTrust } = await this.deps.instance.getOrCreate();
    if (!effectiveTrust(app.metadataTrust, metadataTrust).requireValidUntil) return false;
    const validUntil = app.metadata.validUntil;
    return validUntil === null || validUntil.getTime() <= (this.deps.now?.() ?? new Date()).getTime();
  }

  private async awsAttributes(
    app: Application,
    user: User,
    assigned: string[],
  ): Promise<{ ok: true; attributes: SamlAttribute[]; roleArns: string[]; warnings: string[] } | { ok: false; refusal: AppSsoRefusal }> {
    const account = app.externalAwsAccount;
    if (!account) return refuse('misconfigured', `${app.name} is an AWS account app without its account settings. Ask your administrator.`);
    // Only roles the app still offers count: removing a role from the app withdraws it at once.
    const offered = new Set(account.roles.map((r) => r.roleArn));
    const roleArns = [...new Set(assigned)].filter((arn) => offered.has(arn)).sort();
    if (roleArns.length === 0) return refuse('no-role', `You have no role in AWS account ${account.accountId} (${app.name}). Ask your administrator.`);
    const roles: AwsRolePair[] = [];
    for (const roleArn of roleArns) {
      // A comma would split the `role,provider` value: never sent, whatever was stored.
      if (roleArnProblem(roleArn, account.accountId) !== null) {
        return refuse('misconfigured', `${app.name} offers a role that is not an IAM role of account ${account.accountId}. Ask your administrator.`);
      }
      roles.push({ roleArn, providerArn: providerArnFor(account, roleArn) });
    }
    const { accessControlAttributes } = await this.deps.instance.getOrCreate();
    const warnings: string[] = [];
    const principalTags = principalTagsOf(user, accessControlAttributes, (left) => {
      warnings.push(`Session tag ${left.tagKey} (from ${left.attribute}) is left out: ${left.reason}`);
      this.deps.reportLeftOutTag?.(left);
    });
    const attributes = awsSignInAttributes({
      roles,
      roleSessionName: roleSessionNameFor(user.userName),
      ...(app.sessionDurationSeconds !== null
        ? { sessionDurationSeconds: Math.min(MAX_AWS_SESSION_SECONDS, Math.max(MIN_AWS_SESSION_SECONDS, Math.round(app.sessionDurationSeconds))) }
        : {}),
      principalTags,
    });
    return { ok: true, attributes, roleArns, warnings };
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
 * Resolves one mapping (template grammar: access/applications/attribute-templates.ts). A value that
 * is exactly one placeholder gives that field's values (several for `${user:groups}`); placeholders
 * inside text are replaced by the field's values joined with commas; text outside placeholders is
 * literal. An empty result leaves the attribute out. A template the settings check would refuse
 * (stored before that check existed) sends nothing and says why in `warnings`.
 */
export function resolveMapping(mapping: AttributeMapping, user: User, groups: Group[]): { attribute: SamlAttribute | null; warnings: string[] } {
  const parts = parseTemplate(mapping.value);
  if (!Array.isArray(parts)) return { attribute: null, warnings: [`Attribute ${mapping.name} is not sent: its value ${parts.error}`] };
  let values: string[];
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only && 'field' in only) {
    values = fieldValues(only.field, user, groups) ?? [];
  } else {
    const text = parts.map((p) => ('literal' in p ? p.literal : (fieldValues(p.field, user, groups) ?? []).join(','))).join('');
    values = text === '' ? [] : [text];
  }
  values = values.filter((v) => v !== '');
  if (values.length === 0) return { attribute: null, warnings: [] };
  return { attribute: { name: mapping.name, nameFormat: mapping.nameFormat ?? defaultNameFormat(mapping.name), values }, warnings: [] };
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
