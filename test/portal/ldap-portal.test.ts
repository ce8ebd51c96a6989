// LDAP as the identity source, end to end: configured through the admin API, people sign in to
// the portal with their directory credentials, and accounts come through LDAP groups (nested too).
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { GROUPS, PEOPLE, passwordOf } from '../support/ldap-seed/fixtures.ts';
import { PortalClient } from '../support/portal-client.ts';
import { seedOrganization } from '../support/seed.ts';
import { startSlapd, type PrivateSlapd } from '../support/slapd.ts';

describe('LDAP identity source through the admin API and the portal', function () {
  this.timeout(60000);
  let slapd: PrivateSlapd;
  let gh: TestGatehouse;
  let settings: Record<string, unknown>;

  before(async () => {
    slapd = await startSlapd();
    gh = await startGatehouse();
    settings = {
      url: slapd.url,
      bindDn: slapd.bindDn,
      bindPassword: slapd.bindPassword,
      userBaseDn: PEOPLE,
      userFilter: '(objectClass=inetOrgPerson)',
      loginAttribute: 'uid',
      disabled: { kind: 'attribute-present', attribute: 'pwdAccountLockedTime' },
      groupBaseDn: GROUPS,
      groupFilter: '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))',
      groupMembership: 'member',
      connectTimeoutMs: 1000,
      operationTimeoutMs: 1000,
    };
  });
  after(async () => {
    await gh?.close();
    await slapd?.close();
  });

  it('tests a connection, reporting a wrong service password precisely, and stores settings without echoing the password', async () => {
    const bad = await gh.api('POST', '/identity-source/test', { ...settings, bindPassword: 'wrong-password' });
    expect(bad.status).to.equal(422);
    expect(bad.body.ok).to.equal(false);
    const failed = bad.body.steps.find((s: { ok: boolean }) => !s.ok);
    expect(failed.step).to.equal('bind');
    expect(failed.detail).to.include(slapd.bindDn).and.include('invalid credentials');

    const good = await gh.api('POST', '/identity-source/test?sampleUser=alice', settings);
    expect(good.status, JSON.stringify(good.body)).to.equal(200);
    expect(good.body.userCount).to.be.greaterThan(5);
    expect(good.body.groupCount).to.be.greaterThan(3);

    expect((await gh.api('GET', '/identity-source')).body).to.deep.equal({ kind: 'builtin', configuredBy: 'default' });
    const invalid = await gh.api('PUT', '/identity-source', { ...settings, url: 'http://not-ldap' });
    expect(invalid.status).to.equal(400);
    expect((await gh.api('GET', '/identity-source')).body.kind).to.equal('builtin');

    const put = await gh.api('PUT', '/identity-source', settings);
    expect(put.status, JSON.stringify(put.body)).to.equal(200);
    expect(put.body).to.include({ kind: 'ldap', configuredBy: 'api' });
    expect(JSON.stringify(put.body)).to.not.include(slapd.bindPassword);
    // Sealed at rest too.
    expect(JSON.stringify(await gh.services.sql.settings.get('identity-source'))).to.not.include(slapd.bindPassword);
    // Updating without the password keeps the stored one.
    const { bindPassword: _omitted, ...withoutPassword } = settings;
    expect((await gh.api('PUT', '/identity-source', { ...withoutPassword, operationTimeoutMs: 1500 })).status).to.equal(200);
    expect((await gh.api('POST', '/identity-source/test')).body.ok).to.equal(true);
  });

  it('signs LDAP users in to the portal, with accounts through an LDAP group and a nested group, and group removal taking effect at the next sign-in', async () => {
    await gh.api('PUT', '/identity-source', settings);
    const found = await gh.api('GET', '/identity-source/groups?q=engineering');
    const engineering = found.body.items.find((g: { displayName: string }) => g.displayName === 'engineering');
    expect(engineering.source).to.equal('ldap');
    const org = await seedOrganization(gh.services, {
      accounts: [{ accountId: '777788889999', name: 'Research' }],
      permissionSets: [{ name: 'Researcher' }],
    });
    const assign = await gh.api('POST', '/account-assignments', { accountId: '777788889999', permissionSetId: org.sets.Researcher!.id, principalType: 'GROUP', principalId: engineering.id });
    expect(assign.status).to.equal(201);

    // alice is a direct member of engineering; carol is in platform, which is inside engineering.
    for (const uid of ['alice', 'carol']) {
      const browser = new PortalClient(gh.baseUrl);
      expect((await browser.signIn(uid, passwordOf(uid))).status, uid).to.equal(303);
      expect((await browser.request('GET', '/start')).text, uid).to.include('Research');
      expect((await browser.federate('777788889999', 'Researcher')).fields.SAMLResponse, uid).to.be.a('string');
    }
    const dave = new PortalClient(gh.baseUrl);
    await dave.signIn('dave', passwordOf('dave'));
    expect((await dave.request('GET', '/start')).text).to.include('id="no-accounts"');

    // Wrong password and a locked account: the same refusal.
    expect((await new PortalClient(gh.baseUrl).signIn('alice', 'not-her-password')).status).to.equal(401);
    expect((await new PortalClient(gh.baseUrl).signIn('erin', passwordOf('erin'))).status).to.equal(401);

    const alice = new PortalClient(gh.baseUrl);
    await alice.signIn('alice', passwordOf('alice'));
    await slapd.ldapmodify(`dn: cn=engineering,${GROUPS}\nchangetype: modify\ndelete: member\nmember: uid=alice,${PEOPLE}\n`);
    try {
      expect((await alice.federate('777788889999', 'Researcher')).response.status).to.equal(403);
      const again = new PortalClient(gh.baseUrl);
      await again.signIn('alice', passwordOf('alice'));
      expect((await again.request('GET', '/start')).text).to.not.include('Research');
    } finally {
      await slapd.ldapmodify(`dn: cn=engineering,${GROUPS}\nchangetype: modify\nadd: member\nmember: uid=alice,${PEOPLE}\n`);
    }
  });

  it('counts every spelling of a directory name against one allowance, and signs in the trimmed name', async () => {
    await gh.api('PUT', '/identity-source', settings);
    // The directory matches these to frank (RFC 4518: outer spaces, case and compatibility forms do not count).
    expect((await new PortalClient(gh.baseUrl).signIn('  frank   ', passwordOf('frank'))).status).to.equal(303);
    const spellings = ['frank', 'frank ', ' frank', 'frank  ', 'FRANK', ' Frank ', 'ｆｒａｎｋ', '\tfrank', 'frank\u00a0', 'fRaNk'];
    for (const spelling of spellings) {
      expect((await new PortalClient(gh.baseUrl).signIn(spelling, 'not-franks-password')).status, JSON.stringify(spelling)).to.equal(401);
    }
    const blocked = await new PortalClient(gh.baseUrl).signIn('frank', passwordOf('frank'));
    expect(blocked.status).to.equal(429);
    expect(Number(blocked.headers.get('retry-after'))).to.be.within(1, 15 * 60);
  });

  it('costs a bind for an unknown name, as for a wrong password, without binding as anyone who exists', async () => {
    await gh.api('PUT', '/identity-source', settings);
    const bindsDuring = async (userName: string): Promise<string[]> => {
      const mark = slapd.log().length;
      expect((await new PortalClient(gh.baseUrl).signIn(userName, 'some-guess-123')).status).to.equal(401);
      await new Promise((r) => setTimeout(r, 50)); // slapd writes its log asynchronously
      return [...slapd.log().slice(mark).matchAll(/ BIND dn="([^"]*)" method=128/g)].map((m) => m[1]!);
    };
    const wrongPassword = await bindsDuring('gina');
    expect(wrongPassword).to.deep.equal([slapd.bindDn, `uid=gina,${PEOPLE}`]);
    const unknown = await bindsDuring('nobody-by-this-name');
    expect(unknown).to.have.length(2);
    expect(unknown[1]).to.match(new RegExp(`^cn=gatehouse-nobody-[0-9a-f]{16},${PEOPLE}$`));
  });

  it('answers 503 while the directory is down, without counting failures, and recovers when it is back', async () => {
    await gh.api('PUT', '/identity-source', settings);
    await slapd.stop();
    try {
      for (let i = 0; i < 12; i++) {
        const res = await new PortalClient(gh.baseUrl).signIn('bob', passwordOf('bob'));
        expect(res.status).to.equal(503);
        expect(res.text).to.include('Temporarily unavailable');
      }
    } finally {
      await slapd.start();
    }
    // Twelve 503s are not twelve failures: bob is not throttled.
    expect((await new PortalClient(gh.baseUrl).signIn('bob', passwordOf('bob'))).status).to.equal(303);
  });
});
