// Reading the audit log (GET /api/v1/audit, its JSON-lines export, the console's audit page):
// filters by time range, actor, object (target), action and outcome, newest first. There is no way to
// change or remove an event through the application; only the retention purge removes old ones.
import { z } from 'zod';
import { ValidationError } from '../../model/errors.ts';
import type { AuditEvent } from '../../model/types.ts';
import { parseInput } from '../../model/validate.ts';
import type { AuditQuery, AuditStore, DirectoryStore, Page } from '../../store/stores.ts';

const isoDate = z
  .string()
  .max(64)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date-time, e.g. 2026-01-31T00:00:00Z')
  .transform((s) => new Date(s));

const querySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  nextToken: z.string().max(512).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  /** A user id, 'system', 'anonymous' or `cli:<name>`. */
  actor: z.string().max(128).optional(),
  /** A userName, looked up to its user id. */
  actorName: z.string().max(1024).optional(),
  action: z.string().max(128).optional(),
  /** The object acted on, e.g. user/<id>, account/<accountId>, permission-set/<id>. */
  target: z.string().max(1024).optional(),
  /** Another name for target. */
  object: z.string().max(1024).optional(),
  outcome: z.enum(['success', 'refused', 'failure']).optional(),
});

/** An event as the API shows it. */
export interface AuditEventView {
  id: string;
  at: string;
  actor: string;
  actorName: string | null;
  address: string | null;
  action: string;
  /** The object acted on. */
  target: string;
  outcome: AuditEvent['outcome'];
  detail: Record<string, unknown>;
}

export const auditEventView = (e: AuditEvent): AuditEventView => ({
  id: e.id,
  at: e.at.toISOString(),
  actor: e.actor,
  actorName: e.actorName,
  address: e.address,
  action: e.action,
  target: e.target,
  outcome: e.outcome,
  detail: e.detail,
});

export class AuditLog {
  constructor(private readonly deps: { audit: Pick<AuditStore, 'list'>; directory: Pick<DirectoryStore, 'getUserByName'> }) {}

  async list(input: unknown): Promise<Page<AuditEventView>> {
    const query = await this.query(input);
    if (query === null) return { items: [] };
    const page = await this.deps.audit.list(query);
    return { ...page, items: page.items.map(auditEventView) };
  }

  /** Every matching event, newest first, page by page (for an export of any size). */
  async *export(input: unknown): AsyncGenerator<AuditEventView> {
    const query = await this.query({ ...(input as object), limit: undefined, nextToken: undefined });
    if (query === null) return;
    let nextToken: string | undefined;
    do {
      const page = await this.deps.audit.list({ ...query, limit: 1000, nextToken });
      for (const event of page.items) yield auditEventView(event);
      nextToken = page.nextToken;
    } while (nextToken);
  }

  /** Null when the filter can match nothing (an unknown actorName). */
  private async query(input: unknown): Promise<AuditQuery | null> {
    const q = parseInput(querySchema, input ?? {}, 'query');
    if (q.from && q.to && q.from.getTime() > q.to.getTime()) throw new ValidationError('from is after to', [{ field: 'from', message: 'must not be after to' }]);
    let actor = q.actor;
    if (q.actorName !== undefined) {
      const user = await this.deps.directory.getUserByName(q.actorName);
      if (!user || (actor !== undefined && actor !== user.id)) return null;
      actor = user.id;
    }
    return { limit: q.limit, nextToken: q.nextToken, from: q.from, to: q.to, actor, action: q.action, target: q.target ?? q.object, outcome: q.outcome };
  }
}
