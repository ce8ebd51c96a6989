// IAM as the stand-in keeps it, one namespace per account: SAML providers, roles with their
// attached, inline and boundary policies and tags, and customer managed policies a test puts
// there. Each handler follows the IAM API reference for its action: the checks IAM makes that
// a provisioner could trip over (names, paths, duration limits, a trust policy naming a provider
// that does not exist, policies that must be detached before DeleteRole, the quota of managed
// policies per role) answer the same error codes.
import { randomBytes } from 'node:crypto';
import { AwsFault, alreadyExists, invalidInput, noSuchEntity } from './errors.ts';
import type { QueryParams, XmlValue } from './query-protocol.ts';

export interface StandInRole {
  roleName: string;
  path: string;
  roleId: string;
  arn: string;
  createDate: Date;
  /** The JSON as given (IAM answers it URL-encoded). */
  assumeRolePolicyDocument: string;
  description: string | undefined;
  maxSessionDuration: number;
  permissionsBoundary: string | undefined;
  tags: Map<string, string>;
  attachedPolicies: string[];
  inlinePolicies: Map<string, string>;
}

export interface StandInSamlProvider {
  name: string;
  arn: string;
  metadataDocument: string;
  createDate: Date;
  tags: Map<string, string>;
}

export class AccountIam {
  readonly roles = new Map<string, StandInRole>();
  readonly samlProviders = new Map<string, StandInSamlProvider>();
  /** ARNs of customer managed policies that exist in the account. */
  readonly customerPolicies = new Set<string>();
  /** IAM's default quota "managed policies per role" (raised per account in real AWS). */
  managedPoliciesPerRole = 10;

  constructor(readonly accountId: string) {}
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const PATH = /^(\u002F)|(\u002F[\u0021-\u007E]+\u002F)$/;
const PROVIDER_NAME = /^[\w._-]{1,128}$/;
const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
export { NS as IAM_NS };

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const roleId = () => `AROA${randomBytes(10).toString('hex').toUpperCase().slice(0, 17)}`;
const tagList = (tags: Map<string, string>) => [...tags].map(([Key, Value]) => ({ Key, Value }));

function roleXml(r: StandInRole): Record<string, XmlValue> {
  return {
    Path: r.path,
    RoleName: r.roleName,
    RoleId: r.roleId,
    Arn: r.arn,
    CreateDate: iso(r.createDate),
    AssumeRolePolicyDocument: encodeURIComponent(r.assumeRolePolicyDocument),
    Description: r.description,
    MaxSessionDuration: r.maxSessionDuration,
    PermissionsBoundary: r.permissionsBoundary ? { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: r.permissionsBoundary } : undefined,
    Tags: r.tags.size ? tagList(r.tags) : undefined,
  };
}

/** Marker-based pages of at most MaxItems (default 100), as every IAM List* action. */
function page<T>(items: T[], p: QueryParams): { page: T[]; IsTruncated: boolean; Marker: string | undefined } {
  const start = Number(p.optional('Marker') ?? '0');
  const max = Number(p.optional('MaxItems') ?? '100');
  if (!Number.isInteger(max) || max < 1 || max > 1000) throw invalidInput('MaxItems must be between 1 and 1000');
  const slice = items.slice(start, start + max);
  const more = start + max < items.length;
  return { page: slice, IsTruncated: more, Marker: more ? String(start + max) : undefined };
}

function checkPolicyJson(doc: string, what: string): void {
  try {
    const v = JSON.parse(doc);
    if (typeof v !== 'object' || v === null || !('Statement' in v)) throw new Error('no Statement');
  } catch {
    throw new AwsFault(400, 'MalformedPolicyDocument', `${what} is not a valid policy document`);
  }
}

export class IamHandlers {
  constructor(private readonly now: () => Date) {}

  handle(iam: AccountIam, p: QueryParams): Record<string, XmlValue> | null {
    const fn = (this as unknown as Record<string, ((iam: AccountIam, p: QueryParams) => Record<string, XmlValue> | null) | undefined>)[`op${p.action}`];
    if (!fn) throw new AwsFault(400, 'InvalidAction', `Could not find operation ${p.action} for version 2010-05-08`);
    return fn.call(this, iam, p);
  }

