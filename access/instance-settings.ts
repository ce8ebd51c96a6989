// The instance's own settings (reference §7): portal session duration (15 min .. 90 days, default
// 8 h) and the user attributes mapped to PrincipalTag keys for attribute-based access control.
import { z } from 'zod';
import type { Instance } from '../model/types.ts';
import { parseInput } from '../model/validate.ts';
import type { TransactionalStores } from '../store/stores.ts';

const updateSchema = z.strictObject({
  sessionDurationMinutes: z.number().int().min(15, 'must be at least 15 minutes').max(129600, 'must be at most 90 days (129600 minutes)').optional(),
  // STS session tags: key ≤128 characters, at most 50 tags (reference §4).
  accessControlAttributes: z
    .record(z.string().regex(/^[A-Za-z][\w.:-]{0,127}$/), z.string().regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, 'must be a valid session tag key'))
    .refine((m) => Object.keys(m).length <= 50, 'at most 50 attributes')
    .optional(),
});

export class InstanceSettingsService {
  constructor(private readonly stores: TransactionalStores<'instance'>) {}

  get(): Promise<Instance> {
    return this.stores.instance.getOrCreate();
  }

  async update(input: unknown, actor: string): Promise<Instance> {
    const data = parseInput(updateSchema, input, 'instance settings');
    return this.stores.transaction(async (tx) => {
      const instance = await tx.instance.update(data);
      await tx.audit.append({ actor, action: 'instance.update', target: `instance/${instance.id}`, detail: { ...data } });
      return instance;
    });
  }
}

/** The input shapes, for the OpenAPI document. */
export { updateSchema as instanceUpdateSchema };
