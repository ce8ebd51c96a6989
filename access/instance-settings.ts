// The instance's own settings (docs/admin-api.md): portal session duration (15 min .. 90 days, default
// 8 h), the user attributes mapped to PrincipalTag keys for attribute-based access control, and
// what every application's SP metadata must satisfy unless the application says otherwise
// (applications/metadata-trust.ts), and the MFA policy (docs/mfa.md).
import { z } from 'zod';
import { instanceTrustInput, signerCertificates } from './applications/metadata-trust.ts';
import type { AccessEventPublisher } from '../model/access-events.ts';
import type { Instance } from '../model/types.ts';
import { parseInput } from '../model/validate.ts';
import type { InstanceStore, TransactionalStores } from '../store/stores.ts';
import { beforeAfter } from '../model/audit-diff.ts';
import { MFA_FACTORS, type MfaFactor } from '../model/mfa.ts';

const updateSchema = z.strictObject({
  sessionDurationMinutes: z.number().int().min(15, 'must be at least 15 minutes').max(129600, 'must be at most 90 days (129600 minutes)').optional(),
  // STS session tags: key ≤128 characters, at most 50 tags (docs/aws-accounts.md).
  accessControlAttributes: z
    .record(z.string().regex(/^[A-Za-z][\w.:-]{0,127}$/), z.string().regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, 'must be a valid session tag key'))
    .refine((m) => Object.keys(m).length <= 50, 'at most 50 attributes')
    .optional(),
  metadataTrust: instanceTrustInput.optional(),
  // The MFA policy (docs/mfa.md "The policy"); fields left out keep their value.
  mfa: z
    .strictObject({
      mode: z.enum(['every-sign-in', 'never']).optional(),
      allowedFactors: z.array(z.enum(MFA_FACTORS as [MfaFactor, ...MfaFactor[]])).min(1, 'allow at least one kind of device').optional(),
      withoutDevice: z.enum(['register', 'refuse']).optional(),
    })
    .optional(),
});

export class InstanceSettingsService {
  constructor(
    private readonly stores: TransactionalStores<'instance'>,
    private readonly events: AccessEventPublisher,
  ) {}

  get(): Promise<Instance> {
    return this.stores.instance.getOrCreate();
  }

  async update(input: unknown, actor: string): Promise<Instance> {
    const data = parseInput(updateSchema, input, 'instance settings');
    const { metadataTrust, mfa, ...rest } = data;
    return this.stores.transaction(async (tx) => {
      const current = await tx.instance.getOrCreate();
      const patch: Parameters<InstanceStore['update']>[0] = { ...rest };
      if (metadataTrust) {
        patch.metadataTrust = {
          requireSignature: metadataTrust.requireSignature ?? current.metadataTrust.requireSignature,
          requireValidUntil: metadataTrust.requireValidUntil ?? current.metadataTrust.requireValidUntil,
          signingCertificates: metadataTrust.signingCertificates === undefined
            ? current.metadataTrust.signingCertificates
            : signerCertificates(metadataTrust.signingCertificates, 'metadataTrust.signingCertificates'),
        };
      }
      if (mfa) patch.mfa = { ...current.mfa, ...mfa, allowedFactors: [...new Set(mfa.allowedFactors ?? current.mfa.allowedFactors)] };
      const instance = await tx.instance.update(patch);
      const trustDetail = patch.metadataTrust ? { metadataTrust: { ...patch.metadataTrust, signingCertificates: patch.metadataTrust.signingCertificates.length } } : {};
      await tx.audit.append({ actor, action: 'instance.update', target: `instance/${instance.id}`, detail: { ...rest, ...trustDetail, ...beforeAfter(current, instance, Object.keys(patch)) } });
      const abacChanged = changedKeys(current.accessControlAttributes, instance.accessControlAttributes);
      if (abacChanged.length > 0) this.events.afterCommit(tx, { type: 'instance.abac-changed', attributes: abacChanged });
      return instance;
    });
  }
}

/** The keys whose value differs between two maps (added, removed or changed). */
function changedKeys(before: Record<string, string>, after: Record<string, string>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]).sort();
}

/** The input shapes, for the OpenAPI document. */
export { updateSchema as instanceUpdateSchema };
