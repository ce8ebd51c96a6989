// Permission sets with every IAM Identity Center field and limit (sso-admin CreatePermissionSet,
// AttachManagedPolicyToPermissionSet, AttachCustomerManagedPolicyReferenceToPermissionSet,
// PutInlinePolicyToPermissionSet, PutPermissionsBoundaryToPermissionSet; docs/aws-accounts.md quotas).
import { z } from 'zod';
import type { AccessEventPublisher } from '../model/access-events.ts';
import { NotFoundError, ValidationError } from '../model/errors.ts';
import { newPermissionSetId, PERMISSION_SET_NAME, permissionSetArn } from '../model/ids.ts';
import type { PermissionSet } from '../model/types.ts';
import { parseInput } from '../model/validate.ts';
import type { ListQuery, Page, StoreSet, TransactionalStores } from '../store/stores.ts';
import { removedEvents } from './assignments.ts';
import { parseIsoDurationSeconds } from './iso-duration.ts';
import { beforeAfter } from '../model/audit-diff.ts';

export const MAX_ATTACHED_POLICIES = 20;
export const MAX_INLINE_POLICY_BYTES = 32768;

const description = z
  .string()
  .min(1)
  .max(700)
  // sso-admin's own pattern for Description, tab and line breaks included.
  // eslint-disable-next-line no-control-regex
  .regex(/^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/, 'contains characters AWS does not allow in a description');
