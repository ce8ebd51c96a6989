// SAML signing keys over SQL. The partial unique index on status (migration 0004) is what keeps one
// next, one current and one previous key when several nodes act at once; promote and retire are
// conditional updates inside one write transaction, so a change that lost a race changes nothing.

import type { SigningKeyOrigin, SigningKeyRecord, SigningKeyStatus } from '../../model/types.ts';
import { ConflictError, NotFoundError } from '../../model/errors.ts';
import type { NewSigningKey, SigningKeyStore } from '../stores.ts';
import { readDate } from './codec.ts';
import type { SqlContext } from './context.ts';
import { translated } from './errors.ts';
import type { SigningKeyRow } from './schema.ts';
import { atomically } from './transaction.ts';

const ORDER: Record<SigningKeyStatus, number> = { current: 0, next: 1, previous: 2, retired: 3 };

function readKey(row: SigningKeyRow): SigningKeyRecord {
  return {
    id: row.id,
    status: row.status as SigningKeyStatus,
    origin: row.origin as SigningKeyOrigin,
    certificatePem: row.certificate_pem,
    fingerprintSha256: row.fingerprint_sha256,
    privateKeySealed: row.private_key_sealed,
    createdAt: readDate(row.created_at),
    promotedAt: row.promoted_at === null ? null : readDate(row.promoted_at),
    retiredAt: row.retired_at === null ? null : readDate(row.retired_at),
  };
}

export class SqlSigningKeyStore implements SigningKeyStore {
  constructor(private readonly ctx: SqlContext) {}

  async list(): Promise<SigningKeyRecord[]> {
    const rows = await translated(() => this.ctx.db.selectFrom('signing_keys').selectAll().execute());
    return rows.map(readKey).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || ORDER[a.status] - ORDER[b.status] || (a.id < b.id ? -1 : 1));
  }

  async get(id: string): Promise<SigningKeyRecord | null> {
    const row = await translated(() => this.ctx.db.selectFrom('signing_keys').selectAll().where('id', '=', id).executeTakeFirst());
    return row ? readKey(row) : null;
  }

  async insert(key: NewSigningKey, at: Date): Promise<SigningKeyRecord> {
    const when = this.ctx.codec.date(at);
    const row = await translated(
      () =>
        this.ctx.db
          .insertInto('signing_keys')
          .values({
            id: key.id,
            status: key.status,
            origin: key.origin,
            certificate_pem: key.certificatePem,
            fingerprint_sha256: key.fingerprintSha256,
            private_key_sealed: key.privateKeySealed,
            created_at: when,
            promoted_at: key.status === 'current' ? when : null,
            retired_at: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      {
        unique: (columns) =>
          columns.includes('fingerprint_sha256')
            ? new ConflictError('That certificate is already in the signing key set (or was retired from it)')
            : new ConflictError(`A ${key.status} signing key already exists`),
      },
    );
    return readKey(row);
  }

  async promote(id: string, at: Date): Promise<void> {
    await translated(() =>
      atomically(this.ctx, async (trx) => {
        const keys = await trx
          .selectFrom('signing_keys')
          .select(['id', 'status'])
          .where((w) => w.or([w('status', '<>', 'retired'), w('id', '=', id)]))
          .execute();
        const key = keys.find((k) => k.id === id);
        if (!key) throw new NotFoundError('Signing key', id);
        if (key.status !== 'next') throw new ConflictError(`Signing key ${id} is ${key.status}; only the next key can be promoted`);
        const previous = keys.find((k) => k.status === 'previous');
        if (previous) throw new ConflictError(`Signing key ${previous.id} is still published as the previous key; retire it first`);
        await trx.updateTable('signing_keys').set({ status: 'previous' }).where('status', '=', 'current').execute();
        const promoted = await trx
          .updateTable('signing_keys')
          .set({ status: 'current', promoted_at: this.ctx.codec.date(at) })
          .where('id', '=', id)
          .where('status', '=', 'next')
          .executeTakeFirst();
        if (Number(promoted.numUpdatedRows) !== 1) throw new ConflictError(`Signing key ${id} changed meanwhile; nothing was promoted`);
      }),
    );
  }

  async retire(id: string, at: Date): Promise<void> {
    const result = await translated(() =>
      this.ctx.db
        .updateTable('signing_keys')
        .set({ status: 'retired', private_key_sealed: null, retired_at: this.ctx.codec.date(at) })
        .where('id', '=', id)
        .where('status', 'in', ['next', 'previous'])
        .executeTakeFirst(),
    );
    if (Number(result.numUpdatedRows) === 1) return;
    const key = await this.get(id);
    if (!key) throw new NotFoundError('Signing key', id);
    if (key.status === 'current') throw new ConflictError(`Signing key ${id} is current; promote the next key first`);
    throw new ConflictError(`Signing key ${id} is already retired`);
  }
}
