// The built-in reactions to access-change events (access/events/access-reactions.ts), against
// recording stand-ins: the epoch once per change that alters a snapshot; portal sessions of a
// disabled or deleted user; the cached credentials of a user, of each (account, permission set)
// an assignment of which went, or all of them when the tag mapping changes; this node's snapshots.
import { expect } from 'chai';
import { subscribeAccessReactions } from '../../access/events/access-reactions.ts';
import { AccessEventBus } from '../../access/events/bus.ts';
import type { AccessEvent } from '../../model/access-events.ts';

function recording() {
  const calls: string[] = [];
  const bus = new AccessEventBus();
  subscribeAccessReactions(bus, {
    epoch: { bump: async () => void calls.push('epoch') },
    portalSessions: { destroyAllForUser: async (id) => (calls.push(`sessions ${id}`), 0) },
    credentialCache: {
      purgeUser: async (id) => (calls.push(`creds user ${id}`), 0),
      purgePair: async (a, p) => (calls.push(`creds pair ${a}/${p}`), 0),
      purgeAll: async () => (calls.push('creds all'), 0),
    },
    snapshots: { forgetSnapshots: (ids) => void calls.push(`snapshots ${ids === 'all' ? 'all' : ids.join(',')}`) },
    preferences: { forget: async (id) => void calls.push(`preferences ${id}`) },
  });
  return { bus, calls };
}

const removed = (accountId: string, permissionSetId: string, principalId: string, principalType: 'USER' | 'GROUP' = 'GROUP'): AccessEvent => ({
  type: 'assignment.removed',
  assignment: { accountId, permissionSetId, principalType, principalId },
  cause: 'account-deleted',
});

describe('reactions to access-change events', () => {
  it('a disabled user: the epoch, their portal sessions, their cached credentials, their snapshot', async () => {
    const { bus, calls } = recording();
    await bus.publish([{ type: 'user.disabled', userId: 'u1' }]);
    expect(calls).to.deep.equal(['epoch', 'sessions u1', 'creds user u1', 'snapshots u1']);
  });

  it('a deleted user: also their portal favourites and recent accounts', async () => {
    const { bus, calls } = recording();
    await bus.publish([{ type: 'user.deleted', userId: 'u1' }]);
    expect(calls).to.deep.equal(['epoch', 'sessions u1', 'preferences u1', 'creds user u1', 'snapshots u1']);
  });

  it('a cascade: one epoch change, each (account, permission set) purged once, every snapshot of this node dropped', async () => {
    const { bus, calls } = recording();
    await bus.publish([
      removed('111122223333', 'ps-a', 'g1'),
      removed('111122223333', 'ps-a', 'g2'),
      removed('111122223333', 'ps-b', 'g1'),
      { type: 'account.deleted', accountId: '111122223333' },
    ]);
    expect(calls).to.deep.equal(['epoch', 'creds pair 111122223333/ps-a', 'creds pair 111122223333/ps-b', 'snapshots all']);
  });

  it('an attribute change drops the user\'s cached credentials (the next ones carry the new tags); a mapping change drops all', async () => {
    const { bus, calls } = recording();
    await bus.publish([{ type: 'user.attributes-changed', userId: 'u1', attributes: ['department'] }]);
    expect(calls).to.deep.equal(['epoch', 'creds user u1', 'snapshots u1']);
    calls.length = 0;
    await bus.publish([{ type: 'instance.abac-changed', attributes: ['department'] }]);
    expect(calls).to.deep.equal(['creds all']);
  });

  it('an application assignment alone touches nothing that caches AWS access', async () => {
    const { bus, calls } = recording();
    await bus.publish([{ type: 'application-assignment.changed', applicationId: 'app-1', principal: { type: 'USER', id: 'u1' } }]);
    expect(calls).to.deep.equal([]);
  });

  it('a user\'s own assignment or membership forgets only their snapshot', async () => {
    const { bus, calls } = recording();
    await bus.publish([
      { type: 'membership.added', groupId: 'g1', userId: 'u1' },
      { type: 'assignment.created', assignment: { accountId: '111122223333', permissionSetId: 'ps-a', principalType: 'USER', principalId: 'u2' } },
    ]);
    expect(calls).to.deep.equal(['epoch', 'snapshots u1,u2']);
  });

  it('a failed epoch write fails the publication, and the other reactions still run', async () => {
    const calls: string[] = [];
    const bus = new AccessEventBus();
    subscribeAccessReactions(bus, {
      epoch: {
        bump: async () => {
          throw new Error('Redis is down');
        },
      },
      portalSessions: { destroyAllForUser: async (id) => (calls.push(`sessions ${id}`), 0) },
      credentialCache: { purgeUser: async () => 0, purgePair: async () => 0, purgeAll: async () => 0 },
      snapshots: { forgetSnapshots: () => void calls.push('snapshots') },
      preferences: { forget: async () => undefined },
    });
    const error = await bus.publish([{ type: 'user.deleted', userId: 'u1' }]).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).to.equal('Redis is down');
    expect(calls).to.deep.equal(['sessions u1', 'snapshots']);
  });
});