  // ---- SAML providers ----

  opCreateSAMLProvider(iam: AccountIam, p: QueryParams) {
    const name = p.required('Name');
    if (!PROVIDER_NAME.test(name)) throw invalidInput(`Name ${name} must match [\\w._-]{1,128}`);
    const doc = p.required('SAMLMetadataDocument');
    checkMetadata(doc);
    if (iam.samlProviders.has(name)) throw alreadyExists(`SAMLProvider ${name}`);
    const arn = `arn:aws:iam::${iam.accountId}:saml-provider/${name}`;
    iam.samlProviders.set(name, { name, arn, metadataDocument: doc, createDate: this.now(), tags: new Map(p.tags().map((t) => [t.Key, t.Value])) });
    return { SAMLProviderArn: arn, Tags: p.tags().length ? p.tags() : undefined };
  }

  opUpdateSAMLProvider(iam: AccountIam, p: QueryParams) {
    const provider = providerByArn(iam, p.required('SAMLProviderArn'));
    const doc = p.required('SAMLMetadataDocument');
    checkMetadata(doc);
    provider.metadataDocument = doc;
    return { SAMLProviderArn: provider.arn };
  }

  opGetSAMLProvider(iam: AccountIam, p: QueryParams) {
    const provider = providerByArn(iam, p.required('SAMLProviderArn'));
    return { SAMLMetadataDocument: provider.metadataDocument, CreateDate: iso(provider.createDate), Tags: provider.tags.size ? tagList(provider.tags) : undefined };
  }

  opListSAMLProviders(iam: AccountIam) {
    return { SAMLProviderList: [...iam.samlProviders.values()].map((s) => ({ Arn: s.arn, CreateDate: iso(s.createDate) })) };
  }

  opDeleteSAMLProvider(iam: AccountIam, p: QueryParams) {
    const provider = providerByArn(iam, p.required('SAMLProviderArn'));
    iam.samlProviders.delete(provider.name);
    return null;
  }

  // ---- roles ----

  opCreateRole(iam: AccountIam, p: QueryParams) {
    const name = p.required('RoleName');
    if (!ROLE_NAME.test(name)) throw invalidInput(`RoleName ${name} must match [\\w+=,.@-]{1,64}`);
    const path = p.optional('Path') ?? '/';
    if (!PATH.test(path) || path.length > 512) throw invalidInput(`Path ${path} is not a valid IAM path`);
    const trust = p.required('AssumeRolePolicyDocument');
    this.#checkTrust(iam, trust);
    const maxSessionDuration = Number(p.optional('MaxSessionDuration') ?? '3600');
    checkDuration(maxSessionDuration);
    const description = p.optional('Description');
    if (description !== undefined && description.length > 1000) throw invalidInput('Description must be at most 1000 characters');
    const tags = p.tags();
    if (tags.length > 50) throw new AwsFault(409, 'LimitExceeded', 'Cannot exceed quota for TagsPerRole: 50');
    if (iam.roles.has(name.toLowerCase())) throw alreadyExists(`Role with name ${name}`);
    const boundary = p.optional('PermissionsBoundary');
    if (boundary !== undefined) this.#checkPolicyExists(iam, boundary);
    const role: StandInRole = {
      roleName: name,
      path,
      roleId: roleId(),
      arn: `arn:aws:iam::${iam.accountId}:role${path}${name}`,
      createDate: this.now(),
      assumeRolePolicyDocument: trust,
      description,
      maxSessionDuration,
      permissionsBoundary: boundary,
      tags: new Map(tags.map((t) => [t.Key, t.Value])),
      attachedPolicies: [],
      inlinePolicies: new Map(),
    };
    // Role names are unique case-insensitively in an account.
    iam.roles.set(name.toLowerCase(), role);
    return { Role: roleXml(role) };
  }

