// The signed AWS Response, checked by parties nobody on the project wrote: @node-saml/node-saml
// as the service provider (configured only from our metadata's certificate) and xml-crypto's
// SignedXml (docs/aws-accounts.md; docs/security.md: "What a Response looks like"; "Only what is assigned, at that moment").
import { SAML } from '@node-saml/node-saml';
import type { Document, Element } from '@xmldom/xmldom';
import { expect } from 'chai';
import { ExclusiveCanonicalization, SignedXml } from 'xml-crypto';
import type { SigningKey } from '../../idp/keys.ts';
import {
  AWS_ATTR_PRINCIPAL_TAG_PREFIX,
  AWS_ATTR_ROLE,
  AWS_ATTR_ROLE_SESSION_NAME,
  AWS_ATTR_SESSION_DURATION,
  buildAwsSamlResponse,
  type AwsSamlResponseInput,
} from '../../idp/saml/aws-response.ts';
import { buildIdpMetadata } from '../../idp/saml/metadata.ts';
import { newSamlId } from '../../idp/saml/saml-id.ts';
import { ValidationError } from '../../model/errors.ts';
import { ACS, ADMIN_ROLE, BASE_URL, ENTITY_ID, NS, PROVIDER, READONLY_ROLE, baseInput, parseStrict } from './fixtures.ts';
import { fixtureSigningKey } from '../support/signing-keys.ts';

let key: SigningKey;
let sp: SAML;

/** The SP learns our certificate only from the metadata document, as a real SP would. */
function serviceProviderFromMetadata(metadataXml: string): SAML {
  const certs = parseStrict(metadataXml).getElementsByTagNameNS(NS.ds, 'X509Certificate');
  expect(certs.length).to.equal(1);
  return new SAML({
    idpCert: certs[0]!.textContent!,
    idpIssuer: ENTITY_ID,
    issuer: 'urn:amazon:webservices',
    audience: 'urn:amazon:webservices',
    callbackUrl: ACS,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
  });
}

const sign = (overrides: Partial<AwsSamlResponseInput> = {}) => buildAwsSamlResponse(baseInput(overrides), key);
const decode = (samlResponse: string) => Buffer.from(samlResponse, 'base64').toString('utf8');
const reencode = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

function attributeValues(doc: Document, name: string): string[] {
  const out: string[] = [];
  const attrs = doc.getElementsByTagNameNS(NS.saml, 'Attribute');
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i]!;
    if (a.getAttribute('Name') !== name) continue;
    const values = a.getElementsByTagNameNS(NS.saml, 'AttributeValue');
    for (let j = 0; j < values.length; j++) out.push(values[j]!.textContent ?? '');
  }
  return out;
}

