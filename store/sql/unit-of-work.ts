// Units of work over SQL (docs/architecture.md, "Transactions"): `stores.transaction(async (tx) =>
// ...)` runs its work in one write transaction (writeTransaction: BEGIN IMMEDIATE on SQLite) with a
// fresh set of stores bound to it, commits when the work resolves, rolls back when it throws, and
// runs the afterCommit hooks only once the commit is in.
//
// Why the stores outside the transaction are refused inside it: on SQLite every query shares one
// connection that Kysely hands out under a mutex, and the transaction holds it until it ends, so a
// query made there through those stores would wait for the transaction that waits for it. On
// PostgreSQL it would run on another connection, outside the transaction, and could wait for a row
// the transaction has locked. Which work is inside a transaction is known from the async context
// (node:async_hooks AsyncLocalStorage), so the mistake is an Error at once rather than a hang.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely } from 'kysely';
import type { StoreSet, UnitOfWork } from '../stores.ts';
import type { Codec, SqlDialect } from './codec.ts';
import type { SqlContext } from './context.ts';
import { translated } from './errors.ts';
import type { Schema } from './schema.ts';
import { writeTransaction } from './transaction.ts';
import { currentTransactionGuard } from './transaction-guard.ts';

interface OpenUnit {
  readonly owner: UnitsOfWork;
  readonly tx: UnitOfWork;
  readonly state: { ended: boolean };
}

const openUnit = new AsyncLocalStorage<OpenUnit>();

type AfterCommitHook = () => void | Promise<void>;

export class UnitsOfWork {
  /** Units running now; while none is, the stores outside skip the async-context check. */
  #running = 0;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly dialect: SqlDialect,
    private readonly codec: Codec,
    private readonly storesOver: (ctx: SqlContext) => StoreSet,
  ) {}

  /** The context of the stores outside any transaction. */
  outsideContext(): SqlContext {
    const { db, dialect, codec } = this;
    const refuseInsideUnit = () => this.#refuseInsideUnit();
    return {
      dialect,
      codec,
      inTransaction: false,
      get db() {
        refuseInsideUnit();
        return db;
      },
    };
  }

  #refuseInsideUnit(): void {
    if (this.#running === 0) return;
    const unit = openUnit.getStore();
    if (unit !== undefined && unit.owner === this && !unit.state.ended) {
      throw new Error('a store outside the transaction was used inside stores.transaction(): use the stores of its tx');
    }
  }

  async run<T>(work: (tx: UnitOfWork) => Promise<T>): Promise<T> {
    const outer = openUnit.getStore();
    // Inside an open unit of this database: join it.
    if (outer !== undefined && outer.owner === this && !outer.state.ended) return work(outer.tx);

    const hooks: AfterCommitHook[] = [];
    const state = { ended: false };
    // The check of the work this transaction serves, first inside it (transaction-guard.ts).
    const guard = currentTransactionGuard();
    let refusal: Error | null = null;
    this.#running += 1;
    let result: T;
    try {
      result = await translated(() =>
        writeTransaction(this.db, this.dialect, (trx) => {
          const tx = this.#bind(trx, hooks, state);
          return openUnit.run({ owner: this, tx, state }, async () => {
            refusal = guard ? await guard.check(tx) : null;
            if (refusal) throw refusal;
            return work(tx);
          });
        }),
      );
    } catch (e) {
      if (guard && refusal !== null && e === refusal) {
        state.ended = true;
        await guard.refused(refusal);
      }
      throw e;
    } finally {
      state.ended = true;
      this.#running -= 1;
    }
    // Committed: effects outside the database may follow now.
    await runCommitHooks(hooks);
    return result;
  }

  #bind(trx: Kysely<Schema>, hooks: AfterCommitHook[], state: { readonly ended: boolean }): UnitOfWork {
    const refuseEnded = () => {
      // A tx kept past its end would write outside any transaction (and, on SQLite, past the mutex).
      if (state.ended) throw new Error('this transaction has ended: its stores cannot be used any more');
    };
    const ctx: SqlContext = {
      dialect: this.dialect,
      codec: this.codec,
      inTransaction: true,
      get db() {
        refuseEnded();
        return trx;
      },
    };
    return {
      ...this.storesOver(ctx),
      afterCommit(hook) {
        refuseEnded();
        hooks.push(hook);
      },
    };
  }
}

/**
 * Runs a committed change's hooks in order. Each runs even when an earlier one failed; the first
 * failure is rethrown to the caller (the change itself stays committed).
 */
export async function runCommitHooks(hooks: readonly (() => void | Promise<void>)[]): Promise<void> {
  let failure: { error: unknown } | undefined;
  for (const hook of hooks) {
    try {
      await hook();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}