const sessionDuration = z.string().max(100).superRefine((value, ctx) => {
  const seconds = parseIsoDurationSeconds(value);
  if (seconds === null) ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 duration such as PT1H or PT4H30M' });
  else if (seconds < 3600 || seconds > 12 * 3600) ctx.addIssue({ code: 'custom', message: 'must be between PT1H and PT12H' });
});
const relayState = z
  .string()
  .min(1)
  .max(240)
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');
const managedPolicyArn = z.string().regex(/^arn:aws[\w-]*:iam::aws:policy\/[\w+=,.@/-]{1,512}$/, 'must be an AWS managed policy ARN (arn:aws:iam::aws:policy/...)');
const customerManagedPolicyReference = z.strictObject({
  name: z.string().regex(/^[\w+=,.@-]{1,128}$/, 'must match [\\w+=,.@-]{1,128}'),
  path: z
    .string()
    .max(512)
    .regex(/^((\/[A-Za-z0-9.,+@=_-]+)*)\/$/, 'must be a path like / or /division/')
    .default('/'),
});
const inlinePolicy = z
  .union([z.string(), z.record(z.string(), z.unknown())])
  .transform((v, ctx) => {
    const textValue = typeof v === 'string' ? v : JSON.stringify(v);
    if (Buffer.byteLength(textValue, 'utf8') > MAX_INLINE_POLICY_BYTES) {
      ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_INLINE_POLICY_BYTES} bytes` });
      return z.NEVER;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(textValue);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be valid JSON' });
      return z.NEVER;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object (an IAM policy document)' });
      return z.NEVER;
    }
    return textValue;
  });
const permissionsBoundary = z
  .strictObject({ managedPolicyArn: managedPolicyArn.optional(), customerManagedPolicyReference: customerManagedPolicyReference.optional() })
  .refine((b) => (b.managedPolicyArn === undefined) !== (b.customerManagedPolicyReference === undefined), 'give exactly one of managedPolicyArn or customerManagedPolicyReference');
const tags = z
  .array(z.strictObject({ key: z.string().min(1).max(128), value: z.string().max(256) }))
  .max(75)
  .refine((t) => new Set(t.map((x) => x.key)).size === t.length, 'tag keys must be unique');

const editable = {
  description: description.nullable().optional(),
  sessionDuration: sessionDuration.optional(),
  relayState: relayState.nullable().optional(),
  managedPolicies: z.array(managedPolicyArn).optional(),
  customerManagedPolicies: z.array(customerManagedPolicyReference).optional(),
  inlinePolicy: inlinePolicy.nullable().optional(),
  permissionsBoundary: permissionsBoundary.nullable().optional(),
  tags: tags.optional(),
};
const policyCount = (d: { managedPolicies?: string[]; customerManagedPolicies?: unknown[] }) =>
  (d.managedPolicies?.length ?? 0) + (d.customerManagedPolicies?.length ?? 0);

const createSchema = z
  .strictObject({ name: z.string().regex(PERMISSION_SET_NAME, 'must match [\\w+=,.@-]{1,32}'), ...editable })
  .refine((d) => policyCount(d) <= MAX_ATTACHED_POLICIES, { message: `at most ${MAX_ATTACHED_POLICIES} managed and customer managed policies in total`, path: ['managedPolicies'] });
const updateSchema = z.strictObject({ name: z.never({ message: 'name cannot be changed' }).optional(), ...editable });

export class PermissionSetService {
  constructor(
    private readonly stores: TransactionalStores<'permissionSets'>,
    private readonly events: AccessEventPublisher,
    /** Where lists are read: the lag-tolerant replica (SqlStores.lagTolerant) or, by default, `stores`. */
    private readonly lists: Pick<StoreSet, 'permissionSets'> = stores,
  ) {}

  async create(input: unknown, actor: string): Promise<PermissionSet> {
    const data = parseInput(createSchema, input, 'permission set');
    return this.stores.transaction(async (tx) => {
      const { id: instanceId } = await tx.instance.getOrCreate();
      const id = newPermissionSetId();
      const set = await tx.permissionSets.create({
        id,
        arn: permissionSetArn(instanceId, id),
        name: data.name,
        description: data.description ?? null,
        sessionDuration: data.sessionDuration ?? 'PT1H',
        relayState: data.relayState ?? null,
        managedPolicies: [...new Set(data.managedPolicies ?? [])],
        customerManagedPolicies: data.customerManagedPolicies ?? [],
        inlinePolicy: data.inlinePolicy ?? null,
        permissionsBoundary: data.permissionsBoundary ?? null,
        tags: data.tags ?? [],
      });
      await tx.audit.append({ actor, action: 'permission-set.create', target: `permission-set/${id}`, detail: { name: set.name } });
      return set;
    });
  }

  async get(id: string): Promise<PermissionSet> {
    const set = await this.stores.permissionSets.get(id);
    if (!set) throw new NotFoundError('permission set', id);
    return set;
  }

  list(query: ListQuery): Promise<Page<PermissionSet>> {
    return this.lists.permissionSets.list(query);
  }

  async update(id: string, input: unknown, actor: string): Promise<PermissionSet> {
    const { name: _name, ...data } = parseInput(updateSchema, input, 'permission set');
    const patch = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
    // The limit counts policies this edit keeps from the stored set, so the set is read held: a
    // concurrent edit of the other policy list waits, then sees this one (no two edits that each
    // fit can together exceed it).
    return this.stores.transaction(async (tx) => {
      const before = await tx.permissionSets.getForUpdate(id);
      if (!before) throw new NotFoundError('permission set', id);
      const merged = {
        managedPolicies: data.managedPolicies ?? before.managedPolicies,
        customerManagedPolicies: data.customerManagedPolicies ?? before.customerManagedPolicies,
      };
      if (policyCount(merged) > MAX_ATTACHED_POLICIES) {
        const message = `at most ${MAX_ATTACHED_POLICIES} managed and customer managed policies in total`;
        throw new ValidationError(`Invalid permission set: managedPolicies: ${message}`, [{ field: 'managedPolicies', message }]);
      }
      const set = await tx.permissionSets.update(id, patch);
      await tx.audit.append({ actor, action: 'permission-set.update', target: `permission-set/${id}`, detail: { fields: Object.keys(patch), version: set.version, ...beforeAfter(before, set, Object.keys(patch)) } });
      this.events.afterCommit(tx, { type: 'permission-set.edited', permissionSetId: id, fields: Object.keys(patch) });
      return set;
    });
  }

  /** With cascade, the set's assignments go in the same transaction, and each is published as removed. */
  async delete(id: string, cascade: boolean, actor: string): Promise<void> {
    await this.stores.transaction(async (tx) => {
      if (!(await tx.permissionSets.get(id))) throw new NotFoundError('permission set', id);
      const removed = await tx.permissionSets.delete(id, { cascade });
      await tx.audit.append({ actor, action: 'permission-set.delete', target: `permission-set/${id}`, detail: { cascade } });
      this.events.afterCommit(tx, ...removedEvents(removed, 'permission-set-deleted'), { type: 'permission-set.deleted', permissionSetId: id });
    });
  }
}

/** The input shapes, for the OpenAPI document. */
export { createSchema as permissionSetCreateSchema, updateSchema as permissionSetUpdateSchema };