  opGetRole(iam: AccountIam, p: QueryParams) {
    return { Role: roleXml(role(iam, p)) };
  }

  opUpdateRole(iam: AccountIam, p: QueryParams) {
    const r = role(iam, p);
    const d = p.optional('Description');
    const m = p.optional('MaxSessionDuration');
    if (m !== undefined) checkDuration(Number(m));
    if (d !== undefined) r.description = d;
    if (m !== undefined) r.maxSessionDuration = Number(m);
    return {};
  }

  opUpdateAssumeRolePolicy(iam: AccountIam, p: QueryParams) {
    const r = role(iam, p);
    const doc = p.required('PolicyDocument');
    this.#checkTrust(iam, doc);
    r.assumeRolePolicyDocument = doc;
    return null;
  }

  opDeleteRole(iam: AccountIam, p: QueryParams) {
    const r = role(iam, p);
    if (r.attachedPolicies.length || r.inlinePolicies.size) throw new AwsFault(409, 'DeleteConflict', 'Cannot delete entity, must detach all policies first.');
    iam.roles.delete(r.roleName.toLowerCase());
    return null;
  }

  opListRoles(iam: AccountIam, p: QueryParams) {
    const prefix = p.optional('PathPrefix') ?? '/';
    const all = [...iam.roles.values()].filter((r) => r.path.startsWith(prefix)).sort((a, b) => (a.roleName < b.roleName ? -1 : 1));
    const { page: items, IsTruncated, Marker } = page(all, p);
    // ListRoles leaves out tags and the boundary (IAM API reference, ListRoles).
    return { Roles: items.map((r) => ({ ...roleXml(r), Tags: undefined, PermissionsBoundary: undefined })), IsTruncated, Marker };
  }

  opAttachRolePolicy(iam: AccountIam, p: QueryParams) {
    const r = role(iam, p);
    const arn = p.required('PolicyArn');
    this.#checkPolicyExists(iam, arn);
    if (r.attachedPolicies.includes(arn)) return null;
    if (r.attachedPolicies.length >= iam.managedPoliciesPerRole) throw new AwsFault(409, 'LimitExceeded', `Cannot exceed quota for PoliciesPerRole: ${iam.managedPoliciesPerRole}`);
    r.attachedPolicies.push(arn);
    return null;
  }

  opDetachRolePolicy(iam: AccountIam, p: QueryParams) {
    const r = role(iam, p);
    const arn = p.required('PolicyArn');
    const i = r.attachedPolicies.indexOf(arn);
    if (i < 0) throw noSuchEntity(`policy ${arn} attached to role ${r.roleName}`);
    r.attachedPolicies.splice(i, 1);
    return null;
  }

  opListAttachedRolePolicies(iam: AccountIam, p: QueryParams) {
    const r = role(iam, p);
    const { page: items, IsTruncated, Marker } = page(r.attachedPolicies, p);
    return { AttachedPolicies: items.map((arn) => ({ PolicyName: arn.slice(arn.lastIndexOf('/') + 1), PolicyArn: arn })), IsTruncated, Marker };
  }

  opPutRolePolicy(iam: AccountIam, p: QueryParams) {
    const r = role(iam, p);
    const name = p.required('PolicyName');
    const doc = p.required('PolicyDocument');
    checkPolicyJson(doc, 'PolicyDocument');
    if (Buffer.byteLength(doc.replace(/\s/g, '')) > 10240) throw new AwsFault(409, 'LimitExceeded', 'Maximum policy size of 10240 bytes exceeded for role');
    r.inlinePolicies.set(name, doc);
    return null;
  }

  opGetRolePolicy(iam: AccountIam, p: QueryParams) {
    const r = role(iam, p);
    const name = p.required('PolicyName');
    const doc = r.inlinePolicies.get(name);
    if (doc === undefined) throw noSuchEntity(`role policy with name ${name}`);
    return { RoleName: r.roleName, PolicyName: name, PolicyDocument: encodeURIComponent(doc) };
  }

