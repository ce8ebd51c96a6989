// GET /api/v1/applications/{id}/preview?userId=… : what a chosen user would receive, decided by the
// same code as a real sign-in: NameID by source (persistent is stable per app and opaque), the
// attribute mappings resolved from the directory, AWS roles for an external account, the signing
// and encryption settings, the assertion XML unsigned; or why the user would be refused.
import { DOMParser } from '@xmldom/xmldom';
import { expect } from 'chai';
import type { Application } from '../../model/types.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { rsaKey } from '../idp/inbound-fixtures.ts';
import { NAMEID_PERSISTENT, NAMEID_TRANSIENT, NAMEID_UNSPECIFIED, POST, assign, createApplication } from './fixtures.ts';

const NS_SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';

describe('assertion preview in the admin API', function () {
  this.timeout(60_000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let mapped: Application;
  let hostileUserId: string;

  before(async () => {
    gh = await startGatehouse();
    org = await seedOrganization(gh.services, {
      users: [
        { userName: 'alice', email: 'alice@example.com', displayName: 'Alice Liddell', attributes: { department: 'Research', costCenter: 'CC-7' } },
        { userName: 'nomail' },
      ],
      groups: [
        { name: 'Engineering', members: ['alice'] },
        { name: 'Admins', members: ['alice'] },
      ],
    });
    const hostile = await gh.services.users.create(
      {
        userName: 'mallory',
        displayName: 'x</saml:AttributeValue></saml:Attribute><saml:Attribute Name="role"><saml:AttributeValue>admin',
        name: { givenName: 'Mal"lory', familyName: "O'Reilly & <Sons>" },
        emails: [{ value: 'mallory@example.com', primary: true }],
        attributes: {},
        enabled: true,
        password: 'mallory-password-123',
      },
      'test',
    );
    hostileUserId = hostile.id;
    mapped = await createApplication(gh.services, {
      slug: 'mapped',
      nameIdFormat: NAMEID_PERSISTENT,
      nameIdSource: 'persistent',
      attributeMappings: [
        { name: 'email', value: '${user:email}' },
        { name: 'groups', value: '${user:groups}' },
        { name: 'department', value: '${user:attribute.department}' },
        { name: 'fullName', value: '${user:displayName} (${user:userName})' },
        { name: 'tier', value: 'gold' },
        { name: 'urn:oid:2.5.4.4', value: '${user:familyName}' },
        { name: 'missing', value: '${user:attribute.nothing}' },
      ],
      sessionDurationSeconds: 3600,
    });
    for (const userName of ['alice', 'nomail']) await assign(gh.services, mapped, { user: org.users[userName]!.id });
    await assign(gh.services, mapped, { user: hostileUserId });
  });
  after(async () => {
    await gh?.close();
  });

  const preview = (appId: string, userId: string, token?: string | null) => gh.api('GET', `/applications/${appId}/preview?userId=${encodeURIComponent(userId)}`, undefined, token);

  it('shows the NameID and the mapped attributes, and the assertion as the app would read it', async () => {
    const { status, body } = await preview(mapped.id, org.users.alice!.id);
    expect(status).to.equal(200);
    expect(body.wouldSignIn).to.equal(true);
    expect(body.audience).to.equal(mapped.entityId);
    expect(body.acs).to.equal(mapped.acs[0]!.url);
    expect(body.nameId.format).to.equal(NAMEID_PERSISTENT);
    expect(body.nameId.source).to.equal('persistent');
    const byName = Object.fromEntries((body.attributes as { name: string; values: string[]; nameFormat: string }[]).map((a) => [a.name, a]));
    expect(byName.email!.values).to.deep.equal(['alice@example.com']);
    expect(byName.groups!.values).to.deep.equal(['Admins', 'Engineering']);
    expect(byName.department!.values).to.deep.equal(['Research']);
    expect(byName.fullName!.values).to.deep.equal(['Alice Liddell (alice)']);
    expect(byName.tier!.values).to.deep.equal(['gold']);
    expect(byName['urn:oid:2.5.4.4']).to.equal(undefined);
    expect(byName.missing).to.equal(undefined);
    expect(byName.email!.nameFormat).to.equal('urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified');
    expect(body.signed).to.deep.equal({ response: true, assertion: true });
    expect(body.encryption.enabled).to.equal(false);

    const doc = new DOMParser().parseFromString(body.assertionXml, 'text/xml');
    const assertion = doc.documentElement!;
    expect(assertion.localName).to.equal('Assertion');
    expect(body.assertionXml).to.not.include('Signature');
    expect(doc.getElementsByTagNameNS(NS_SAML, 'NameID')[0]!.textContent).to.equal(body.nameId.value);
    expect(doc.getElementsByTagNameNS(NS_SAML, 'Audience')[0]!.textContent).to.equal(mapped.entityId);
    const groupValues = Array.from(doc.getElementsByTagNameNS(NS_SAML, 'Attribute')).find((a) => a.getAttribute('Name') === 'groups')!.getElementsByTagNameNS(NS_SAML, 'AttributeValue');
    expect(groupValues.length).to.equal(2);
    const statement = doc.getElementsByTagNameNS(NS_SAML, 'AuthnStatement')[0]!;
    const sessionEnd = Date.parse(statement.getAttribute('SessionNotOnOrAfter')!) - Date.parse(assertion.getAttribute('IssueInstant')!);
    expect(sessionEnd).to.equal(3600_000);
  });

  it('gives a persistent NameID that is stable per app, differs between apps and reveals nothing about the person', async () => {
    const other = await createApplication(gh.services, { nameIdFormat: NAMEID_PERSISTENT, nameIdSource: 'persistent' });
    await assign(gh.services, other, { user: org.users.alice!.id });
    const first = (await preview(mapped.id, org.users.alice!.id)).body.nameId.value as string;
    const again = (await preview(mapped.id, org.users.alice!.id)).body.nameId.value as string;
    const elsewhere = (await preview(other.id, org.users.alice!.id)).body.nameId.value as string;
    expect(first).to.equal(again);
    expect(first).to.not.equal(elsewhere);
    for (const id of [first, elsewhere]) {
      expect(id).to.match(/^[\w-]{43}$/);
      expect(id).to.not.include('alice');
      expect(id).to.not.include(org.users.alice!.id);
    }
  });

  it('gives the userName, a fresh transient value, or the email by the app\'s NameID source', async () => {
    const byName = await createApplication(gh.services, { nameIdFormat: NAMEID_UNSPECIFIED, nameIdSource: 'userName' });
    const transient = await createApplication(gh.services, { nameIdFormat: NAMEID_TRANSIENT, nameIdSource: 'transient' });
    for (const app of [byName, transient]) await assign(gh.services, app, { user: org.users.alice!.id });
    expect((await preview(byName.id, org.users.alice!.id)).body.nameId.value).to.equal('alice');
    const t1 = (await preview(transient.id, org.users.alice!.id)).body.nameId;
    const t2 = (await preview(transient.id, org.users.alice!.id)).body.nameId;
    expect(t1.value).to.not.equal(t2.value);
    expect(t1.note).to.match(/new random value on every sign-in/);
  });

  it('keeps hostile directory values as text in the assertion', async () => {
    const { body } = await preview(mapped.id, hostileUserId);
    const doc = new DOMParser().parseFromString(body.assertionXml, 'text/xml');
    const names = Array.from(doc.getElementsByTagNameNS(NS_SAML, 'Attribute')).map((a) => a.getAttribute('Name'));
    expect(names).to.not.include('role');
    const fullName = Array.from(doc.getElementsByTagNameNS(NS_SAML, 'Attribute')).find((a) => a.getAttribute('Name') === 'fullName')!;
    expect(fullName.getElementsByTagNameNS(NS_SAML, 'AttributeValue')[0]!.textContent).to.equal('x</saml:AttributeValue></saml:Attribute><saml:Attribute Name="role"><saml:AttributeValue>admin (mallory)');
    const familyName = Array.from(doc.getElementsByTagNameNS(NS_SAML, 'Attribute')).find((a) => a.getAttribute('Name') === 'urn:oid:2.5.4.4')!;
    expect(familyName.getAttribute('NameFormat')).to.equal('urn:oasis:names:tc:SAML:2.0:attrname-format:uri');
    expect(familyName.getElementsByTagNameNS(NS_SAML, 'AttributeValue')[0]!.textContent).to.equal("O'Reilly & <Sons>");
  });

  it('says why a user would be refused: not assigned, or no email for an email NameID', async () => {
    const emailApp = await createApplication(gh.services);
    const unassigned = await preview(emailApp.id, org.users.alice!.id);
    expect(unassigned.status).to.equal(200);
    expect(unassigned.body).to.deep.include({ wouldSignIn: false });
    expect(unassigned.body.refusal.code).to.equal('not-assigned');
    expect(unassigned.body).to.not.have.property('assertionXml');

    await assign(gh.services, emailApp, { user: org.users.nomail!.id });
    const noEmail = await preview(emailApp.id, org.users.nomail!.id);
    expect(noEmail.body.refusal.code).to.equal('no-email');
  });

  it('shows the encryption an app gets, and says so when encryption is on without a certificate', async () => {
    const spKey = await rsaKey('sp');
    const encrypted = await createApplication(gh.services, { encryptAssertion: true, encryptionCertificates: [spKey.certPem], signResponse: false });
    const noCert = await createApplication(gh.services, { encryptAssertion: true });
    for (const app of [encrypted, noCert]) await assign(gh.services, app, { user: org.users.alice!.id });
    const on = (await preview(encrypted.id, org.users.alice!.id)).body;
    expect(on.encryption).to.deep.equal({ enabled: true, contentAlgorithm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm', keyTransportAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p' });
    expect(on.signed).to.deep.equal({ response: false, assertion: true });
    expect(on.assertionXml).to.include('alice@example.com');
    const off = (await preview(noCert.id, org.users.alice!.id)).body;
    expect(off.encryption.enabled).to.equal(false);
    expect(off.encryption.note).to.match(/no encryption certificate/);
  });

  it('shows the AWS roles an external account would get', async () => {
    const account = '777788889999';
    const aws = await createApplication(gh.services, {
      kind: 'external-aws-account',
      entityId: 'urn:amazon:webservices',
      acs: [{ url: 'https://signin.aws.amazon.com/saml', binding: POST, index: 0, isDefault: true }],
      externalAwsAccount: { accountId: account, samlProviderName: 'Gatehouse', roles: [{ roleArn: `arn:aws:iam::${account}:role/Dev` }, { roleArn: `arn:aws:iam::${account}:role/Ops` }] },
      attributeMappings: [{ name: 'https://aws.amazon.com/SAML/Attributes/Role', value: `arn:aws:iam::${account}:role/Ops,arn:aws:iam::${account}:saml-provider/Gatehouse` }],
    });
    await assign(gh.services, aws, { user: org.users.alice!.id }, [`arn:aws:iam::${account}:role/Dev`]);
    const { body } = await preview(aws.id, org.users.alice!.id);
    expect(body.roleArns).to.deep.equal([`arn:aws:iam::${account}:role/Dev`]);
    const role = (body.attributes as { name: string; values: string[] }[]).find((a) => a.name === 'https://aws.amazon.com/SAML/Attributes/Role');
    expect(role?.values).to.deep.equal([`arn:aws:iam::${account}:role/Dev,arn:aws:iam::${account}:saml-provider/Gatehouse`]);
    expect(body.warnings.join(' ')).to.match(/ignored: AWS attributes come from the role assignments/);
    expect(body.audience).to.equal('urn:amazon:webservices');
  });

  it('is for administrators only, and answers 404 for an unknown app or user', async () => {
    expect((await preview(mapped.id, org.users.alice!.id, null)).status).to.equal(401);
    expect((await preview('app-0000000000000000', org.users.alice!.id)).status).to.equal(404);
    expect((await preview(mapped.id, 'u-missing')).status).to.equal(404);
    expect((await gh.api('GET', `/applications/${mapped.id}/preview`)).status).to.equal(400);
  });
});
