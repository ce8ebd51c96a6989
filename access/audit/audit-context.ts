// Who is acting in the request being served, for every audit event appended while serving it: the
// surface (admin API, console, portal) names the person and the client address once, and the audit
// store adds them to each event of that person (store/sql/audit-store.ts), however deep in the use
// cases the event is written. node:async_hooks carries it through every await of the request.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditContextSource } from '../../store/stores.ts';

export interface AuditActor {
  /** Null while nobody is identified yet (the request's address is still recorded). */
  actorId: string | null;
  actorName: string | null;
  address: string | null;
}

const acting = new AsyncLocalStorage<AuditActor>();

/** Runs `work` (and everything it awaits or schedules) on behalf of `actor`. */
export function actingAs<T>(actor: AuditActor, work: () => T): T {
  return acting.run(actor, work);
}

export const currentAuditActor: AuditContextSource = () => acting.getStore();
