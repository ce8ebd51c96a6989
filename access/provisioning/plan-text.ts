// A plan as a person reads it: one block per account, `+` create, `~` update, `-` delete, and a
// summary line (the CLI prints it; docs/provisioning.md shows an example).
import type { AccountChanges } from './changes.ts';

export function planText(plan: readonly AccountChanges[], names: ReadonlyMap<string, string> = new Map()): string {
  if (plan.length === 0) return 'No changes: every account is as Gatehouse last provisioned it.';
  const lines: string[] = [];
  const count = { create: 0, update: 0, delete: 0 };
  for (const a of plan) {
    const name = names.get(a.accountId);
    lines.push(`Account ${a.accountId}${name ? ` (${name})` : ''}`);
    if (a.provider) {
      count[a.provider.action] += 1;
      const why = a.provider.action === 'update' ? '  (signing certificates changed)' : '';
      lines.push(`  ${mark(a.provider.action)} saml-provider ${a.provider.name}${why}`);
    }
    for (const r of a.roles) {
      count[r.action] += 1;
      const what =
        r.action === 'create' ? `  (${r.role.permissionSetName}, version ${r.role.permissionSetVersion})`
        : r.action === 'update' ? `  (${r.role.permissionSetName}, now version ${r.role.permissionSetVersion}${r.fields.length ? `; differs: ${r.fields.join(', ')}` : ''})`
        : '';
      lines.push(`  ${mark(r.action)} role ${r.roleName}${what}`);
    }
  }
  lines.push('', `Plan: ${count.create} to create, ${count.update} to update, ${count.delete} to delete, in ${plan.length} account(s).`);
  return lines.join('\n');
}

const mark = (action: 'create' | 'update' | 'delete') => ({ create: '+', update: '~', delete: '-' })[action];
