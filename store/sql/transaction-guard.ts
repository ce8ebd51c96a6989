// A check that runs first inside every transaction opened on behalf of some piece of work (one
// admin request), so that what it decides holds for the transaction's writes: its reads may hold
// rows (lockedForShare) that a concurrent change would need, which then waits for the commit, or
// commits first and is seen (docs/architecture.md, "Transactions"). The admin policy uses it
// (access/admin/admin-policy.ts): a role taken away cannot slip between the check and the write.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { UnitOfWork } from '../stores.ts';

export interface TransactionGuard {
  /** Runs first in each outermost transaction; an Error returned is thrown there, so the transaction rolls back. */
  check(tx: UnitOfWork): Promise<Error | null>;
  /** Called with that Error once the transaction has rolled back, outside it (to record the refusal). */
  refused(error: Error): Promise<void>;
}

const guards = new AsyncLocalStorage<TransactionGuard>();

/** Runs `work`, and everything it awaits or schedules, with `guard` checking each transaction it opens. */
export function guardTransactions<T>(guard: TransactionGuard, work: () => T): T {
  return guards.run(guard, work);
}

export const currentTransactionGuard = (): TransactionGuard | undefined => guards.getStore();
