// Reading the audit log for the console: newest first, a page at a time, filtered by action and
// actor (the filters the audit store offers today).
import type { AuditEvent } from '../../model/types.ts';
import type { AuditStore, Page } from '../../store/stores.ts';

export interface AuditQuery {
  limit: number;
  nextToken?: string;
  action?: string;
  actor?: string;
}

export class ConsoleAuditLog {
  constructor(private readonly audit: AuditStore) {}

  list(query: AuditQuery): Promise<Page<AuditEvent>> {
    return this.audit.list(query);
  }
}
