// Groups and identity against a private slapd: membership through groupOfNames and
// groupOfUniqueNames, nested groups (with a cycle and a depth limit), the memberOf overlay, removal
// taking effect at the very next lookup, ids that survive renames, and searching the directory
// for principals with names that need escaping.

import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { LdapIdentitySource } from '../../directory/ldap/ldap-identity-source.ts';
import type { LdapSettingsInput } from '../../directory/ldap/settings.ts';
import { ValidationError } from '../../model/errors.ts';
import type { User } from '../../model/types.ts';
import type { SqlStores } from '../../store/stores.ts';
import { GROUPS, JUERGEN_PASSWORD, ldapSource, openLdapSettings, openTestStores, passwordOf, PEOPLE } from '../support/ldap-seed/fixtures.ts';
import { startSlapd, type PrivateSlapd } from '../support/slapd.ts';

describe('LDAP groups and identity', () => {
  let slapd: PrivateSlapd;
  let stores: SqlStores;

  before(async () => {
    slapd = await startSlapd();
    stores = await openTestStores();
  });
  after(async () => {
    await stores?.close();
    await slapd?.close();
  });

  const sourceWith = (overrides: Partial<LdapSettingsInput> = {}): LdapIdentitySource => ldapSource(openLdapSettings(slapd, overrides), stores);

  async function signIn(source: LdapIdentitySource, name: string, password = passwordOf(name)): Promise<User> {
    const result = await source.authenticate(name, password);
    if (!result.ok) throw new Error(`${name} could not sign in: ${result.reason}`);
    return result.user;
  }

  async function groupNames(source: LdapIdentitySource, name: string, password?: string): Promise<string[]> {
    return (await source.groupsOf(await signIn(source, name, password))).map((g) => g.displayName);
  }

  describe('member mode (groupOfNames member holds the user DN)', () => {
    it("lists a user's direct groups, as LDAP groups with stable ids", async () => {
      const source = sourceWith();
      const alice = await signIn(source, 'alice');
      const first = await source.groupsOf(alice);
      expect(first.map((g) => g.displayName)).to.deep.equal(['engineering', 'ops']);
      expect(first.every((g) => g.source === 'ldap')).to.equal(true);
      expect(first.find((g) => g.displayName === 'ops')?.description).to.equal('Operations');
      const again = await source.groupsOf(alice);
      expect(again.map((g) => g.id)).to.deep.equal(first.map((g) => g.id));
      // Recorded in SQL, keyed on the group's entryUUID.
      const ops = first.find((g) => g.displayName === 'ops')!;
      expect((await stores.directory.getGroupByExternalId('ldap', ops.externalId!))?.id).to.equal(ops.id);
    });

    it('follows groupOfUniqueNames when uniqueMember is configured', async () => {
      expect(await groupNames(sourceWith({ memberAttributes: ['member', 'uniqueMember'] }), 'alice')).to.deep.equal([
        'auditors',
        'engineering',
        'ops',
      ]);
    });

    it('includes the groups a group belongs to (platform is inside engineering)', async () => {
      expect(await groupNames(sourceWith(), 'carol')).to.deep.equal(['engineering', 'platform']);
    });

    it('ends on a cycle of groups containing each other as soon as it comes round, not at the depth limit', async () => {
      const source = sourceWith();
      const bob = await signIn(source, 'bob');
      const mark = slapd.log().length;
      expect((await source.groupsOf(bob)).map((g) => g.displayName)).to.deep.equal(['cycle-a', 'cycle-b', 'ops']);
      await new Promise((r) => setTimeout(r, 50));
      // Re-reading bob, then one search per level: {ops, cycle-a}, {cycle-b}, {} (cycle-a seen before).
      // Walking round the cycle until nestedGroupDepth (10) would take 12.
      expect(slapd.log().slice(mark).match(/ SRCH base=/g)).to.have.length(4);
    });

    it('follows nesting only as deep as configured', async () => {
      expect(await groupNames(sourceWith({ nestedGroupDepth: 0 }), 'frank')).to.deep.equal(['level1']);
      expect(await groupNames(sourceWith({ nestedGroupDepth: 2 }), 'frank')).to.deep.equal(['level1', 'level2', 'level3']);
      expect(await groupNames(sourceWith(), 'frank')).to.deep.equal(['level1', 'level2', 'level3', 'level4']);
    });

    it('finds groups of users whose DNs need escaping', async () => {
      const source = sourceWith();
      expect(await groupNames(source, 'back\\slash')).to.deep.equal(['qa (night*shift)']);
      expect(await groupNames(source, 'jürgen', JUERGEN_PASSWORD)).to.deep.equal(['qa (night*shift)']);
    });

    it('gives a user in no group no groups', async () => {
      expect(await groupNames(sourceWith(), 'dave')).to.deep.equal([]);
    });
  });

  describe('memberOf mode (the memberof overlay writes memberOf on users and groups)', () => {
    it('lists direct and nested groups from memberOf, ending on cycles', async () => {
      const source = sourceWith({ groupMembership: 'memberOf', groupFilter: '(objectClass=groupOfNames)' });
      expect(await groupNames(source, 'alice')).to.deep.equal(['engineering', 'ops']);
      expect(await groupNames(source, 'carol')).to.deep.equal(['engineering', 'platform']);
      expect(await groupNames(source, 'bob')).to.deep.equal(['cycle-a', 'cycle-b', 'ops']);
      expect(await groupNames(source, 'dave')).to.deep.equal([]);
    });

    it('gives the same group ids as member mode', async () => {
      const viaMember = await sourceWith().groupsOf(await signIn(sourceWith(), 'carol'));
      const viaMemberOf = await sourceWith({ groupMembership: 'memberOf' }).groupsOf(await signIn(sourceWith(), 'carol'));
      expect(viaMemberOf.map((g) => g.id)).to.deep.equal(viaMember.map((g) => g.id));
    });
  });

  it('drops a group at the next lookup after the directory removes the user from it, with no restart', async () => {
    const source = sourceWith();
    const memberOfSource = sourceWith({ groupMembership: 'memberOf' });
    const gina = await signIn(source, 'gina');
    expect((await source.groupsOf(gina)).map((g) => g.displayName)).to.deep.equal(['support']);
    expect((await memberOfSource.groupsOf(gina)).map((g) => g.displayName)).to.deep.equal(['support']);

    await slapd.ldapmodify(`dn: cn=support,${GROUPS}\nchangetype: modify\ndelete: member\nmember: uid=gina,${PEOPLE}\n`);

    expect(await source.groupsOf(gina)).to.deep.equal([]);
    expect(await memberOfSource.groupsOf(gina)).to.deep.equal([]);
    // Signing in again still works; the group is simply gone.
    expect(await source.groupsOf(await signIn(source, 'gina'))).to.deep.equal([]);
  });

  it('keeps user and group ids when the directory renames them (modrdn)', async () => {
    const source = sourceWith();
    const before = await signIn(source, 'henry');
    const groupsBefore = await source.groupsOf(before);
    expect(groupsBefore.map((g) => g.displayName)).to.deep.equal(['ops', 'tools']);

    await slapd.ldapmodify(
      [
        `dn: uid=henry,${PEOPLE}`,
        'changetype: modrdn',
        'newrdn: uid=harry',
        'deleteoldrdn: 1',
        '',
        `dn: cn=tools,${GROUPS}`,
        'changetype: modrdn',
        'newrdn: cn=tooling',
        'deleteoldrdn: 1',
        '',
      ].join('\n'),
    );

    expect(await source.authenticate('henry', passwordOf('henry'))).to.deep.equal({ ok: false, reason: 'unknown-user' });
    const after = await signIn(source, 'harry', passwordOf('henry'));
    expect(after.id).to.equal(before.id);
    expect(after.userName).to.equal('harry');
    expect(await stores.directory.getUserByName('henry')).to.equal(null);
    expect((await stores.directory.getUserByName('harry'))?.id).to.equal(before.id);

    // The stale record from before the rename still finds the user (by entryUUID, not by DN).
    const groupsAfter = await source.groupsOf(before);
    expect(groupsAfter.map((g) => g.displayName)).to.deep.equal(['ops', 'tooling']);
    expect(groupsAfter.map((g) => g.id)).to.deep.equal(groupsBefore.map((g) => g.id));
    expect((await source.getUser(before.id))?.userName).to.equal('harry');
  });

  it('gives a user name back to the entry that now has it, parking the stale holder', async () => {
    // twin1 is renamed away and twin2 takes the name "twin1": the stored copy of the old twin1
    // must not block the new one, and the old one keeps its id under its own new name.
    const source = sourceWith();
    const oldTwin1 = await signIn(source, 'twin1');
    const oldTwin2 = await signIn(source, 'twin2');
    await slapd.ldapmodify(
      [
        `dn: uid=twin1,${PEOPLE}`, 'changetype: modrdn', 'newrdn: uid=twin0', 'deleteoldrdn: 1', '',
        `dn: uid=twin2,${PEOPLE}`, 'changetype: modrdn', 'newrdn: uid=twin1', 'deleteoldrdn: 1', '',
      ].join('\n'),
    );
    const newTwin1 = await signIn(source, 'twin1', passwordOf('twin2'));
    expect(newTwin1.id).to.equal(oldTwin2.id);
    const twin0 = await signIn(source, 'twin0', passwordOf('twin1'));
    expect(twin0.id).to.equal(oldTwin1.id);
    expect(twin0.userName).to.equal('twin0');
  });

  it('forgets a user deleted from the directory', async () => {
    const source = sourceWith();
    const admin = await signIn(source, 'admin');
    await slapd.ldapmodify(`dn: uid=admin,${PEOPLE}\nchangetype: delete\n`);
    expect(await source.getUser(admin.id)).to.equal(null);
    expect(await source.groupsOf(admin)).to.deep.equal([]);
    expect(await source.findUserByName('admin')).to.equal(null);
  });

  it('has no groups or users for principals of another source', async () => {
    const source = sourceWith();
    const builtin = await stores.directory.createUser({
      id: randomUUID(),
      userName: `builtin-${randomUUID()}`,
      displayName: 'Built In',
      name: {},
      emails: [],
      attributes: {},
      enabled: true,
      isAdmin: true,
      source: 'builtin',
      externalId: null,
    });
    expect(await source.groupsOf(builtin)).to.deep.equal([]);
    expect(await source.getUser(builtin.id)).to.equal(null);
  });

  describe('searching the directory for principals', () => {
    it('matches search text literally, wildcards and parentheses included', async () => {
      const source = sourceWith();
      expect((await source.searchUsers('*', 50)).map((u) => u.userName)).to.deep.equal(['star*user']);
      expect((await source.searchUsers('(', 50)).map((u) => u.userName)).to.deep.equal(['paren(user)']);
      expect((await source.searchUsers('\\', 50)).map((u) => u.userName)).to.deep.equal(['back\\slash']);
      expect((await source.searchUsers('*)(uid=*', 50)).map((u) => u.userName)).to.deep.equal([]);
      expect((await source.searchGroups('*', 50)).map((g) => g.displayName)).to.deep.equal(['qa (night*shift)']);
      expect((await source.searchGroups('night*shift)', 50)).map((g) => g.displayName)).to.deep.equal(['qa (night*shift)']);
    });

    it('matches part of a name, display name or e-mail, case-insensitively, within the limit', async () => {
      const source = sourceWith();
      expect((await source.searchUsers('LIDDELL', 50)).map((u) => u.userName)).to.deep.equal(['alice']);
      expect((await source.searchUsers('carol@example', 50)).map((u) => u.userName)).to.deep.equal(['carol']);
      expect((await source.searchUsers('müller', 50)).map((u) => u.userName)).to.deep.equal(['jürgen']);
      expect(await source.searchUsers('', 3)).to.have.length(3);
      expect((await source.searchGroups('level', 50)).map((g) => g.displayName)).to.deep.equal(['level1', 'level2', 'level3', 'level4']);
      expect(await source.searchGroups('level', 2)).to.have.length(2);
    });

    it('gives found principals the ids sign-in gives', async () => {
      const source = sourceWith();
      const carol = await signIn(source, 'carol');
      expect((await source.searchUsers('carol', 10)).find((u) => u.userName === 'carol')?.id).to.equal(carol.id);
      const platform = (await source.groupsOf(carol)).find((g) => g.displayName === 'platform');
      expect((await source.searchGroups('platform', 10))[0]?.id).to.equal(platform?.id);
    });

    it('refuses over-long search text', async () => {
      const error = await sourceWith().searchUsers('x'.repeat(10_000), 10).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ValidationError);
    });
  });
});
