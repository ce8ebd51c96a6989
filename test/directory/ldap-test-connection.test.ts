// "Test connection" and TLS against a private slapd that also serves ldaps:// and StartTLS with a
// throwaway CA: what the report finds when all is well, which step fails and how it says so when
// something is wrong, and sign-in over TLS with certificate checks on.

import { expect } from 'chai';
import { parseLdapSettings } from '../../directory/ldap/settings.ts';
import { testConnection, type ConnectionReport } from '../../directory/ldap/test-connection.ts';
import { UnavailableError } from '../../model/errors.ts';
import type { SqlStores } from '../../store/stores.ts';
import { activeDirectoryLikeSettings, ldapSource, openLdapSettings, openTestStores, passwordOf, PEOPLE } from '../support/ldap-seed/fixtures.ts';
import { startSlapd, type PrivateSlapd } from '../support/slapd.ts';

describe('LDAP test connection and TLS', () => {
  let slapd: PrivateSlapd;
  let stores: SqlStores;

  before(async () => {
    slapd = await startSlapd({ tls: true });
    stores = await openTestStores();
  });
  after(async () => {
    await stores?.close();
    await slapd?.close();
  });

  const failedStep = (report: ConnectionReport) => report.steps.find((s) => !s.ok);

  describe('testConnection', () => {
    it('reports the users, groups and a sample user with their nested groups', async () => {
      const report = await testConnection(openLdapSettings(slapd), { sampleLoginName: 'carol' });
      expect(report.ok).to.equal(true);
      expect(report.steps.map((s) => [s.step, s.ok])).to.deep.equal([
        ['connect', true],
        ['bind', true],
        ['users', true],
        ['groups', true],
        ['sample', true],
      ]);
      // seed.ldif: 15 inetOrgPerson entries under ou=people; 13 groups (one groupOfUniqueNames) under ou=groups.
      expect(report.userCount).to.equal(15);
      expect(report.groupCount).to.equal(13);
      expect(report.steps.find((s) => s.step === 'users')?.detail).to.include('15 users');
      expect(report.sampleUser).to.include({ userName: 'carol', dn: `uid=carol,${PEOPLE}`, email: 'carol@example.org', enabled: true });
      expect(report.sampleUser?.externalId).to.match(/^[0-9a-f-]{36}$/);
      expect(report.sampleUserGroups).to.deep.equal(['engineering', 'platform']);
      expect(report.steps[0]?.detail).to.include('passwords unencrypted');
    });

    it('samples the first user when no name is given, and counts AD-style entries', async () => {
      const report = await testConnection(activeDirectoryLikeSettings(slapd));
      expect(report.ok).to.equal(true);
      expect(report.userCount).to.equal(2);
      expect(report.groupCount).to.equal(2);
      expect(report.sampleUser?.userName).to.be.oneOf(['jdoe', 'mlocked']);
      expect(report.sampleUserGroups).to.deep.equal(['Domain Staff', 'Helpdesk']);
    });

    it('says the service bind failed, and why, for a wrong service password', async () => {
      const report = await testConnection(openLdapSettings(slapd, { bindPassword: 'wrong-service-password' }));
      expect(report.ok).to.equal(false);
      expect(report.steps.map((s) => s.step)).to.deep.equal(['connect', 'bind']);
      expect(failedStep(report)).to.deep.equal({
        step: 'bind',
        ok: false,
        detail: `bind as ${slapd.bindDn} failed: invalid credentials (LDAP result 49)`,
      });
      expect(report.userCount).to.equal(null);
      expect(JSON.stringify(report)).not.to.include('wrong-service-password');
    });

    it('says the connection failed for a port nobody listens on', async () => {
      const report = await testConnection(openLdapSettings(slapd, { url: 'ldap://127.0.0.1:1' }));
      expect(report.ok).to.equal(false);
      expect(failedStep(report)?.step).to.equal('connect');
      expect(failedStep(report)?.detail).to.match(/^connect to 127\.0\.0\.1:1 failed: .*ECONNREFUSED/);
    });

    it('names the user search that failed for a base DN that does not exist', async () => {
      const report = await testConnection(openLdapSettings(slapd, { userBaseDn: 'ou=nobody,dc=example,dc=org' }));
      expect(failedStep(report)?.step).to.equal('users');
      expect(failedStep(report)?.detail).to.equal(
        'search for users under ou=nobody,dc=example,dc=org failed: no such object (LDAP result 32)',
      );
    });

    it('says so when the sample user does not exist', async () => {
      const report = await testConnection(openLdapSettings(slapd), { sampleLoginName: 'nobody*' });
      expect(failedStep(report)?.step).to.equal('sample');
      expect(failedStep(report)?.detail).to.include('no user has uid = nobody*');
      expect(report.userCount).to.equal(15);
    });

    it('says the certificate was refused for ldaps:// to a server signed by an unknown CA', async () => {
      const report = await testConnection(openLdapSettings(slapd, { url: slapd.ldapsUrl! }));
      expect(failedStep(report)?.step).to.equal('connect');
      expect(failedStep(report)?.detail).to.match(/certificate/i);
    });

    it('goes through StartTLS and ldaps:// with the CA given', async () => {
      const ca = slapd.caCertificatePem!;
      const startTls = await testConnection(openLdapSettings(slapd, { startTls: true, caCertificatePem: ca }));
      expect(startTls.steps.map((s) => [s.step, s.ok])).to.deep.equal([
        ['connect', true],
        ['starttls', true],
        ['bind', true],
        ['users', true],
        ['groups', true],
        ['sample', true],
      ]);
      expect(startTls.steps[0]?.detail).not.to.include('unencrypted');
      const ldaps = await testConnection(openLdapSettings(slapd, { url: slapd.ldapsUrl!, caCertificatePem: ca }));
      expect(ldaps.ok).to.equal(true);
      expect(ldaps.steps[0]?.detail).to.include('over TLS');
    });

    it('says StartTLS failed when the CA is unknown', async () => {
      const report = await testConnection(openLdapSettings(slapd, { startTls: true }));
      expect(failedStep(report)?.step).to.equal('starttls');
      expect(failedStep(report)?.detail).to.match(/^StartTLS failed: .*certificate/i);
    });
  });

  describe('sign-in over TLS', () => {
    it('signs in over ldaps:// and StartTLS when the CA is given', async () => {
      const ca = slapd.caCertificatePem!;
      for (const overrides of [{ url: slapd.ldapsUrl!, caCertificatePem: ca }, { startTls: true, caCertificatePem: ca }]) {
        const result = await ldapSource(openLdapSettings(slapd, overrides), stores).authenticate('alice', passwordOf('alice'));
        expect(result.ok, JSON.stringify(overrides.url ?? 'starttls')).to.equal(true);
      }
    });

    it('refuses to talk to a server whose certificate it cannot verify (UnavailableError, not a failed sign-in)', async () => {
      for (const overrides of [{ url: slapd.ldapsUrl! }, { startTls: true }]) {
        const error = await ldapSource(openLdapSettings(slapd, overrides), stores)
          .authenticate('alice', passwordOf('alice'))
          .catch((e: unknown) => e);
        expect(error).to.be.instanceOf(UnavailableError);
        expect((error as Error).message).to.match(/certificate/i);
      }
    });

    it('connects without verification only when tlsVerify is off', async () => {
      const result = await ldapSource(openLdapSettings(slapd, { url: slapd.ldapsUrl!, tlsVerify: false }), stores).authenticate(
        'alice',
        passwordOf('alice'),
      );
      expect(result.ok).to.equal(true);
      const report = await testConnection(openLdapSettings(slapd, { url: slapd.ldapsUrl!, tlsVerify: false }));
      expect(report.steps[0]?.detail).to.include('certificate checks are off');
    });

    it('rejects StartTLS on an ldaps:// URL when the settings are parsed', () => {
      expect(() =>
        parseLdapSettings({ url: slapd.ldapsUrl, startTls: true, bindDn: 'cn=x', bindPassword: 'y', userBaseDn: 'dc=x', groupBaseDn: 'dc=x' }),
      ).to.throw(/startTls: StartTLS is for ldap:\/\/ URLs/);
    });
  });
});
