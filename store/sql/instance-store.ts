// The singleton instance over SQL: one row whose primary key is the constant 1. getOrCreate inserts
// it if absent (ON CONFLICT DO NOTHING), so processes starting together agree on one instance id.

import type { Updateable } from 'kysely';
import { instanceArn, newInstanceId } from '../../model/ids.ts';
import type { Instance, MetadataTrust } from '../../model/types.ts';
import { MFA_OFF, NEW_INSTANCE_MFA_POLICY, type MfaPolicy } from '../../model/mfa.ts';
import type { InstanceStore } from '../stores.ts';
import { readDate, readJson, writeJson } from './codec.ts';
import type { SqlContext } from './context.ts';
import { translated } from './errors.ts';
import { lockedForUpdate } from './transaction.ts';
import type { InstanceRow } from './schema.ts';

/** Portal session lifetime before anyone changes it: 8 hours, as AWS defaults it. */
export const DEFAULT_SESSION_DURATION_MINUTES = 480;

/** SP metadata trust before anyone changes it: nothing required, as before the setting existed. */
const DEFAULT_METADATA_TRUST: MetadataTrust = { requireSignature: false, requireValidUntil: false, signingCertificates: [] };

function readInstance(row: InstanceRow): Instance {
  return {
    id: row.id,
    arn: row.arn,
    managementAccountId: row.management_account_id,
    sessionDurationMinutes: Number(row.session_duration_minutes),
    accessControlAttributes: readJson<Record<string, string>>(row.access_control_attributes_json),
    metadataTrust: row.metadata_trust_json === null ? { ...DEFAULT_METADATA_TRUST } : readJson<MetadataTrust>(row.metadata_trust_json),
    mfa: row.mfa_policy_json === null ? { ...MFA_OFF, allowedFactors: [...MFA_OFF.allowedFactors] } : readJson<MfaPolicy>(row.mfa_policy_json),
    createdAt: readDate(row.created_at),
    updatedAt: readDate(row.updated_at),
  };
}

export class SqlInstanceStore implements InstanceStore {
  constructor(private readonly ctx: SqlContext) {}

  private async read(): Promise<InstanceRow | undefined> {
    return translated(() => this.ctx.db.selectFrom('instance').selectAll().where('singleton', '=', 1).executeTakeFirst());
  }

  async getOrCreate(): Promise<Instance> {
    const existing = await this.read();
    if (existing) return readInstance(existing);
    const id = newInstanceId();
    const now = this.ctx.codec.date(new Date());
    await translated(() =>
      this.ctx.db
        .insertInto('instance')
        .values({
          singleton: 1,
          id,
          arn: instanceArn(id),
          management_account_id: null,
          session_duration_minutes: DEFAULT_SESSION_DURATION_MINUTES,
          access_control_attributes_json: writeJson({}),
          metadata_trust_json: null,
          mfa_policy_json: writeJson(NEW_INSTANCE_MFA_POLICY),
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.column('singleton').doNothing())
        .execute(),
    );
    // Whoever won the insert, this is the instance now.
    const created = await this.read();
    if (!created) throw new Error('instance row missing right after insert');
    return readInstance(created);
  }

  async getOrCreateForUpdate(): Promise<Instance> {
    await this.getOrCreate();
    const query = lockedForUpdate(this.ctx, this.ctx.db.selectFrom('instance').selectAll().where('singleton', '=', 1));
    const row = await translated(() => query.executeTakeFirst());
    if (!row) throw new Error('instance row missing right after getOrCreate');
    return readInstance(row);
  }

  async update(
    patch: Partial<Pick<Instance, 'managementAccountId' | 'sessionDurationMinutes' | 'accessControlAttributes' | 'metadataTrust' | 'mfa'>>,
  ): Promise<Instance> {
    await this.getOrCreate();
    const set: Updateable<InstanceRow> = { updated_at: this.ctx.codec.date(new Date()) };
    if (patch.managementAccountId !== undefined) set.management_account_id = patch.managementAccountId;
    if (patch.sessionDurationMinutes !== undefined) set.session_duration_minutes = patch.sessionDurationMinutes;
    if (patch.accessControlAttributes !== undefined) set.access_control_attributes_json = writeJson(patch.accessControlAttributes);
    if (patch.metadataTrust !== undefined) set.metadata_trust_json = writeJson(patch.metadataTrust);
    if (patch.mfa !== undefined) set.mfa_policy_json = writeJson(patch.mfa);
    const row = await translated(() => this.ctx.db.updateTable('instance').set(set).where('singleton', '=', 1).returningAll().executeTakeFirst());
    if (!row) throw new Error('instance row missing right after getOrCreate');
    return readInstance(row);
  }
}
