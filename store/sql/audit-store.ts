// The audit log over SQL: append-only, listed newest first by (at, seq), where seq is the insertion
// order that breaks ties between events of the same millisecond. Nothing updates a row; only the
// retention purge deletes, oldest first.

import { randomUUID } from 'node:crypto';
import type { AuditEvent, AuditOutcome } from '../../model/types.ts';
import type { AuditContextSource, AuditQuery, AuditStore, NewAuditEvent, Page } from '../stores.ts';
import { readDate, readJson, writeJson } from './codec.ts';
import type { SqlContext } from './context.ts';
import { translated } from './errors.ts';
import { keyBeyond } from './fragments.ts';
import { decodeToken, pageLimit, toPage } from './pagination.ts';
import type { AuditEventRow } from './schema.ts';

type StoredAuditEvent = Omit<AuditEventRow, 'seq'> & { seq: number | string };

function readEvent(row: StoredAuditEvent): AuditEvent {
  return {
    id: row.id,
    at: readDate(row.at),
    actor: row.actor,
    actorName: row.actor_name,
    address: row.address,
    outcome: row.outcome as AuditOutcome,
    action: row.action,
    target: row.target,
    detail: readJson<Record<string, unknown>>(row.detail_json),
  };
}

export class SqlAuditStore implements AuditStore {
  constructor(
    private readonly ctx: SqlContext,
    private readonly context: AuditContextSource = () => undefined,
  ) {}

  async append(event: NewAuditEvent): Promise<AuditEvent> {
    // The request being served names its actor and address once, for every event it appends.
    const acting = this.context();
    const byThem = acting !== undefined && acting.actorId === event.actor;
    const row = {
      id: randomUUID(),
      at: this.ctx.codec.date(event.at ?? new Date()),
      actor: event.actor,
      actor_name: event.actorName ?? (byThem ? acting.actorName : null),
      address: event.address ?? acting?.address ?? null,
      outcome: event.outcome ?? 'success',
      action: event.action,
      target: event.target,
      detail_json: writeJson(event.detail),
    };
    await translated(() => this.ctx.db.insertInto('audit_events').values(row).execute());
    return readEvent({ ...row, seq: 0 });
  }

  async list(query: AuditQuery = {}): Promise<Page<AuditEvent>> {
    const { db, codec } = this.ctx;
    const limit = pageLimit(query.limit);
    let q = db.selectFrom('audit_events').selectAll();
    if (query.action !== undefined) q = q.where('action', '=', query.action);
    if (query.actor !== undefined) q = q.where('actor', '=', query.actor);
    if (query.target !== undefined) q = q.where('target', '=', query.target);
    if (query.outcome !== undefined) q = q.where('outcome', '=', query.outcome);
    if (query.from !== undefined) q = q.where('at', '>=', codec.date(query.from));
    if (query.to !== undefined) q = q.where('at', '<', codec.date(query.to));
    if (query.nextToken) {
      const [atMs, seq] = decodeToken(query.nextToken, ['number', 'number']) as [number, number];
      q = q.where(keyBeyond(['at', 'seq'], [codec.date(new Date(atMs)), seq], '<'));
    }
    const rows = await translated(() => q.orderBy('at', 'desc').orderBy('seq', 'desc').limit(limit + 1).execute());
    return toPage(rows, limit, (r) => [readDate(r.at).getTime(), Number(r.seq)], readEvent);
  }

  async purgeBefore(before: Date, limit = 10_000): Promise<number> {
    const { db, codec } = this.ctx;
    // In batches by seq, so one purge never holds a long lock over a large log.
    const result = await translated(() =>
      db
        .deleteFrom('audit_events')
        .where('seq', 'in', db.selectFrom('audit_events').select('seq').where('at', '<', codec.date(before)).orderBy('seq').limit(limit))
        .executeTakeFirst(),
    );
    return Number(result.numDeletedRows);
  }
}
