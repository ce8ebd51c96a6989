// Second-factor devices and recovery codes over SQL (store/stores.ts MfaStore). Using a TOTP step
// and using a recovery code are each one conditional UPDATE, so two nodes checking the same code
// at the same moment cannot both accept it.
import type { MfaDevice, MfaFactor } from '../../model/mfa.ts';
import { NotFoundError } from '../../model/errors.ts';
import type { MfaStore, NewMfaDevice, StoredMfaDevice } from '../stores.ts';
import { readDate } from './codec.ts';
import type { SqlContext } from './context.ts';
import { translated } from './errors.ts';
import type { MfaDeviceRow } from './schema.ts';

function readDevice(row: MfaDeviceRow): MfaDevice {
  return {
    id: row.id,
    userId: row.user_id,
    kind: row.kind as MfaFactor,
    name: row.name,
    createdAt: readDate(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : readDate(row.last_used_at),
  };
}

export class SqlMfaStore implements MfaStore {
  constructor(private readonly ctx: SqlContext) {}

  async createDevice(device: NewMfaDevice): Promise<MfaDevice> {
    const row: MfaDeviceRow = {
      id: device.id,
      user_id: device.userId,
      kind: device.kind,
      name: device.name,
      secret_sealed: device.secretSealed,
      last_step: device.lastStep,
      created_at: this.ctx.codec.date(device.createdAt),
      last_used_at: device.lastStep === null ? null : this.ctx.codec.date(device.createdAt),
    };
    await translated(() => this.ctx.db.insertInto('mfa_devices').values(row).execute(), { foreignKey: () => new NotFoundError('user', device.userId) });
    return readDevice(row);
  }

  async listDevices(userId: string): Promise<MfaDevice[]> {
    const rows = await translated(() => this.ctx.db.selectFrom('mfa_devices').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute());
    return rows.map(readDevice);
  }

  async getDevice(userId: string, deviceId: string): Promise<StoredMfaDevice | null> {
    const row = await translated(() => this.ctx.db.selectFrom('mfa_devices').selectAll().where('id', '=', deviceId).where('user_id', '=', userId).executeTakeFirst());
    return row ? { device: readDevice(row), secretSealed: row.secret_sealed, lastStep: row.last_step === null ? null : Number(row.last_step) } : null;
  }

  async useTotpStep(deviceId: string, step: number, at: Date): Promise<boolean> {
    const result = await translated(() =>
      this.ctx.db
        .updateTable('mfa_devices')
        .set({ last_step: step, last_used_at: this.ctx.codec.date(at) })
        .where('id', '=', deviceId)
        .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) === 1;
  }

  async useWebauthnCounter(deviceId: string, counter: number, at: Date): Promise<boolean> {
    const result = await translated(() =>
      this.ctx.db
        .updateTable('mfa_devices')
        .set({ last_step: counter, last_used_at: this.ctx.codec.date(at) })
        .where('id', '=', deviceId)
        .where('kind', '=', 'webauthn')
        .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', counter), ...(counter === 0 ? [eb('last_step', '=', 0)] : [])]))
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) === 1;
  }

  async renameDevice(userId: string, deviceId: string, name: string): Promise<MfaDevice> {
    const row = await translated(() => this.ctx.db.updateTable('mfa_devices').set({ name }).where('id', '=', deviceId).where('user_id', '=', userId).returningAll().executeTakeFirst());
    if (!row) throw new NotFoundError('MFA device', deviceId);
    return readDevice(row);
  }

  async deleteDevice(userId: string, deviceId: string): Promise<void> {
    const result = await translated(() => this.ctx.db.deleteFrom('mfa_devices').where('id', '=', deviceId).where('user_id', '=', userId).executeTakeFirst());
    if (Number(result.numDeletedRows) === 0) throw new NotFoundError('MFA device', deviceId);
  }

  async deleteAllForUser(userId: string): Promise<number> {
    const result = await translated(() => this.ctx.db.deleteFrom('mfa_devices').where('user_id', '=', userId).executeTakeFirst());
    await translated(() => this.ctx.db.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute());
    return Number(result.numDeletedRows);
  }

  async replaceRecoveryCodes(userId: string, codeHashes: string[]): Promise<void> {
    await translated(() => this.ctx.db.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute());
    if (codeHashes.length === 0) return;
    await translated(
      () => this.ctx.db.insertInto('mfa_recovery_codes').values(codeHashes.map((h) => ({ user_id: userId, code_sha256: h, used_at: null }))).execute(),
      { foreignKey: () => new NotFoundError('user', userId) },
    );
  }

  async useRecoveryCode(userId: string, codeHash: string, at: Date): Promise<boolean> {
    const result = await translated(() =>
      this.ctx.db
        .updateTable('mfa_recovery_codes')
        .set({ used_at: this.ctx.codec.date(at) })
        .where('user_id', '=', userId)
        .where('code_sha256', '=', codeHash)
        .where('used_at', 'is', null)
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) === 1;
  }

  async countUnusedRecoveryCodes(userId: string): Promise<number> {
    const row = await translated(() =>
      this.ctx.db.selectFrom('mfa_recovery_codes').select((eb) => eb.fn.countAll<number | string>().as('n')).where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirstOrThrow(),
    );
    return Number(row.n);
  }
}
