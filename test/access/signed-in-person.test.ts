// The one resolver of "the signed-in person, re-checked" (access/sessions/signed-in-person.ts),
// on real portal sessions in an embedded ephemeral store: the user is re-read from their identity
// source at every call, and a session whose user is disabled or gone ends on the spot. The portal,
// SAML, device and consent pages all go through it (their HTTP tests are in test/portal,
// test/saml and test/aws).
import { expect } from 'chai';
import { PortalSessionService } from '../../access/portal-sessions.ts';
import { activeUser, SignedInPeople } from '../../access/sessions/signed-in-person.ts';
import type { Group } from '../../model/types.ts';
import { asSource, MemorySource, tempEphemeralStore, user } from './people.ts';

describe('the signed-in person, re-checked (access/sessions/signed-in-person.ts)', () => {
  let ephemeral: ReturnType<typeof tempEphemeralStore>;
  let sessions: PortalSessionService;
  let source: MemorySource;
  let people: SignedInPeople;

  beforeEach(() => {
    ephemeral = tempEphemeralStore();
    sessions = new PortalSessionService(ephemeral.store);
    source = new MemorySource();
    people = new SignedInPeople({ sessions, identitySourceFor: () => asSource(source) });
  });
  afterEach(() => ephemeral.close());

  it('is signed out without a cookie, with an unknown one, and once the session has ended', async () => {
    expect(await people.resolve(undefined)).to.deep.equal({ status: 'signed-out' });
    expect(await people.resolve('no-such-session')).to.deep.equal({ status: 'signed-out' });
    source.users.set('u1', user('u1'));
    const { id } = await sessions.create(user('u1'), 60);
    await sessions.destroy(id);
    expect(await people.resolve(id)).to.deep.equal({ status: 'signed-out' });
  });

  it('gives the user as the identity source has them now, and reads their groups once, when asked', async () => {
    const alice = user('alice');
    source.users.set('alice', alice);
    const { id } = await sessions.create(alice, 60);
    // Renamed in the directory since sign-in: the re-read user is the one acted for.
    source.users.set('alice', { ...alice, displayName: 'Alice Renamed' });
    const team: Group = { id: 'g1', displayName: 'Team', description: '', source: 'builtin', externalId: null, createdAt: new Date(), updatedAt: new Date() };
    source.groups.set('alice', [team]);

    const check = await people.resolve(id);
    if (check.status !== 'signed-in') throw new Error(`expected signed-in, got ${check.status}`);
    expect(check.person.user.displayName).to.equal('Alice Renamed');
    expect(check.person.sessionId).to.equal(id);
    expect(check.person.session.userId).to.equal('alice');
    expect(source.groupReads).to.equal(0);
    expect(await check.person.groups()).to.deep.equal([team]);
    expect(await check.person.groups()).to.deep.equal([team]);
    expect(source.groupReads).to.equal(1);
  });

  it('ends the session of a user disabled since sign-in, on every node', async () => {
    const bob = user('bob');
    source.users.set('bob', bob);
    const { id } = await sessions.create(bob, 60);
    source.users.set('bob', { ...bob, enabled: false });
    expect(await people.resolve(id)).to.deep.equal({ status: 'ended' });
    // Gone from the shared store, not only refused here: enabling the user again does not revive it.
    expect(await sessions.get(id)).to.equal(null);
    source.users.set('bob', bob);
    expect(await people.resolve(id)).to.deep.equal({ status: 'signed-out' });
  });

  it('ends the session of a user removed from the identity source', async () => {
    source.users.set('carol', user('carol'));
    const { id, session } = await sessions.create(user('carol'), 60);
    source.users.delete('carol');
    expect(await people.recheck(id, session)).to.deep.equal({ status: 'ended' });
    expect(await sessions.get(id)).to.equal(null);
  });

  it('activeUser: the user when enabled, null when disabled or unknown', async () => {
    source.users.set('dave', user('dave'));
    source.users.set('erin', user('erin', { enabled: false }));
    expect((await activeUser(source, 'dave'))?.id).to.equal('dave');
    expect(await activeUser(source, 'erin')).to.equal(null);
    expect(await activeUser(source, 'nobody')).to.equal(null);
  });
});