  opDeleteRolePolicy(iam: AccountIam, p: QueryParams) {
    const r = role(iam, p);
    const name = p.required('PolicyName');
    if (!r.inlinePolicies.delete(name)) throw noSuchEntity(`role policy with name ${name}`);
    return null;
  }

  opListRolePolicies(iam: AccountIam, p: QueryParams) {
    const r = role(iam, p);
    const { page: items, IsTruncated, Marker } = page([...r.inlinePolicies.keys()].sort(), p);
    return { PolicyNames: items, IsTruncated, Marker };
  }

  opPutRolePermissionsBoundary(iam: AccountIam, p: QueryParams) {
    const r = role(iam, p);
    const arn = p.required('PermissionsBoundary');
    this.#checkPolicyExists(iam, arn);
    r.permissionsBoundary = arn;
    return null;
  }

  opDeleteRolePermissionsBoundary(iam: AccountIam, p: QueryParams) {
    const r = role(iam, p);
    if (r.permissionsBoundary === undefined) throw noSuchEntity(`permissions boundary of role ${r.roleName}`);
    r.permissionsBoundary = undefined;
    return null;
  }

  opTagRole(iam: AccountIam, p: QueryParams) {
    const r = role(iam, p);
    const tags = p.tags();
    const merged = new Map(r.tags);
    for (const t of tags) merged.set(t.Key, t.Value);
    if (merged.size > 50) throw new AwsFault(409, 'LimitExceeded', 'Cannot exceed quota for TagsPerRole: 50');
    r.tags = merged;
    return null;
  }

  opUntagRole(iam: AccountIam, p: QueryParams) {
    const r = role(iam, p);
    for (const k of p.list('TagKeys')) r.tags.delete(k);
    return null;
  }

  opListRoleTags(iam: AccountIam, p: QueryParams) {
    const r = role(iam, p);
    const { page: items, IsTruncated, Marker } = page(tagList(r.tags), p);
    return { Tags: items, IsTruncated, Marker };
  }

  /** IAM refuses a trust policy whose Federated principal is not a provider in the account. */
  #checkTrust(iam: AccountIam, doc: string): void {
    checkPolicyJson(doc, 'AssumeRolePolicyDocument');
    const statements = [JSON.parse(doc).Statement].flat() as { Principal?: { Federated?: string | string[] } }[];
    for (const s of statements) {
      for (const f of [s.Principal?.Federated ?? []].flat()) {
        const name = f.slice(f.lastIndexOf('/') + 1);
        if (!f.startsWith(`arn:aws:iam::${iam.accountId}:saml-provider/`) || !iam.samlProviders.has(name)) {
          throw new AwsFault(400, 'MalformedPolicyDocument', `Invalid principal in policy: "Federated":"${f}"`);
        }
      }
    }
  }

  #checkPolicyExists(iam: AccountIam, arn: string): void {
    if (/^arn:aws:iam::aws:policy\/.+/.test(arn)) return;
    if (!iam.customerPolicies.has(arn)) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable`);
  }
}

function role(iam: AccountIam, p: QueryParams): StandInRole {
  const name = p.required('RoleName');
  const r = iam.roles.get(name.toLowerCase());
  if (!r) throw noSuchEntity(`role with name ${name}`);
  return r;
}

function providerByArn(iam: AccountIam, arn: string): StandInSamlProvider {
  const name = arn.slice(arn.lastIndexOf('/') + 1);
  const provider = iam.samlProviders.get(name);
  if (!provider || provider.arn !== arn) throw noSuchEntity(`SAMLProvider ${arn}`);
  return provider;
}

function checkDuration(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 3600 || seconds > 43200) throw invalidInput('MaxSessionDuration must be between 3600 and 43200 seconds');
}

function checkMetadata(doc: string): void {
  if (doc.length < 1000 || doc.length > 10_000_000) throw invalidInput('SAMLMetadataDocument must be 1000 to 10000000 characters');
  if (!doc.includes('EntityDescriptor') || !doc.includes('X509Certificate')) throw invalidInput('SAMLMetadataDocument is not SAML metadata with a signing certificate');
}
