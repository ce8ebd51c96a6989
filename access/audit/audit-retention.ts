// The audit log's retention (AUDIT_RETENTION_DAYS, docs/operations.md "Audit log"): events older
// than the retention period are purged, in batches, by one node per interval (a short claim in the
// shared ephemeral store), oldest first. 0 keeps every event. This is the only deletion of audit
// events the application makes.
//
// The timer is unref'd and only runs once start() is called (server/main.ts); tests call purge().
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';
import type { AuditStore } from '../../store/stores.ts';

export interface AuditRetentionDeps {
  audit: Pick<AuditStore, 'purgeBefore' | 'append'>;
  ephemeral: Pick<EphemeralStore, 'setIfAbsent'>;
  /** Days an event is kept; 0: forever. */
  retentionDays: number;
  intervalMs: number;
  now?: () => Date;
  onError?: (err: unknown) => void;
}

const CLAIM_KEY = 'audit-retention:purge';
const BATCH = 5000;

export class AuditRetention {
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => Date;

  constructor(private readonly deps: AuditRetentionDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  start(): void {
    if (this.timer || this.deps.retentionDays === 0) return;
    const run = () => void this.purge({ claim: true }).catch((e: unknown) => this.deps.onError?.(e));
    this.timer = setInterval(run, this.deps.intervalMs);
    this.timer.unref();
    run();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Purges what is older than the retention; resolves to how many events went (0 when another node holds the claim). */
  async purge(options: { claim?: boolean } = {}): Promise<number> {
    if (this.deps.retentionDays === 0) return 0;
    if (options.claim && !(await this.deps.ephemeral.setIfAbsent(CLAIM_KEY, String(process.pid), Math.max(1, Math.floor(this.deps.intervalMs / 2000))))) return 0;
    const before = new Date(this.now().getTime() - this.deps.retentionDays * 86_400_000);
    let total = 0;
    for (;;) {
      const n = await this.deps.audit.purgeBefore(before, BATCH);
      total += n;
      if (n < BATCH) break;
    }
    // The purge itself is recorded, so a gap in the log is explained.
    if (total > 0) await this.deps.audit.append({ actor: 'system', action: 'audit.purge', target: 'audit', detail: { before: before.toISOString(), removed: total, retentionDays: this.deps.retentionDays } });
    return total;
  }
}
