// Re-fetches URL metadata when it falls due (metadata.nextFetchAt), on every node at once without
// fetching twice: each due app is claimed with a short lock in the shared ephemeral store
// (setIfAbsent) before its fetch, and read again after the claim, so a node that lost the race, or
// that read the due list before another node finished, leaves it alone. The lock is left to expire
// rather than released, which covers a node that read the due list just before the update landed.
//
// The timer is unref'd (it never keeps the process alive) and only runs once start() is called:
// server/main.ts starts it and stops it at shutdown; tests call tick() themselves.

import type { Application } from '../../model/types.ts';
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';
import type { ApplicationStore } from '../../store/stores.ts';
import type { RefreshOutcome } from './metadata-refresh.ts';

export interface MetadataRefresherDeps {
  store: ApplicationStore;
  ephemeral: EphemeralStore;
  refresh: (app: Application) => Promise<RefreshOutcome>;
  /** How often to look for due apps. */
  intervalMs: number;
  /** How long a claim holds; longer than one fetch can take. */
  lockSeconds: number;
  /** Apps handled per tick (the rest wait for the next one). */
  batchSize?: number;
  now?: () => Date;
  onError?: (err: unknown, app: Application | null) => void;
  onRefreshed?: (outcome: RefreshOutcome) => void;
}

export const refreshLockKey = (applicationId: string) => `app-metadata-refresh:${applicationId}`;

export class MetadataRefresher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private readonly now: () => Date;

  constructor(private readonly deps: MetadataRefresherDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick().catch((e: unknown) => this.deps.onError?.(e, null)), this.deps.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a tick in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }

  /** One pass over the due apps; resolves to how many this node refreshed. Overlapping calls share one pass. */
  tick(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<number> {
    const due = await this.deps.store.dueForMetadataRefresh(this.now(), this.deps.batchSize ?? 20);
    let refreshed = 0;
    for (const candidate of due) {
      try {
        if (!(await this.deps.ephemeral.setIfAbsent(refreshLockKey(candidate.id), String(process.pid), this.deps.lockSeconds))) continue;
        const app = await this.deps.store.get(candidate.id);
        const nextFetchAt = app?.metadata.nextFetchAt;
        if (!app || app.metadata.source !== 'url' || !nextFetchAt || nextFetchAt.getTime() > this.now().getTime()) continue;
        const outcome = await this.deps.refresh(app);
        refreshed += 1;
        this.deps.onRefreshed?.(outcome);
      } catch (e) {
        this.deps.onError?.(e, candidate);
      }
    }
    return refreshed;
  }
}
