// What must change in one account to reach its desired state: found either by reading the account
// back (observed, for apply and drift) or from what Gatehouse last provisioned (records, for a plan
// that costs no AWS call). Pure functions.
import { createHash } from 'node:crypto';
import type { Tag } from '../../model/types.ts';
import { INLINE_POLICY_NAME, type DesiredAccount, type DesiredRole } from './desired-state.ts';

/** A Gatehouse-managed role as read back from IAM. */
export interface ObservedRole {
  roleName: string;
  path: string;
  arn: string;
  trustPolicy: string;
  description: string | null;
  maxSessionDuration: number;
  permissionsBoundaryArn: string | null;
  tags: Tag[];
  managedPolicyArns: string[];
  /** Inline policies by name. */
  inlinePolicies: Record<string, string>;
}

export interface ObservedAccount {
  provider: { arn: string; metadataDocument: string; managed: boolean } | null;
  /** Only roles Gatehouse manages (its path and tag). */
  roles: ObservedRole[];
}

export type RoleField = 'trustPolicy' | 'description' | 'maxSessionDuration' | 'permissionsBoundary' | 'tags' | 'managedPolicies' | 'inlinePolicy';

export type ProviderChange = { action: 'create' | 'update' | 'delete'; name: string; arn: string };
export type RoleChange =
  | { action: 'create'; roleName: string; arn: string; permissionSetId: string; role: DesiredRole }
  | { action: 'update'; roleName: string; arn: string; permissionSetId: string; role: DesiredRole; fields: RoleField[]; observed?: ObservedRole }
  | { action: 'delete'; roleName: string; arn: string; permissionSetId: string | null; observed?: ObservedRole };

export interface AccountChanges {
  accountId: string;
  provider: ProviderChange | null;
  roles: RoleChange[];
}

export const hasChanges = (c: AccountChanges) => c.provider !== null || c.roles.length > 0;

/** Policy documents compare by meaning: key order and whitespace do not count (IAM may reformat them). */
export function samePolicy(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  try {
    return canonicalJson(JSON.parse(a)) === canonicalJson(JSON.parse(b));
  } catch {
    return a === b;
  }
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

const tagKey = (tags: Tag[]) => JSON.stringify([...tags].map((t) => [t.key, t.value]).sort());
const sortedKey = (xs: string[]) => JSON.stringify([...xs].sort());

export function roleDifferences(desired: DesiredRole, observed: ObservedRole): RoleField[] {
  const fields: RoleField[] = [];
  if (!samePolicy(desired.trustPolicy, observed.trustPolicy)) fields.push('trustPolicy');
  if ((desired.description ?? null) !== (observed.description ?? null)) fields.push('description');
  if (desired.maxSessionDuration !== observed.maxSessionDuration) fields.push('maxSessionDuration');
  if (desired.permissionsBoundaryArn !== observed.permissionsBoundaryArn) fields.push('permissionsBoundary');
  if (tagKey(desired.tags) !== tagKey(observed.tags)) fields.push('tags');
  if (sortedKey(desired.managedPolicyArns) !== sortedKey(observed.managedPolicyArns)) fields.push('managedPolicies');
  const inline = Object.entries(observed.inlinePolicies);
  const inlineMatches =
    desired.inlinePolicy === null ? inline.length === 0 : inline.length === 1 && inline[0]![0] === INLINE_POLICY_NAME && samePolicy(desired.inlinePolicy, inline[0]![1]);
  if (!inlineMatches) fields.push('inlinePolicy');
  return fields;
}

const permissionSetOf = (r: ObservedRole) => r.tags.find((t) => t.key === 'gatehouse:permission-set')?.value ?? null;

/** Desired vs what the account holds now (null desired: Gatehouse should own nothing there). */
export function changesFromObserved(accountId: string, desired: DesiredAccount | null, observed: ObservedAccount, providerName: string, providerArn: string): AccountChanges {
  const roles: RoleChange[] = [];
  const seen = new Map(observed.roles.map((r) => [r.roleName.toLowerCase(), r]));
  for (const role of desired?.roles ?? []) {
    const have = seen.get(role.roleName.toLowerCase());
    seen.delete(role.roleName.toLowerCase());
    if (!have) roles.push({ action: 'create', roleName: role.roleName, arn: role.arn, permissionSetId: role.permissionSetId, role });
    else {
      const fields = roleDifferences(role, have);
      if (fields.length) roles.push({ action: 'update', roleName: role.roleName, arn: role.arn, permissionSetId: role.permissionSetId, role, fields, observed: have });
    }
  }
  for (const r of seen.values()) roles.push({ action: 'delete', roleName: r.roleName, arn: r.arn, permissionSetId: permissionSetOf(r), observed: r });

  let provider: ProviderChange | null = null;
  if (desired) {
    if (!observed.provider) provider = { action: 'create', name: desired.provider.name, arn: desired.provider.arn };
    else if (observed.provider.metadataDocument !== desired.provider.metadataDocument) provider = { action: 'update', name: desired.provider.name, arn: desired.provider.arn };
  } else if (observed.provider?.managed) {
    // Only a provider Gatehouse created goes, and only once none of its roles are left.
    provider = { action: 'delete', name: providerName, arn: providerArn };
  }
  return { accountId, provider, roles };
}

/** What Gatehouse last provisioned in an account (store/stores.ts ProvisioningStore). */
export interface ProvisionedRecord {
  permissionSetId: string;
  roleName: string;
  roleArn: string;
  version: number;
}

let lastDigest: { doc: string; hex: string } | null = null;
/** SHA-256 hex of the metadata; the last one is remembered, as every account carries the same document. */
export function metadataDigest(doc: string): string {
  if (lastDigest?.doc !== doc) lastDigest = { doc, hex: createHash('sha256').update(doc, 'utf8').digest('hex') };
  return lastDigest.hex;
}

/**
 * Desired vs the records of the last successful provisioning: no AWS call, so it scales to every
 * account at once. It cannot see changes made by hand in AWS (drift reads the account for that).
 */
export function changesFromRecords(
  accountId: string,
  desired: DesiredAccount | null,
  records: readonly ProvisionedRecord[],
  provider: { name: string; arn: string; metadataSha256: string } | null,
): AccountChanges {
  const roles: RoleChange[] = [];
  const byId = new Map(records.map((r) => [r.permissionSetId, r]));
  for (const role of desired?.roles ?? []) {
    const rec = byId.get(role.permissionSetId);
    byId.delete(role.permissionSetId);
    if (!rec) roles.push({ action: 'create', roleName: role.roleName, arn: role.arn, permissionSetId: role.permissionSetId, role });
    else if (rec.version !== role.permissionSetVersion || rec.roleName !== role.roleName) {
      roles.push({ action: 'update', roleName: role.roleName, arn: role.arn, permissionSetId: role.permissionSetId, role, fields: [] });
    }
  }
  for (const rec of byId.values()) roles.push({ action: 'delete', roleName: rec.roleName, arn: rec.roleArn, permissionSetId: rec.permissionSetId });
  let providerChange: ProviderChange | null = null;
  if (desired) {
    if (!provider) providerChange = { action: 'create', name: desired.provider.name, arn: desired.provider.arn };
    else if (provider.metadataSha256 !== metadataDigest(desired.provider.metadataDocument)) providerChange = { action: 'update', name: desired.provider.name, arn: desired.provider.arn };
  } else if (provider) providerChange = { action: 'delete', name: provider.name, arn: provider.arn };
  return { accountId, provider: providerChange, roles };
}
