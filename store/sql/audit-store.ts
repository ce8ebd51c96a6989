// The audit log over SQL: append-only, listed newest first by (at, seq), where seq is the insertion
// order that breaks ties between events of the same millisecond.

import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '../../model/types.ts';
import type { AuditStore, Page } from '../stores.ts';
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
    action: row.action,
    target: row.target,
    detail: readJson<Record<string, unknown>>(row.detail_json),
  };
}

export class SqlAuditStore implements AuditStore {
  constructor(private readonly ctx: SqlContext) {}

  async append(event: Omit<AuditEvent, 'id' | 'at'> & { at?: Date }): Promise<AuditEvent> {
    const row = {
      id: randomUUID(),
      at: this.ctx.codec.date(event.at ?? new Date()),
      actor: event.actor,
      action: event.action,
      target: event.target,
      detail_json: writeJson(event.detail),
    };
    await translated(() => this.ctx.db.insertInto('audit_events').values(row).execute());
    return readEvent({ ...row, seq: 0 });
  }

  async list(query: { limit?: number; nextToken?: string; action?: string; actor?: string } = {}): Promise<Page<AuditEvent>> {
    const { db, codec } = this.ctx;
    const limit = pageLimit(query.limit);
    let q = db.selectFrom('audit_events').selectAll();
    if (query.action !== undefined) q = q.where('action', '=', query.action);
    if (query.actor !== undefined) q = q.where('actor', '=', query.actor);
    if (query.nextToken) {
      const [atMs, seq] = decodeToken(query.nextToken, ['number', 'number']) as [number, number];
      q = q.where(keyBeyond(['at', 'seq'], [codec.date(new Date(atMs)), seq], '<'));
    }
    const rows = await translated(() => q.orderBy('at', 'desc').orderBy('seq', 'desc').limit(limit + 1).execute());
    return toPage(rows, limit, (r) => [readDate(r.at).getTime(), Number(r.seq)], readEvent);
  }
}
