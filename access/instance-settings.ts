// The instance's own settings (reference §7): portal session duration (15 min .. 90 days, default
// 8 h), the user attributes mapped to PrincipalTag keys for attribute-based access control, and
// what every application's SP metadata must satisfy unless the application says otherwise
// (applications/metadata-trust.ts).
import { z } from 'zod';
import { instanceTrustInput, signerCertificates } from './applications/metadata-trust.ts';
import type { Instance } from '../model/types.ts';
import { parseInput } from '../model/validate.ts';
import type { AuditStore, InstanceStore } from '../store/stores.ts';

const updateSchema = z.strictObject({
  sessionDurationMinutes: z.number().int().min(15, 'must be at least 15 minutes').max(129600, 'must be at most 90 days (129600 minutes)').optional(),
  // STS session tags: key ≤128 characters, at most 50 tags (reference §4).
  accessControlAttributes: z
    .record(z.string().regex(/^[A-Za-z][\w.:-]{0,127}$/), z.string().regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, 'must be a valid session tag key'))
    .refine((m) => Object.keys(m).length <= 50, 'at most 50 attributes')
    .optional(),
  metadataTrust: instanceTrustInput.optional(),
});

export class InstanceSettingsService {
  constructor(
    private readonly store: InstanceStore,
    private readonly audit: AuditStore,
  ) {}

  get(): Promise<Instance> {
    return this.store.getOrCreate();
  }

  async update(input: unknown, actor: string): Promise<Instance> {
    const data = parseInput(updateSchema, input, 'instance settings');
    const current = await this.store.getOrCreate();
    const { metadataTrust, ...rest } = data;
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
    const instance = await this.store.update(patch);
    await this.audit.append({ actor, action: 'instance.update', target: `instance/${instance.id}`, detail: { ...rest, ...(patch.metadataTrust ? { metadataTrust: { ...patch.metadataTrust, signingCertificates: patch.metadataTrust.signingCertificates.length } } : {}) } });
    return instance;
  }
}

/** The input shapes, for the OpenAPI document. */
export { updateSchema as instanceUpdateSchema };
