// Sign-in against a private slapd (test/support/slapd.ts, seed test/support/ldap-seed/seed.ldif):
// the shared identity-source contract, then what is particular to LDAP: hostile names are matched
// literally (the slapd log shows the escaped filter it received), empty passwords never reach the
// directory, disabled accounts are refused before any bind, and each entry maps to one stable user.

import { expect } from 'chai';
import type { LdapIdentitySource } from '../../directory/ldap/ldap-identity-source.ts';
import type { SqlStores } from '../../store/stores.ts';
import {
  capturingLogger,
  JUERGEN_PASSWORD,
  ldapSource,
  openLdapSettings,
  openTestStores,
  passwordOf,
  PEOPLE,
} from '../support/ldap-seed/fixtures.ts';
import { startSlapd, type PrivateSlapd } from '../support/slapd.ts';
import { identitySourceContract } from './identity-source.contract.ts';

identitySourceContract('LDAP (OpenLDAP slapd)', async () => {
  const slapd = await startSlapd();
  const stores = await openTestStores();
  return {
    source: ldapSource(openLdapSettings(slapd), stores),
    knownUser: { userName: 'alice', password: passwordOf('alice') },
    knownUserGroup: 'engineering',
    close: async () => {
      await stores.close();
      await slapd.close();
    },
  };
});

