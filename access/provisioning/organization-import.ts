// "Import accounts" (docs/provisioning.md): the accounts of the AWS organization become Gatehouse
// accounts (created, or their name, email and kind brought up to date) in one transaction, with
// their OU path and state recorded. An account closed in the organization (SUSPENDED,
// PENDING_CLOSURE) or gone from it is flagged, never deleted: its assignments and roles stay until
// an administrator removes them.
import type { OrganizationAccount } from '../../model/provisioning.ts';
import type { AccountKind } from '../../model/types.ts';
import type { SqlStores } from '../../store/stores.ts';

export interface OrganizationMember {
  accountId: string;
  name: string;
  email: string;
  status: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';
  ouPath: string;
  management: boolean;
}

export interface OrganizationReader {
  read(): Promise<OrganizationMember[]>;
  /** Lets go of the connections it keeps between reads. */
  close?(): void;
}

export interface ImportResult {
  created: string[];
  updated: string[];
  /** Closed in the organization or no longer in it. */
  flagged: { accountId: string; status: OrganizationAccount['status'] }[];
}

// Organizations allows longer names than the account record keeps (docs/aws-accounts.md: 1..50).
// eslint-disable-next-line no-control-regex
const fitName = (name: string) => name.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 50) || 'unnamed';

export async function importOrganization(
  reader: OrganizationReader,
  d: { stores: Pick<SqlStores, 'transaction'>; defaultSignInEndpoint: string; now: () => Date },
  actor: string,
): Promise<ImportResult> {
  const members = await reader.read();
  const now = d.now();
  return d.stores.transaction(async (tx) => {
    const result: ImportResult = { created: [], updated: [], flagged: [] };
    const seen = new Set<string>();
    for (const m of members) {
      seen.add(m.accountId);
      const kind: AccountKind = m.management ? 'management' : 'member';
      const existing = await tx.accounts.get(m.accountId);
      if (!existing) {
        await tx.accounts.create({ accountId: m.accountId, name: fitName(m.name), email: m.email, kind, samlProviderName: 'Gatehouse', signInEndpoint: d.defaultSignInEndpoint });
        result.created.push(m.accountId);
      } else if (existing.name !== fitName(m.name) || existing.email !== m.email || (existing.kind !== kind && existing.kind !== 'external')) {
        await tx.accounts.update(m.accountId, { name: fitName(m.name), email: m.email, ...(existing.kind !== 'external' ? { kind } : {}) });
        result.updated.push(m.accountId);
      }
      if (m.management) {
        const inst = await tx.instance.getOrCreateForUpdate();
        if (inst.managementAccountId !== m.accountId) await tx.instance.update({ managementAccountId: m.accountId });
      }
      await tx.provisioning.putOrganizationAccount({ accountId: m.accountId, ouPath: m.ouPath, status: m.status, importedAt: now });
      if (m.status !== 'ACTIVE') result.flagged.push({ accountId: m.accountId, status: m.status });
    }
    for (const known of await tx.provisioning.listOrganizationAccounts()) {
      if (seen.has(known.accountId)) continue;
      if (known.status !== 'REMOVED') await tx.provisioning.putOrganizationAccount({ ...known, status: 'REMOVED', importedAt: now });
      result.flagged.push({ accountId: known.accountId, status: 'REMOVED' });
    }
    await tx.audit.append({ actor, action: 'organization.import', target: 'organization', detail: { created: result.created.length, updated: result.updated.length, flagged: result.flagged.length } });
    return result;
  });
}
