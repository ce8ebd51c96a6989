// The in-process bus of access-change events (access/events/bus.ts): batches per transaction
// published after the commit hook runs, never without it; subscribers in order, each one even when
// an earlier one failed, the first failure rethrown; typed subscriptions to one event type.
import { expect } from 'chai';
import { AccessEventBus } from '../../access/events/bus.ts';
import type { AccessEvent, CommitHooks } from '../../model/access-events.ts';
import { runCommitHooks } from '../../store/sql/unit-of-work.ts';

/** A stand-in transaction: collects afterCommit hooks; commit() runs them as the unit of work does. */
function fakeTx() {
  const hooks: (() => void | Promise<void>)[] = [];
  const tx: CommitHooks = { afterCommit: (hook) => void hooks.push(hook) };
  return {
    tx,
    hooks,
    // As the unit of work runs them once the transaction has committed.
    commit: () => runCommitHooks(hooks),
  };
}

const disabled = (userId: string): AccessEvent => ({ type: 'user.disabled', userId });
const removed = (accountId: string): AccessEvent => ({
  type: 'assignment.removed',
  assignment: { accountId, permissionSetId: 'ps-0123456789abcdef', principalType: 'GROUP', principalId: 'g1' },
  cause: 'account-deleted',
});

describe('access-change event bus', () => {
  it('publishes the events of one transaction together, once, when its commit hook runs', async () => {
    const bus = new AccessEventBus();
    const heard: AccessEvent[][] = [];
    bus.subscribe((events) => void heard.push([...events]));
    const { tx, hooks, commit } = fakeTx();

    bus.afterCommit(tx, removed('111122223333'), removed('444455556666'));
    bus.afterCommit(tx);
    bus.afterCommit(tx, disabled('u1'));
    expect(hooks).to.have.length(1);
    expect(heard).to.deep.equal([]);

    await commit();
    expect(heard).to.deep.equal([[removed('111122223333'), removed('444455556666'), disabled('u1')]]);
  });

  it('publishes nothing for a transaction whose hooks never run (rolled back), and registers no hook for no events', async () => {
    const bus = new AccessEventBus();
    const heard: AccessEvent[][] = [];
    bus.subscribe((events) => void heard.push([...events]));
    const rolledBack = fakeTx();
    bus.afterCommit(rolledBack.tx, disabled('u1'));
    const empty = fakeTx();
    bus.afterCommit(empty.tx);
    expect(empty.hooks).to.have.length(0);

    const next = fakeTx();
    bus.afterCommit(next.tx, disabled('u2'));
    await next.commit();
    expect(heard).to.deep.equal([[disabled('u2')]]);
  });

  it('hands each batch to every subscriber in subscription order, frozen, and stops after unsubscribe', async () => {
    const bus = new AccessEventBus();
    const order: string[] = [];
    bus.subscribe(() => void order.push('first'));
    const unsubscribe = bus.subscribe(async (events) => {
      await new Promise((r) => setTimeout(r, 5));
      expect(Object.isFrozen(events)).to.equal(true);
      order.push('second');
    });
    bus.subscribe(() => void order.push('third'));
    await bus.publish([disabled('u1')]);
    unsubscribe();
    await bus.publish([disabled('u1')]);
    expect(order).to.deep.equal(['first', 'second', 'third', 'first', 'third']);
  });

  it('runs every subscriber when one fails and rejects with the first failure', async () => {
    const bus = new AccessEventBus();
    const ran: string[] = [];
    bus.subscribe(() => {
      ran.push('a');
      throw new Error('first failure');
    });
    bus.subscribe(() => {
      ran.push('b');
      throw new Error('second failure');
    });
    bus.subscribe(() => void ran.push('c'));
    const { tx, commit } = fakeTx();
    bus.afterCommit(tx, disabled('u1'));
    const error = await commit().then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).to.equal('first failure');
    expect(ran).to.deep.equal(['a', 'b', 'c']);
  });

  it('on(type) hears only the events of that type, each on its own, in order', async () => {
    const bus = new AccessEventBus();
    const accounts: string[] = [];
    bus.on('assignment.removed', (e) => void accounts.push(e.assignment.accountId));
    const users: string[] = [];
    bus.on('user.disabled', (e) => void users.push(e.userId));
    await bus.publish([removed('111122223333'), disabled('u1'), removed('444455556666')]);
    expect(accounts).to.deep.equal(['111122223333', '444455556666']);
    expect(users).to.deep.equal(['u1']);
  });
});