describe('LDAP sign-in', () => {
  let slapd: PrivateSlapd;
  let stores: SqlStores;
  let logger: ReturnType<typeof capturingLogger>;
  let source: LdapIdentitySource;

  before(async () => {
    slapd = await startSlapd();
    stores = await openTestStores();
  });
  beforeEach(() => {
    logger = capturingLogger();
    source = ldapSource(openLdapSettings(slapd), stores, logger);
  });
  after(async () => {
    await stores?.close();
    await slapd?.close();
  });

  /** What slapd logged while `action` ran. */
  async function slapdLogDuring(action: () => Promise<unknown>): Promise<string> {
    const mark = slapd.log().length;
    await action();
    await new Promise((r) => setTimeout(r, 50)); // slapd writes its log asynchronously
    return slapd.log().slice(mark);
  }

  async function entryUuidOf(uid: string): Promise<string> {
    const ldif = await slapd.ldapsearch(PEOPLE, `(uid=${uid})`, ['entryUUID']);
    const m = /^entryUUID: (.+)$/m.exec(ldif);
    if (!m) throw new Error(`no entryUUID for ${uid}:\n${ldif}`);
    return m[1]!;
  }

  it("signs alice in with her directory attributes, keyed on her entryUUID, as a non-admin without a stored password", async () => {
    const result = await source.authenticate('alice', passwordOf('alice'));
    expect(result.ok).to.equal(true);
    if (!result.ok) return;
    const user = result.user;
    expect(user).to.include({ userName: 'alice', displayName: 'Alice Liddell', source: 'ldap', isAdmin: false, enabled: true });
    expect(user.name).to.deep.equal({ givenName: 'Alice', familyName: 'Liddell' });
    expect(user.emails).to.deep.equal([{ value: 'alice@example.org', type: 'work', primary: true }]);
    expect(user.attributes).to.deep.equal({ department: 'Engineering', employeeNumber: '1001' });
    expect(user.externalId).to.equal(await entryUuidOf('alice'));

    const stored = await stores.directory.getUserByExternalId('ldap', user.externalId!);
    expect(stored?.id).to.equal(user.id);
    expect(await stores.directory.getPasswordHash(user.id)).to.equal(null);
  });

  it('matches the login name case-insensitively, as the directory does, to the same user', async () => {
    const lower = await source.authenticate('alice', passwordOf('alice'));
    const upper = await source.authenticate('ALICE', passwordOf('alice'));
    expect(upper.ok && upper.user.id).to.equal(lower.ok && lower.user.id);
  });

  it('refuses a wrong password, logging the reason but never the password', async () => {
    const wrong = 'Tr0ub4dor&3-not-alice';
    expect(await source.authenticate('alice', wrong)).to.deep.equal({ ok: false, reason: 'bad-password' });
    const line = logger.lines.find((l) => l.fields.event === 'ldap.signin.failure');
    expect(line?.fields).to.include({ reason: 'bad-password', userName: 'alice' });
    expect(logger.text()).not.to.include(wrong);

    await source.authenticate('alice', passwordOf('alice'));
    expect(logger.text()).not.to.include(passwordOf('alice'));
  });

  /** The DN of each bind request in a slapd log, in order. */
  const bindsIn = (log: string) => [...log.matchAll(/ BIND dn="([^"]*)" method=128/g)].map((m) => m[1]!);
  const NOBODY = /^cn=gatehouse-nobody-[0-9a-f]{16},ou=people,dc=example,dc=org$/;

  it('refuses an unknown user after as many binds as a wrong password costs, none of them as a person', async () => {
    const wrongPassword = bindsIn(await slapdLogDuring(() => source.authenticate('alice', 'not-alices-password-1')));
    expect(wrongPassword).to.deep.equal([slapd.bindDn, `uid=alice,${PEOPLE}`]);

    const log = await slapdLogDuring(async () => {
      expect(await source.authenticate('mallory', passwordOf('alice'))).to.deep.equal({ ok: false, reason: 'unknown-user' });
    });
    expect(log).to.include('(uid=mallory)');
    expect(log).not.to.match(/BIND dn="uid=/);
    const unknown = bindsIn(log);
    expect(unknown).to.have.length(wrongPassword.length);
    expect(unknown[0]).to.equal(slapd.bindDn);
    expect(unknown[1]).to.match(NOBODY);
  });

  it('binds as nobody for a disabled account and an ambiguous name too, never as the person', async () => {
    const disabled = bindsIn(await slapdLogDuring(() => source.authenticate('erin', 'not-erins-password-1')));
    expect(disabled).to.have.length(2);
    expect(disabled[1]).to.match(NOBODY);
    const byMail = ldapSource(openLdapSettings(slapd, { loginAttribute: 'mail', attributes: { userName: 'uid' } }), stores, logger);
    const ambiguous = bindsIn(await slapdLogDuring(() => byMail.authenticate('shared@example.org', passwordOf('twin1'))));
    expect(ambiguous).to.have.length(2);
    expect(ambiguous[1]).to.match(NOBODY);
  });

  describe('names built to break out of the filter', () => {
    const hostile: Array<[string, string]> = [
      ['*', '(uid=\\2A)'],
      ['*)(uid=*', '(uid=\\2A\\29\\28uid=\\2A)'],
      ['admin)(|(uid=*', '(uid=admin\\29\\28|\\28uid=\\2A)'],
      ['\\2a', '(uid=\\5C2a)'],
      ['alice*', '(uid=alice\\2A)'],
      ['al\u0000ice', '(uid=al\\00ice)'],
    ];
    for (const [name, onTheWire] of hostile) {
      it(`treats ${JSON.stringify(name)} as a literal name: nobody matches, no person is bound`, async () => {
        // With admin's own password: had the filter matched admin (or anyone), the bind would be tried.
        for (const password of [passwordOf('admin'), passwordOf('alice')]) {
          const log = await slapdLogDuring(async () => {
            expect(await source.authenticate(name, password)).to.deep.equal({ ok: false, reason: 'unknown-user' });
          });
          expect(log).to.include(`(&(objectClass=inetOrgPerson)${onTheWire})`);
          expect(log).to.include('nentries=0');
          expect(log).not.to.match(/BIND dn="uid=/);
        }
      });
    }

    it('refuses a 10 KB name at once, without asking the directory', async () => {
      const started = performance.now();
      const log = await slapdLogDuring(async () => {
        expect(await source.authenticate('a'.repeat(10 * 1024), passwordOf('alice'))).to.deep.equal({ ok: false, reason: 'unknown-user' });
        expect(await source.authenticate(`alice${'*'.repeat(10 * 1024)}`, passwordOf('alice'))).to.deep.equal({ ok: false, reason: 'unknown-user' });
      });
      expect(performance.now() - started).to.be.below(500);
      expect(log).not.to.include('ACCEPT');
      // The log keeps a bounded form of the name.
      for (const line of logger.lines) expect(String(line.fields.userName).length).to.be.below(120);
    });

    it('refuses a 10 KB password without asking the directory', async () => {
      const log = await slapdLogDuring(async () => {
        expect(await source.authenticate('alice', 'p'.repeat(10 * 1024))).to.deep.equal({ ok: false, reason: 'bad-password' });
      });
      expect(log).not.to.include('ACCEPT');
    });
  });

  it('refuses empty and whitespace-only passwords before opening any connection', async () => {
    const log = await slapdLogDuring(async () => {
      for (const password of ['', ' ', '   ', '\t', '\n', ' \t\r\n ']) {
        for (const name of ['alice', 'nobody', '*']) {
          expect(await source.authenticate(name, password)).to.deep.equal({ ok: false, reason: 'empty-password' });
        }
      }
    });
    expect(log).not.to.include('ACCEPT');
    expect(log).not.to.include('BIND');
    expect(logger.lines.filter((l) => l.fields.reason === 'empty-password')).to.have.length(18);
  });

  it('signs in users whose names need escaping, each as exactly themselves', async () => {
    for (const name of ['star*user', 'paren(user)', 'back\\slash']) {
      const result = await source.authenticate(name, passwordOf(name));
      expect(result.ok, name).to.equal(true);
      if (result.ok) expect(result.user.userName).to.equal(name);
      expect(await source.authenticate(name, passwordOf('alice')), name).to.deep.equal({ ok: false, reason: 'bad-password' });
    }
    // The wildcard in star*user's name is not a wildcard: "star" alone is nobody.
    expect(await source.authenticate('star', passwordOf('star*user'))).to.deep.equal({ ok: false, reason: 'unknown-user' });
  });

  it('signs in a user with non-ASCII name and password', async () => {
    const result = await source.authenticate('jürgen', JUERGEN_PASSWORD);
    expect(result.ok).to.equal(true);
    if (!result.ok) return;
    expect(result.user).to.include({ userName: 'jürgen', displayName: 'Jürgen Müller' });
    expect(result.user.name).to.deep.equal({ givenName: 'Jürgen', familyName: 'Müller' });
  });

  it('refuses a disabled (locked) account with its right password, without trying its bind', async () => {
    const log = await slapdLogDuring(async () => {
      expect(await source.authenticate('erin', passwordOf('erin'))).to.deep.equal({ ok: false, reason: 'disabled' });
    });
    expect(log).not.to.include('BIND dn="uid=erin');
    expect(logger.lines.find((l) => l.fields.reason === 'disabled')?.fields.dn).to.equal(`uid=erin,${PEOPLE}`);
  });

  it('refuses a login name two entries share, whichever password is given', async () => {
    const byMail = ldapSource(openLdapSettings(slapd, { loginAttribute: 'mail', attributes: { userName: 'uid' } }), stores, logger);
    for (const twin of ['twin1', 'twin2']) {
      expect(await byMail.authenticate('shared@example.org', passwordOf(twin))).to.deep.equal({ ok: false, reason: 'unknown-user' });
    }
    expect(logger.lines.some((l) => String(l.fields.detail).includes('ambiguous'))).to.equal(true);
    // A unique mail signs in, as the user whose userName is mapped from uid.
    const alice = await byMail.authenticate('alice@example.org', passwordOf('alice'));
    expect(alice.ok && alice.user.userName).to.equal('alice');
  });

  it('signs in only users inside the user base and filter', async () => {
    const engineersOnly = ldapSource(
      openLdapSettings(slapd, { userFilter: '(&(objectClass=inetOrgPerson)(departmentNumber=Engineering))' }),
      stores,
    );
    expect((await engineersOnly.authenticate('alice', passwordOf('alice'))).ok).to.equal(true);
    expect(await engineersOnly.authenticate('bob', passwordOf('bob'))).to.deep.equal({ ok: false, reason: 'unknown-user' });
    // The service account itself lives outside ou=people: it is nobody's login.
    expect(await source.authenticate('gatehouse-svc', slapd.bindPassword)).to.deep.equal({ ok: false, reason: 'unknown-user' });
  });

  it('records each user once however they are reached, and refreshes changed attributes', async () => {
    const viaSearch = (await source.searchUsers('dave', 10)).find((u) => u.userName === 'dave');
    const viaName = await source.findUserByName('dave');
    const viaSignIn = await source.authenticate('dave', passwordOf('dave'));
    expect(viaSearch?.id).to.be.a('string');
    expect(viaName?.id).to.equal(viaSearch?.id);
    expect(viaSignIn.ok && viaSignIn.user.id).to.equal(viaSearch?.id);

    await slapd.ldapmodify(`dn: uid=dave,${PEOPLE}\nchangetype: modify\nreplace: mail\nmail: dave@new.example.org\n`);
    const refreshed = await source.authenticate('dave', passwordOf('dave'));
    expect(refreshed.ok && refreshed.user.emails[0]?.value).to.equal('dave@new.example.org');
    expect((await stores.directory.getUser(viaSearch!.id))?.emails[0]?.value).to.equal('dave@new.example.org');
  });
});
