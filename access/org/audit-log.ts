// Reading the audit log (admin API GET /audit): newest first, filtered by action or actor.
import type { AuditEvent } from '../../model/types.ts';
import type { AuditStore, Page } from '../../store/stores.ts';

export type AuditQuery = Parameters<AuditStore['list']>[0];

export class AuditLog {
  constructor(private readonly audit: Pick<AuditStore, 'list'>) {}

  list(query: AuditQuery): Promise<Page<AuditEvent>> {
    return this.audit.list(query);
  }
}
