// The pure parts of the LDAP source: settings validation (what an administrator is told when a
// value is wrong), the objectGUID text form, the disabled rules, and how refused binds are read.

import { expect } from 'chai';
import { EqualityFilter, InvalidCredentialsError, UnwillingToPerformError, BusyError } from 'ldapts';
import { dnKey, isWithin } from '../../directory/ldap/group-membership.ts';
import { describeLdapError, userBindFailure } from '../../directory/ldap/ldap-errors.ts';
import { formatObjectGuid, parseObjectGuid } from '../../directory/ldap/object-guid.ts';
import { isDisabled } from '../../directory/ldap/profiles.ts';
import { parseLdapSettings, publicLdapSettings } from '../../directory/ldap/settings.ts';
import { ldapSettingsFromEnv } from '../../directory/ldap/settings-from-env.ts';
import { ValidationError } from '../../model/errors.ts';

const minimal = {
  url: 'ldap://ldap.example.org',
  bindDn: 'cn=svc,dc=example,dc=org',
  bindPassword: 's3cret',
  userBaseDn: 'ou=people,dc=example,dc=org',
  groupBaseDn: 'ou=groups,dc=example,dc=org',
};

function problemsOf(input: unknown): Record<string, string> {
  try {
    parseLdapSettings(input);
  } catch (e) {
    if (e instanceof ValidationError) return Object.fromEntries(e.problems.map((p) => [p.field, p.message]));
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('LDAP settings', () => {
  it('fills OpenLDAP-style defaults, with certificate checks on and userName from the login attribute', () => {
    const s = parseLdapSettings(minimal);
    expect(s).to.include({
      startTls: false,
      tlsVerify: true,
      loginAttribute: 'uid',
      userFilter: '(objectClass=inetOrgPerson)',
      groupFilter: '(objectClass=groupOfNames)',
      groupMembership: 'member',
      nestedGroupDepth: 10,
      connectTimeoutMs: 5000,
      operationTimeoutMs: 5000,
    });
    expect(s.attributes).to.deep.equal({
      userName: 'uid',
      displayName: 'displayName',
      givenName: 'givenName',
      familyName: 'sn',
      email: 'mail',
      idAttribute: 'entryUUID',
      custom: {},
    });
    expect(s.disabled).to.deep.equal({ kind: 'none' });
    expect(parseLdapSettings({ ...minimal, loginAttribute: 'sAMAccountName' }).attributes.userName).to.equal('sAMAccountName');
  });

  it('accepts a full Active Directory configuration', () => {
    const s = parseLdapSettings({
      ...minimal,
      url: 'ldaps://dc1.corp.example.com:636',
      caCertificatePem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      userFilter: '(&(objectCategory=person)(objectClass=user)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))',
      loginAttribute: 'sAMAccountName',
      attributes: { idAttribute: 'objectGUID', custom: { costCenter: 'extensionAttribute1' } },
      disabled: { kind: 'bit-set', attribute: 'userAccountControl', mask: 2 },
      groupFilter: '(objectClass=group)',
      groupMembership: 'ad-in-chain',
    });
    expect(s.groupMembership).to.equal('ad-in-chain');
    expect(s.attributes.custom).to.deep.equal({ costCenter: 'extensionAttribute1' });
  });

  it('names every bad field', () => {
    const problems = problemsOf({
      url: 'http://ldap.example.org',
      bindDn: '',
      userBaseDn: 'ou=people',
      groupBaseDn: 'ou=groups',
      userFilter: 'objectClass=person',
      groupFilter: '(&(objectClass=group)',
      loginAttribute: 'cn',
      attributes: { idAttribute: 'uid', displayName: 'display name' },
      connectTimeoutMs: 10,
    });
    expect(Object.keys(problems).sort()).to.deep.equal([
      'attributes.displayName',
      'attributes.idAttribute',
      'bindDn',
      'bindPassword',
      'connectTimeoutMs',
      'groupFilter',
      'loginAttribute',
      'url',
      'userFilter',
    ]);
    expect(problems.userFilter).to.include('not a valid LDAP filter');
    expect(problems.url).to.include('ldap://');
  });

  it('refuses URLs with a path, credentials or another scheme, and StartTLS on ldaps://', () => {
    for (const url of ['ldap://host/dc=example', 'ldap://user:pw@host', 'ldapi:///var/run/slapd', 'ldap://', 'host:389']) {
      expect(problemsOf({ ...minimal, url }), url).to.have.property('url');
    }
    expect(problemsOf({ ...minimal, url: 'ldaps://host', startTls: true })).to.have.property('startTls');
    expect(parseLdapSettings({ ...minimal, url: 'ldap://[::1]:1389/', startTls: true }).startTls).to.equal(true);
  });

  it('never hands the service password back', () => {
    const shown = publicLdapSettings(parseLdapSettings(minimal));
    expect(JSON.stringify(shown)).not.to.include('s3cret');
    expect(shown.bindPasswordSet).to.equal(true);
  });
});

describe('LDAP settings from the environment', () => {
  const env = {
    LDAP_URL: 'ldaps://dc1.corp.example.com',
    LDAP_BIND_DN: 'CN=gatehouse,OU=Service Accounts,DC=corp,DC=example,DC=com',
    LDAP_BIND_PASSWORD: 's3cret',
    LDAP_USER_BASE_DN: 'OU=Staff,DC=corp,DC=example,DC=com',
    LDAP_USER_FILTER: '(&(objectCategory=person)(objectClass=user))',
    LDAP_LOGIN_ATTRIBUTE: 'sAMAccountName',
    LDAP_ID_ATTRIBUTE: 'objectGUID',
    LDAP_CUSTOM_ATTRIBUTES: 'costCenter=extensionAttribute1, department=department',
    LDAP_DISABLED: 'bit:userAccountControl=2',
    LDAP_GROUP_BASE_DN: 'OU=Groups,DC=corp,DC=example,DC=com',
    LDAP_GROUP_FILTER: '(objectClass=group)',
    LDAP_GROUP_MEMBERSHIP: 'ad-in-chain',
    LDAP_TLS_VERIFY: 'true',
    LDAP_OPERATION_TIMEOUT_MS: '3000',
  };

  it('is null without LDAP_URL (the built-in directory is used)', () => {
    expect(ldapSettingsFromEnv({})).to.equal(null);
    expect(ldapSettingsFromEnv({ LDAP_URL: '' })).to.equal(null);
  });

  it('reads an Active Directory configuration', () => {
    const s = ldapSettingsFromEnv(env)!;
    expect(s).to.include({ loginAttribute: 'sAMAccountName', groupMembership: 'ad-in-chain', tlsVerify: true, operationTimeoutMs: 3000 });
    expect(s.attributes).to.include({ idAttribute: 'objectGUID', userName: 'sAMAccountName' });
    expect(s.attributes.custom).to.deep.equal({ costCenter: 'extensionAttribute1', department: 'department' });
    expect(s.disabled).to.deep.equal({ kind: 'bit-set', attribute: 'userAccountControl', mask: 2 });
  });

  it('names the variables that are wrong or missing', () => {
    try {
      ldapSettingsFromEnv({ ...env, LDAP_BIND_DN: '', LDAP_START_TLS: 'maybe', LDAP_DISABLED: 'whenever', LDAP_OPERATION_TIMEOUT_MS: '5s' });
      expect.fail('expected a ValidationError');
    } catch (e) {
      expect(e).to.be.instanceOf(ValidationError);
      expect((e as ValidationError).problems.map((p) => p.field).sort()).to.deep.equal([
        'LDAP_BIND_DN',
        'LDAP_DISABLED',
        'LDAP_OPERATION_TIMEOUT_MS',
        'LDAP_START_TLS',
      ]);
    }
  });
});

describe('objectGUID text form', () => {
  // Oracle: Python's uuid.UUID('1f0e2d3c-4b5a-6978-8796-a5b4c3d2e1f0').bytes_le, AD's byte order.
  const bytes = Buffer.from('3c2d0e1f5a4b78698796a5b4c3d2e1f0', 'hex');

  it('formats the first three fields little-endian, as AD tools print it', () => {
    expect(formatObjectGuid(bytes)).to.equal('1f0e2d3c-4b5a-6978-8796-a5b4c3d2e1f0');
  });

  it('parses back to the same 16 bytes, and refuses what is not a GUID', () => {
    expect(parseObjectGuid('1F0E2D3C-4B5A-6978-8796-A5B4C3D2E1F0')?.equals(bytes)).to.equal(true);
    expect(parseObjectGuid('1f0e2d3c-4b5a-6978-8796')).to.equal(null);
    expect(parseObjectGuid('*')).to.equal(null);
    expect(() => formatObjectGuid(Buffer.alloc(15))).to.throw(RangeError);
  });
});

describe('disabled rules', () => {
  const entry = { dn: 'uid=x', userAccountControl: '514', employeeType: 'Disabled', pwdAccountLockedTime: '000001010000Z' };

  it('reads the AD ACCOUNTDISABLE bit and nothing else', () => {
    const rule = { kind: 'bit-set', attribute: 'userAccountControl', mask: 2 } as const;
    expect(isDisabled(rule, entry)).to.equal(true);
    expect(isDisabled(rule, { dn: 'uid=x', userAccountControl: '512' })).to.equal(false);
    expect(isDisabled(rule, { dn: 'uid=x', useraccountcontrol: '66050' })).to.equal(true); // 0x10202, any letter case
    expect(isDisabled(rule, { dn: 'uid=x' })).to.equal(false);
  });

  it('checks presence and values case-insensitively', () => {
    expect(isDisabled({ kind: 'attribute-present', attribute: 'pwdAccountLockedTime' }, entry)).to.equal(true);
    expect(isDisabled({ kind: 'attribute-present', attribute: 'pwdAccountLockedTime' }, { dn: 'uid=x' })).to.equal(false);
    expect(isDisabled({ kind: 'attribute-equals', attribute: 'employeeType', value: 'disabled' }, entry)).to.equal(true);
    expect(isDisabled({ kind: 'attribute-equals', attribute: 'employeeType', value: 'contractor' }, entry)).to.equal(false);
  });
});

describe('refused binds', () => {
  it("reads Active Directory's data codes into log reasons", () => {
    const ad = (data: string) => new InvalidCredentialsError(`80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data ${data}, v4563`);
    expect(userBindFailure(ad('52e'))).to.equal('bad-password');
    expect(userBindFailure(ad('533'))).to.equal('disabled');
    expect(userBindFailure(ad('775'))).to.equal('locked');
    expect(userBindFailure(ad('532'))).to.equal('expired');
    expect(userBindFailure(ad('701'))).to.equal('expired');
    expect(userBindFailure(ad('773'))).to.equal('expired');
    expect(userBindFailure(new InvalidCredentialsError())).to.equal('bad-password');
    expect(userBindFailure(new UnwillingToPerformError())).to.equal('bad-password');
  });

  it('leaves directory faults to UnavailableError', () => {
    expect(userBindFailure(new BusyError())).to.equal(null);
    expect(userBindFailure(new Error('connect ECONNREFUSED 127.0.0.1:389'))).to.equal(null);
  });

  it('describes errors with the result name and the server diagnostic', () => {
    expect(describeLdapError(new InvalidCredentialsError())).to.equal('invalid credentials (LDAP result 49)');
    expect(describeLdapError(new InvalidCredentialsError('80090308: LdapErr: data 52e'))).to.equal(
      'invalid credentials (LDAP result 49): 80090308: LdapErr: data 52e',
    );
  });
});

describe('DN comparison', () => {
  it('ignores case and spaces around separators', () => {
    expect(dnKey('CN=Ops, OU=Groups , DC=Example,DC=org')).to.equal('cn=ops,ou=groups,dc=example,dc=org');
    expect(isWithin('cn=ops,ou=Groups,dc=example,dc=org', 'OU=groups, DC=example, DC=org')).to.equal(true);
    expect(isWithin('cn=ops,ou=othergroups,dc=example,dc=org', 'ou=groups,dc=example,dc=org')).to.equal(false);
  });

  it('builds equality filters that carry a value as data', () => {
    // What the filter text would say; on the wire the value is its own octet string.
    expect(new EqualityFilter({ attribute: 'uid', value: '*)(uid=*' }).toString()).to.equal('(uid=\\2a\\29\\28uid=\\2a)');
  });
});
