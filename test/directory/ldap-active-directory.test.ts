// Active Directory code paths against slapd, over the seed's ou=corp entries that carry AD's own
// attributes (test/support/ldap-seed/ad-like.schema): sAMAccountName and userPrincipalName sign-in,
// the binary objectGUID as the external id (checked against GUIDs Python's uuid module wrote with
// bytes_le), userAccountControl's ACCOUNTDISABLE bit, memberOf groups, and the single
// LDAP_MATCHING_RULE_IN_CHAIN search (which OpenLDAP does not implement, so it is checked on a
// recording session).

import { expect } from 'chai';
import type { Entry, Filter } from 'ldapts';
import { groupsOfDn } from '../../directory/ldap/group-membership.ts';
import type { LdapSession, SearchOptions } from '../../directory/ldap/session.ts';
import type { SqlStores } from '../../store/stores.ts';
import { activeDirectoryLikeSettings, CORP_GROUPS, CORP_USERS, ldapSource, openTestStores, passwordOf } from '../support/ldap-seed/fixtures.ts';
import { startSlapd, type PrivateSlapd } from '../support/slapd.ts';

/** GUID strings of the seed's objectGUID values, as AD tools print them. */
const GUIDS = {
  jdoe: '1f0e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
  mlocked: '2a2b2c2d-3a3b-4c4d-8e8f-909192939495',
  domainStaff: '3c3d3e3f-4041-4243-8445-464748494a4b',
  helpdesk: '4d4e4f50-5152-5354-9556-5758595a5b5c',
};

describe('LDAP with Active Directory attributes', () => {
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

  it('signs in by sAMAccountName, keyed on objectGUID written as a GUID string', async () => {
    const source = ldapSource(activeDirectoryLikeSettings(slapd), stores);
    const result = await source.authenticate('jdoe', passwordOf('jdoe'));
    expect(result.ok).to.equal(true);
    if (!result.ok) return;
    expect(result.user).to.include({ userName: 'jdoe', displayName: 'John Doe', externalId: GUIDS.jdoe, isAdmin: false });
    expect(result.user.attributes).to.deep.equal({ upn: 'jdoe@corp.example.org' });
    // Re-reading by id searches for the 16 raw bytes of the GUID.
    expect((await source.getUser(result.user.id))?.userName).to.equal('jdoe');
  });

  it('signs in by userPrincipalName as the same user', async () => {
    const bySam = await ldapSource(activeDirectoryLikeSettings(slapd), stores).authenticate('jdoe', passwordOf('jdoe'));
    const byUpn = await ldapSource(
      activeDirectoryLikeSettings(slapd, { loginAttribute: 'userPrincipalName', attributes: { idAttribute: 'objectGUID', userName: 'sAMAccountName' } }),
      stores,
    ).authenticate('JDoe@Corp.Example.org', passwordOf('jdoe'));
    expect(byUpn.ok && byUpn.user.id).to.equal(bySam.ok && bySam.user.id);
  });

  it('refuses an account with the ACCOUNTDISABLE bit (userAccountControl 514) without trying its bind', async () => {
    const source = ldapSource(activeDirectoryLikeSettings(slapd), stores);
    const mark = slapd.log().length;
    expect(await source.authenticate('mlocked', passwordOf('mlocked'))).to.deep.equal({ ok: false, reason: 'disabled' });
    await new Promise((r) => setTimeout(r, 50));
    expect(slapd.log().slice(mark)).not.to.include('BIND dn="cn=Mary Locked');
    // With no disabled rule the same account signs in: the refusal came from the bit.
    const lax = ldapSource(activeDirectoryLikeSettings(slapd, { disabled: { kind: 'none' } }), stores);
    const result = await lax.authenticate('mlocked', passwordOf('mlocked'));
    expect(result.ok && result.user.externalId).to.equal(GUIDS.mlocked);
  });

  it('lists memberOf groups, nested included, keyed on their objectGUIDs', async () => {
    const source = ldapSource(activeDirectoryLikeSettings(slapd), stores);
    const result = await source.authenticate('jdoe', passwordOf('jdoe'));
    if (!result.ok) throw new Error('jdoe cannot sign in');
    const groups = await source.groupsOf(result.user);
    expect(groups.map((g) => [g.displayName, g.externalId])).to.deep.equal([
      ['Domain Staff', GUIDS.domainStaff],
      ['Helpdesk', GUIDS.helpdesk],
    ]);
    // member mode over the same entries gives the same groups.
    const viaMember = await ldapSource(activeDirectoryLikeSettings(slapd, { groupMembership: 'member' }), stores).groupsOf(result.user);
    expect(viaMember.map((g) => g.id)).to.deep.equal(groups.map((g) => g.id));
  });

  it('asks AD for nested membership with one LDAP_MATCHING_RULE_IN_CHAIN search on the user DN', async () => {
    const settings = activeDirectoryLikeSettings(slapd, { groupMembership: 'ad-in-chain', groupFilter: '(objectClass=group)' });
    const calls: Array<{ base: string; filter: string; options: SearchOptions | undefined }> = [];
    const helpdesk: Entry = { dn: `CN=Helpdesk,${CORP_GROUPS}`, cn: 'Helpdesk', objectGUID: Buffer.from('504f4e4d5251545395565758595a5b5c', 'hex') };
    const recording = {
      async search(base: string, filter: Filter, _attributes: string[], options?: SearchOptions) {
        calls.push({ base, filter: filter.toString(), options });
        return [helpdesk];
      },
    } as unknown as LdapSession;

    const userDn = `CN=Doe\\, John (IT),${CORP_USERS}`;
    const groups = await groupsOfDn(recording, settings, { dn: userDn, memberOf: [] });

    expect(calls).to.have.length(1);
    expect(calls[0]?.base).to.equal(CORP_GROUPS);
    // The DN travels as the assertion value: its comma escape and parentheses are escaped for the filter text.
    expect(calls[0]?.filter).to.equal(`(&(objectClass=group)(member:1.2.840.113556.1.4.1941:=CN=Doe\\5c, John \\28IT\\29,${CORP_USERS}))`);
    expect(calls[0]?.options?.paged).to.equal(true);
    expect(groups).to.deep.equal([{ dn: helpdesk.dn, externalId: GUIDS.helpdesk, displayName: 'Helpdesk', description: '' }]);
  });
});