/** Verifies every ds:Signature with the certificate alone; returns the IDs each one covers. */
function verifyAllSignatures(xml: string): string[] {
  const doc = parseStrict(xml);
  const signatures = doc.getElementsByTagNameNS(NS.ds, 'Signature');
  const covered: string[] = [];
  for (let i = 0; i < signatures.length; i++) {
    const verifier = new SignedXml({ publicCert: key.certificatePem });
    verifier.loadSignature(signatures[i]! as unknown as Node);
    expect(verifier.checkSignature(xml), `signature ${i} verifies`).to.equal(true);
    const refs = verifier.getReferences();
    expect(refs).to.have.length(1);
    covered.push(refs[0]!.uri!.replace(/^#/, ''));
  }
  return covered;
}

describe('idp/saml AWS Response', function () {
  this.timeout(30_000);

  before(async () => {
    key = await fixtureSigningKey();
    sp = serviceProviderFromMetadata(buildIdpMetadata({ baseUrl: BASE_URL, signingCertificates: [key.certificateDer] }));
  });

  it('is accepted by node-saml (both signatures required) and reads back the exact AWS attributes', async () => {
    const { samlResponse } = sign();
    const { profile, loggedOut } = await sp.validatePostResponseAsync({ SAMLResponse: samlResponse });
    expect(loggedOut).to.equal(false);
    expect(profile!.issuer).to.equal(ENTITY_ID);
    expect(profile!.nameID).to.equal('alice@example.com');
    expect(profile!.nameIDFormat).to.equal('urn:oasis:names:tc:SAML:2.0:nameid-format:persistent');
    expect(profile![AWS_ATTR_ROLE]).to.deep.equal([`${ADMIN_ROLE},${PROVIDER}`, `${READONLY_ROLE},${PROVIDER}`]);
    expect(profile![AWS_ATTR_ROLE_SESSION_NAME]).to.equal('alice@example.com');
    expect(profile![AWS_ATTR_SESSION_DURATION]).to.equal('3600');
    expect(profile![`${AWS_ATTR_PRINCIPAL_TAG_PREFIX}department`]).to.equal('Engineering');
    expect(profile![`${AWS_ATTR_PRINCIPAL_TAG_PREFIX}costCenter`]).to.equal('CC-1234');
  });

  it('is rejected by node-saml when one byte of a Role value changes', async () => {
    const xml = decode(sign().samlResponse);
    const tampered = xml.replace('Gatehouse_ReadOnly_', 'Gatehouse_ReadOnlz_');
    expect(tampered).to.not.equal(xml);
    let error: unknown;
    try {
      await sp.validatePostResponseAsync({ SAMLResponse: reencode(tampered) });
    } catch (e) {
      error = e;
    }
    expect(error, 'tampered response must be refused').to.be.instanceOf(Error);
    // And xml-crypto agrees: the assertion's digest no longer matches.
    const doc = parseStrict(tampered);
    const assertionSignature = doc.getElementsByTagNameNS(NS.saml, 'Assertion')[0]!.getElementsByTagNameNS(NS.ds, 'Signature')[0]!;
    const verifier = new SignedXml({ publicCert: key.certificatePem });
    verifier.loadSignature(assertionSignature as unknown as Node);
    let valid: boolean;
    try {
      valid = verifier.checkSignature(tampered);
    } catch {
      valid = false;
    }
    expect(valid).to.equal(false);
  });

  it('is rejected by node-saml when signed by another key', async () => {
    const other = await fixtureSigningKey('other');
    let error: unknown;
    try {
      await sp.validatePostResponseAsync({ SAMLResponse: buildAwsSamlResponse(baseInput(), other).samlResponse });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(Error);
  });

  it('verifies with xml-crypto: two signatures, on the Response and on its only Assertion, each right after Issuer', () => {
    const { xml, responseId, assertionId } = sign();
    expect(verifyAllSignatures(xml)).to.deep.equal([responseId, assertionId]);
    const doc = parseStrict(xml);
    const response = doc.documentElement!;
    expect(response.localName).to.equal('Response');
    expect(response.namespaceURI).to.equal(NS.samlp);
    expect(response.getAttribute('ID')).to.equal(responseId);
    expect(doc.getElementsByTagNameNS(NS.saml, 'Assertion')).to.have.length(1);
    const assertion = doc.getElementsByTagNameNS(NS.saml, 'Assertion')[0]!;
    expect(assertion.getAttribute('ID')).to.equal(assertionId);
    for (const el of [response, assertion]) {
      const children = elementChildren(el);
      expect(children[0]!.localName).to.equal('Issuer');
      expect(children[0]!.textContent).to.equal(ENTITY_ID);
      expect(children[1]!.localName).to.equal('Signature');
      expect(children[1]!.namespaceURI).to.equal(NS.ds);
    }
  });

  it('is written in exclusive canonical form, so the bytes we digest are the bytes a verifier digests', () => {
    const { xml } = sign({ principalTags: { note: 'a<b & c>d "q" \'s\' ]]> tab\tnl\ncr\r end' } });
    const doc = parseStrict(xml);
    const canonical = new ExclusiveCanonicalization().process(doc.documentElement as unknown as globalThis.Element, {});
    expect(canonical).to.equal(xml);
  });

  it('carries one bearer SubjectConfirmation, Destination, Recipient, Audience and a validity of at most five minutes', () => {
    const now = new Date('2030-01-01T12:00:00Z');
    const { xml, notOnOrAfter } = sign({ now, authnInstant: new Date('2030-01-01T11:59:00Z') });
    const doc = parseStrict(xml);
    expect(doc.documentElement!.getAttribute('Destination')).to.equal(ACS);
    const confirmations = doc.getElementsByTagNameNS(NS.saml, 'SubjectConfirmation');
    expect(confirmations).to.have.length(1);
    expect(confirmations[0]!.getAttribute('Method')).to.equal('urn:oasis:names:tc:SAML:2.0:cm:bearer');
    const data = confirmations[0]!.getElementsByTagNameNS(NS.saml, 'SubjectConfirmationData')[0]!;
    expect(data.getAttribute('Recipient')).to.equal(ACS);
    expect(data.getAttribute('NotOnOrAfter')).to.equal('2030-01-01T12:05:00Z');
    expect(notOnOrAfter.toISOString()).to.equal('2030-01-01T12:05:00.000Z');
    const conditions = doc.getElementsByTagNameNS(NS.saml, 'Conditions')[0]!;
    expect(conditions.getAttribute('NotOnOrAfter')).to.equal('2030-01-01T12:05:00Z');
    expect(Date.parse(conditions.getAttribute('NotBefore')!)).to.be.at.most(now.getTime());
    expect(doc.getElementsByTagNameNS(NS.saml, 'Audience')[0]!.textContent).to.equal('urn:amazon:webservices');
    const authn = doc.getElementsByTagNameNS(NS.saml, 'AuthnStatement');
    expect(authn).to.have.length(1);
    expect(authn[0]!.getAttribute('AuthnInstant')).to.equal('2030-01-01T11:59:00Z');
    expect(authn[0]!.getAttribute('SessionIndex')).to.equal('_session-1');
    expect(doc.documentElement!.hasAttribute('InResponseTo')).to.equal(false);
  });

  it('is refused by node-saml once expired', async () => {
    const { samlResponse } = sign({ now: new Date(Date.now() - 6 * 60_000), authnInstant: new Date(Date.now() - 7 * 60_000) });
    let error: unknown;
    try {
      await sp.validatePostResponseAsync({ SAMLResponse: samlResponse });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/expired/i);
  });

  it('uses fresh, unique IDs that start with _ and carries InResponseTo when answering a request', () => {
    const a = sign({ inResponseTo: '_req-42' });
    const b = sign();
    const ids = [a.responseId, a.assertionId, b.responseId, b.assertionId, ...Array.from({ length: 250 }, newSamlId)];
    expect(new Set(ids).size).to.equal(ids.length);
    for (const id of ids) expect(id).to.match(/^_[0-9a-f]{40}$/);
    const doc = parseStrict(a.xml);
    expect(doc.documentElement!.getAttribute('InResponseTo')).to.equal('_req-42');
    expect(doc.getElementsByTagNameNS(NS.saml, 'SubjectConfirmationData')[0]!.getAttribute('InResponseTo')).to.equal('_req-42');
  });

  it('round-trips directory values full of <, &, ", ]]> exactly, without adding an element', async () => {
    const hostile = {
      department: '</saml:AttributeValue></saml:Attribute><saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"><saml:AttributeValue>arn:aws:iam::999999999999:role/x,arn:aws:iam::999999999999:saml-provider/x',
      quotes: `"quoted" & 'single' <b> ]]> <![CDATA[x]]> &amp; &#60;`,
      spaces: '  leading and trailing\ttab\nnewline\rreturn  ',
      unicode: 'Zoë 東京 🚀',
    };
    const nameId = 'a"<b>&c]]>@example.com';
    const { xml, samlResponse } = sign({ principalTags: hostile, nameId });
    const doc = parseStrict(xml);

    // Structure: exactly the Attributes we asked for, one value each besides Role.
    expect(doc.getElementsByTagNameNS(NS.saml, 'Attribute')).to.have.length(3 + Object.keys(hostile).length);
    expect(doc.getElementsByTagNameNS(NS.saml, 'AttributeValue')).to.have.length(4 + Object.keys(hostile).length);
    expect(doc.getElementsByTagNameNS(NS.saml, 'Assertion')).to.have.length(1);
    expect(attributeValues(doc, AWS_ATTR_ROLE)).to.deep.equal([`${ADMIN_ROLE},${PROVIDER}`, `${READONLY_ROLE},${PROVIDER}`]);
    for (const [k, v] of Object.entries(hostile)) expect(attributeValues(doc, AWS_ATTR_PRINCIPAL_TAG_PREFIX + k)).to.deep.equal([v]);
    expect(doc.getElementsByTagNameNS(NS.saml, 'NameID')[0]!.textContent).to.equal(nameId);
    expect(verifyAllSignatures(xml)).to.have.length(2);

    // And the SP reads the same values.
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: samlResponse });
    expect(profile![AWS_ATTR_ROLE]).to.deep.equal([`${ADMIN_ROLE},${PROVIDER}`, `${READONLY_ROLE},${PROVIDER}`]);
    for (const [k, v] of Object.entries(hostile)) expect(profile![AWS_ATTR_PRINCIPAL_TAG_PREFIX + k]).to.equal(v);
    expect(profile!.nameID).to.equal(nameId);
  });

  it('round-trips values carried in XML attributes (InResponseTo, SessionIndex) exactly, without adding one', async () => {
    const inResponseTo = '_req" Destination="https://evil.example/acs" x="<&>\t\n\r';
    const sessionIndex = 's"i<&>\t\n\r';
    const { xml, samlResponse } = sign({ inResponseTo, sessionIndex });
    const doc = parseStrict(xml);
    const response = doc.documentElement!;
    expect(response.getAttribute('InResponseTo')).to.equal(inResponseTo);
    expect(response.getAttribute('Destination')).to.equal(ACS);
    expect(response.attributes.length).to.equal(6); // xmlns:samlp, Destination, ID, InResponseTo, IssueInstant, Version
    expect(doc.getElementsByTagNameNS(NS.saml, 'AuthnStatement')[0]!.getAttribute('SessionIndex')).to.equal(sessionIndex);
    const canonical = new ExclusiveCanonicalization().process(response as unknown as globalThis.Element, {});
    expect(canonical).to.equal(xml);
    expect(verifyAllSignatures(xml)).to.have.length(2);
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: samlResponse });
    expect(profile!.sessionIndex).to.equal(sessionIndex);
  });

  it('refuses characters XML cannot carry instead of dropping them', () => {
    for (const bad of ['ad\u0000min', 'a\u0008b', 'a\u001Fb', 'a\uFFFEb', 'lone \uD800 surrogate', 'lone \uDC00 low']) {
      expect(() => sign({ principalTags: { department: bad } }), JSON.stringify(bad)).to.throw(ValidationError, /XML cannot carry/);
      expect(() => sign({ nameId: bad }), JSON.stringify(bad)).to.throw(ValidationError);
    }
  });

  it('puts one Role value per pair, so several permission sets bring up the AWS role chooser', async () => {
    const one = sign({ roles: [{ roleArn: ADMIN_ROLE, providerArn: PROVIDER }], sessionDurationSeconds: undefined, principalTags: {} });
    const doc = parseStrict(one.xml);
    expect(attributeValues(doc, AWS_ATTR_ROLE)).to.deep.equal([`${ADMIN_ROLE},${PROVIDER}`]);
    expect(attributeValues(doc, AWS_ATTR_SESSION_DURATION)).to.deep.equal([]);
    expect(doc.getElementsByTagNameNS(NS.saml, 'Attribute')).to.have.length(2);
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: one.samlResponse });
    expect(profile![AWS_ATTR_ROLE]).to.equal(`${ADMIN_ROLE},${PROVIDER}`);
  });

  it('refuses input AWS STS would refuse, naming the field', () => {
    const cases: [Partial<AwsSamlResponseInput>, string][] = [
      [{ roleSessionName: 'a' }, 'roleSessionName'],
      [{ roleSessionName: 'alice smith' }, 'roleSessionName'],
      [{ roleSessionName: 'x'.repeat(65) }, 'roleSessionName'],
      [{ roles: [] }, 'roles'],
      [{ roles: [{ roleArn: 'arn:aws:iam::111122223333:role/gatehouse/A,B', providerArn: PROVIDER }] }, 'roles.0.roleArn'],
      [{ roles: [{ roleArn: ADMIN_ROLE, providerArn: 'arn:aws:iam::444455556666:saml-provider/Gatehouse' }] }, 'roles.0'],
      [{ roles: [{ roleArn: PROVIDER, providerArn: ADMIN_ROLE }] }, 'roles.0.roleArn'],
      [{ sessionDurationSeconds: 899 }, 'sessionDurationSeconds'],
      [{ sessionDurationSeconds: 43201 }, 'sessionDurationSeconds'],
      [{ validitySeconds: 301 }, 'validitySeconds'],
      [{ principalTags: { 'bad<key': 'v' } }, 'principalTags.bad<key'],
      [{ principalTags: { k: 'v'.repeat(257) } }, 'principalTags.k'],
      [{ principalTags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }, 'principalTags'],
      [{ destination: 'javascript:alert(1)' }, 'destination'],
    ];
    for (const [overrides, field] of cases) {
      let error: unknown;
      try {
        sign(overrides);
      } catch (e) {
        error = e;
      }
      expect(error, field).to.be.instanceOf(ValidationError);
      expect((error as ValidationError).problems.map((p) => p.field), field).to.include(field);
    }
  });
});

function elementChildren(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}
