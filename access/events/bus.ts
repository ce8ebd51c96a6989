// The in-process bus of access-change events (model/access-events.ts; docs/architecture.md,
// "Events"). Services publish through `afterCommit(tx, ...events)`; the events of one transaction
// are handed to every subscriber together, once, after the commit.
//
// In-process only: subscribers run on the node that made the change. Whatever another node must
// learn goes through shared state the subscribers write: the authorization epoch, the credential
// cache and portal sessions all live in the ephemeral store (Redis when there are several nodes).
//
// A subscriber's failure does not stop the others; the first one is rethrown to the publisher. As
// publishing runs in a transaction's afterCommit hook, that rejects the change's call (its request
// fails) although the change is committed: an administrator is never told "done" while, say, other
// nodes still trust their old snapshots (access/authorization-epoch.ts).
import type { AccessEvent, AccessEventOf, AccessEventPublisher, AccessEventType, CommitHooks } from '../../model/access-events.ts';

export type AccessEventsHandler = (events: readonly AccessEvent[]) => void | Promise<void>;

export class AccessEventBus implements AccessEventPublisher {
  readonly #subscribers: AccessEventsHandler[] = [];
  /** Events waiting for the commit of their transaction (one hook per transaction). */
  readonly #pending = new WeakMap<CommitHooks, AccessEvent[]>();

  /** `handler` hears every batch of events (one per committed change), in subscription order. Returns an unsubscribe. */
  subscribe(handler: AccessEventsHandler): () => void {
    this.#subscribers.push(handler);
    return () => {
      const at = this.#subscribers.indexOf(handler);
      if (at >= 0) this.#subscribers.splice(at, 1);
    };
  }

  /** `handler` hears each event of one type, one at a time, in the order published. */
  on<T extends AccessEventType>(type: T, handler: (event: AccessEventOf<T>) => void | Promise<void>): () => void {
    return this.subscribe(async (events) => {
      for (const event of events) if (event.type === type) await handler(event as AccessEventOf<T>);
    });
  }

  afterCommit(tx: CommitHooks, ...events: AccessEvent[]): void {
    if (events.length === 0) return;
    const pending = this.#pending.get(tx);
    if (pending) {
      pending.push(...events);
      return;
    }
    const batch = [...events];
    this.#pending.set(tx, batch);
    tx.afterCommit(() => {
      this.#pending.delete(tx);
      return this.publish(batch);
    });
  }

  /** Hands `events` to every subscriber now; rejects with the first failure once all have run. */
  async publish(events: readonly AccessEvent[]): Promise<void> {
    if (events.length === 0) return;
    const frozen = Object.freeze([...events]);
    let failure: { error: unknown } | undefined;
    for (const subscriber of [...this.#subscribers]) {
      try {
        await subscriber(frozen);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}
