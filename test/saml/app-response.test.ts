// The Response for custom applications, checked by parties nobody on the project wrote:
// @node-saml/node-saml as the SP (our certificate only, its own decryption), xml-crypto for the
// signatures, node:crypto for what the encrypted form is made of.
import { constants, createDecipheriv, privateDecrypt } from 'node:crypto';
import { SAML } from '@node-saml/node-saml';
import type { Document, Element } from '@xmldom/xmldom';
import { expect } from 'chai';
import { SignedXml } from 'xml-crypto';
import type { SigningKey } from '../../idp/keys.ts';
import {
  buildAssertion, buildResponse, buildStatusResponse, STATUS_NO_PASSIVE, STATUS_RESPONDER, type AssertionInput,
} from '../../idp/saml/response.ts';
import { ValidationError } from '../../model/errors.ts';
import { ENTITY_ID, NS, parseStrict } from '../idp/fixtures.ts';
import { fixtureSigningKey } from '../support/signing-keys.ts';
import { rsaKey, type TestKey } from '../idp/inbound-fixtures.ts';

const APP_ENTITY = 'https://app.example.com/saml/metadata';
const APP_ACS = 'https://app.example.com/saml/acs';
const NAMEID_EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const XENC = 'http://www.w3.org/2001/04/xmlenc#';

let key: SigningKey;
let spKey: TestKey;

function input(overrides: Partial<AssertionInput> = {}): AssertionInput {
  const now = new Date();
  return {
    issuer: ENTITY_ID,
    audience: APP_ENTITY,
    recipient: APP_ACS,
    nameId: 'alice@example.com',
    nameIdFormat: NAMEID_EMAIL,
    attributes: [
      { name: 'email', values: ['alice@example.com'] },
      { name: 'groups', values: ['Engineering', 'Admins'] },
      { name: 'urn:oid:2.5.4.42', values: ['Alice'] },
    ],
    authnInstant: new Date(now.getTime() - 60_000),
    sessionIndex: '_session42',
    sessionNotOnOrAfter: new Date(now.getTime() + 3600_000),
    now,
    ...overrides,
  };
}

function sp(overrides: Partial<ConstructorParameters<typeof SAML>[0]> = {}): SAML {
  return new SAML({
    idpCert: key.certificateDer,
    idpIssuer: ENTITY_ID,
    issuer: APP_ENTITY,
    audience: APP_ENTITY,
    callbackUrl: APP_ACS,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
    ...overrides,
  });
}

function children(el: Element, ns: string, name: string): Element[] {
  return Array.from(el.childNodes).filter((n): n is Element => n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === name);
}

/** The IDs each ds:Signature covers, each verified with our certificate alone. */
function signedIds(xml: string): string[] {
  const doc = parseStrict(xml);
  const signatures = doc.getElementsByTagNameNS(NS.ds, 'Signature');
  const ids: string[] = [];
  for (let i = 0; i < signatures.length; i++) {
    const verifier = new SignedXml({ publicCert: key.certificatePem, getCertFromKeyInfo: () => null });
    verifier.loadSignature(signatures[i]! as unknown as Node);
    expect(verifier.checkSignature(xml), `signature ${i} verifies`).to.equal(true);
    ids.push(verifier.getReferences()[0]!.uri!.replace(/^#/, ''));
  }
  return ids;
}

describe('saml/response: the Response for custom applications', function () {
  this.timeout(30_000);

  before(async () => {
    key = await fixtureSigningKey();
    spKey = await rsaKey('sp');
  });

  it('is accepted by node-saml with both signatures required, with the NameID, multi-valued attributes and session facts we put in', async () => {
    const built = buildResponse(input({ inResponseTo: '_req1' }), { signResponse: true, signAssertion: true }, key);
    const { profile } = await sp().validatePostResponseAsync({ SAMLResponse: built.samlResponse });
    expect(profile?.nameID).to.equal('alice@example.com');
    expect(profile?.nameIDFormat).to.equal(NAMEID_EMAIL);
    expect(profile?.sessionIndex).to.equal('_session42');
    expect(profile?.inResponseTo).to.equal('_req1');
    expect(profile?.groups).to.deep.equal(['Engineering', 'Admins']);
    expect(profile?.['urn:oid:2.5.4.42']).to.equal('Alice');
    expect(signedIds(built.xml)).to.have.members([built.responseId, built.assertionId]);
    expect(built.signed).to.deep.equal({ response: true, assertion: true });
  });

  it('has exactly one assertion with one AuthnStatement, Recipient = ACS, Audience = entity id and at most 5 minutes of validity', () => {
    const built = buildResponse(input({ inResponseTo: '_req2' }), { signResponse: true, signAssertion: false }, key);
    const doc = parseStrict(built.xml);
    const response = doc.documentElement!;
    expect(response.getAttribute('Destination')).to.equal(APP_ACS);
    expect(response.getAttribute('InResponseTo')).to.equal('_req2');
    const assertions = children(response, NS.saml, 'Assertion');
    expect(assertions).to.have.length(1);
    const assertion = assertions[0]!;
    expect(children(assertion, NS.saml, 'AuthnStatement')).to.have.length(1);
    const statement = children(assertion, NS.saml, 'AuthnStatement')[0]!;
    expect(statement.getAttribute('SessionIndex')).to.equal('_session42');
    expect(Date.parse(statement.getAttribute('SessionNotOnOrAfter')!)).to.be.greaterThan(Date.now() + 3500_000);
    const confirmation = children(children(assertion, NS.saml, 'Subject')[0]!, NS.saml, 'SubjectConfirmation');
    expect(confirmation).to.have.length(1);
    expect(confirmation[0]!.getAttribute('Method')).to.equal('urn:oasis:names:tc:SAML:2.0:cm:bearer');
    const data = children(confirmation[0]!, NS.saml, 'SubjectConfirmationData')[0]!;
    expect(data.getAttribute('Recipient')).to.equal(APP_ACS);
    expect(data.getAttribute('InResponseTo')).to.equal('_req2');
    const conditions = children(assertion, NS.saml, 'Conditions')[0]!;
    const audiences = doc.getElementsByTagNameNS(NS.saml, 'Audience');
    expect(audiences.length).to.equal(1);
    expect(audiences[0]!.textContent).to.equal(APP_ENTITY);
    const lifetime = Date.parse(conditions.getAttribute('NotOnOrAfter')!) - Date.parse(assertion.getAttribute('IssueInstant')!);
    expect(lifetime).to.be.at.most(300_000);
  });

  it('signs only the assertion when the app asks for that, and node-saml accepts it without a Response signature', async () => {
    const built = buildResponse(input(), { signResponse: false, signAssertion: true }, key);
    expect(signedIds(built.xml)).to.deep.equal([built.assertionId]);
    const { profile } = await sp({ wantAuthnResponseSigned: false }).validatePostResponseAsync({ SAMLResponse: built.samlResponse });
    expect(profile?.nameID).to.equal('alice@example.com');
    await expectRejected(sp().validatePostResponseAsync({ SAMLResponse: built.samlResponse }), /signature/i);
  });

  it('never sends an unsigned Response: with both settings off, the Response is signed', () => {
    const built = buildResponse(input(), { signResponse: false, signAssertion: false }, key);
    expect(signedIds(built.xml)).to.deep.equal([built.responseId]);
    expect(built.signed.response).to.equal(true);
  });

  it('encrypts the signed assertion with AES-256-GCM under an RSA-OAEP key, and node-saml decrypts and verifies it', async () => {
    const built = buildResponse(input(), { signResponse: true, signAssertion: true, encryptFor: spKey.certPem }, key);
    expect(built.encrypted).to.equal(true);
    expect(built.xml).to.not.include('alice@example.com');
    expect(built.xml).to.not.include('<saml:Assertion');
    const doc = parseStrict(built.xml);
    const methods = Array.from(doc.getElementsByTagNameNS(XENC, 'EncryptionMethod')).map((m) => m.getAttribute('Algorithm'));
    expect(methods).to.deep.equal(['http://www.w3.org/2009/xmlenc11#aes256-gcm', 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p']);
    // The Response signature covers the EncryptedAssertion as sent.
    expect(signedIds(built.xml)).to.deep.equal([built.responseId]);

    const { profile } = await sp({ decryptionPvk: spKey.privateKeyPem }).validatePostResponseAsync({ SAMLResponse: built.samlResponse });
    expect(profile?.nameID).to.equal('alice@example.com');
    expect(profile?.groups).to.deep.equal(['Engineering', 'Admins']);

    // Decrypted by hand: the plaintext is the assertion, carrying its own signature.
    const cipherValues = doc.getElementsByTagNameNS(XENC, 'CipherValue');
    const contentKey = privateDecrypt({ key: spKey.privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(cipherValues[0]!.textContent!, 'base64'));
    const data = Buffer.from(cipherValues[1]!.textContent!, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', contentKey, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(data.length - 16));
    const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]).toString('utf8');
    expect(plain).to.match(/^<saml:Assertion /);
    expect(signedIds(plain)).to.deep.equal([built.assertionId]);
  });

  it('is refused by node-saml when the ciphertext is changed (GCM authenticates it)', async () => {
    const built = buildResponse(input(), { signResponse: false, signAssertion: true, encryptFor: spKey.certPem }, key);
    const xml = built.xml.replace(/(<xenc:CipherValue>[^<]*<\/xenc:CipherValue><\/xenc:CipherData><\/xenc:EncryptedKey><\/ds:KeyInfo><xenc:CipherData><xenc:CipherValue>)(.)/, (_m, head: string, c: string) => head + (c === 'A' ? 'B' : 'A'));
    expect(xml).to.not.equal(built.xml);
    await expectRejected(sp({ decryptionPvk: spKey.privateKeyPem, wantAuthnResponseSigned: false }).validatePostResponseAsync({ SAMLResponse: Buffer.from(xml).toString('base64') }), /.+/);
  });

  it('refuses to encrypt to a 1024-bit key', async () => {
    const weak = await rsaKey('weak');
    expect(() => buildResponse(input(), { signResponse: true, signAssertion: true, encryptFor: weak.certPem }, key)).to.throw(ValidationError, /2048/);
  });

  it('keeps directory values as text: a value shaped like XML adds no attribute, and reads back byte for byte', async () => {
    const hostile = 'x</saml:AttributeValue></saml:Attribute><saml:Attribute Name="role"><saml:AttributeValue>admin';
    const built = buildResponse(
      input({ nameId: 'a&b<c>"d\'', attributes: [{ name: 'displayName', values: [hostile] }, { name: 'role', values: ['user'] }] }),
      { signResponse: true, signAssertion: true },
      key,
    );
    const doc: Document = parseStrict(built.xml);
    expect(doc.getElementsByTagNameNS(NS.saml, 'Attribute').length).to.equal(2);
    const { profile } = await sp().validatePostResponseAsync({ SAMLResponse: built.samlResponse });
    expect(profile?.displayName).to.equal(hostile);
    expect(profile?.role).to.equal('user');
    expect(profile?.nameID).to.equal('a&b<c>"d\'');
  });

  it('refuses characters XML cannot carry instead of dropping them', () => {
    expect(() => buildResponse(input({ attributes: [{ name: 'x', values: ['a\u0000b'] }] }), { signResponse: true, signAssertion: true }, key)).to.throw(ValidationError);
  });

  it('leaves out attributes without values, and the AttributeStatement when none remain', () => {
    const { xml } = buildAssertion(input({ attributes: [{ name: 'empty', values: [] }] }));
    expect(xml).to.not.include('AttributeStatement');
    expect(xml).to.not.include('Signature');
  });

  it('answers a passive request it cannot satisfy with a signed NoPassive status and no assertion', async () => {
    const built = buildStatusResponse({ issuer: ENTITY_ID, destination: APP_ACS, inResponseTo: '_req3', status: STATUS_RESPONDER, subStatus: STATUS_NO_PASSIVE, now: new Date() }, key);
    expect(signedIds(built.xml)).to.deep.equal([built.responseId]);
    const doc = parseStrict(built.xml);
    expect(doc.getElementsByTagNameNS(NS.saml, 'Assertion').length).to.equal(0);
    const codes = Array.from(doc.getElementsByTagNameNS(NS.samlp, 'StatusCode')).map((c) => c.getAttribute('Value'));
    expect(codes).to.deep.equal([STATUS_RESPONDER, STATUS_NO_PASSIVE]);
    // node-saml reads a signed NoPassive as "nobody signed in", and refuses it unsigned.
    expect(await sp().validatePostResponseAsync({ SAMLResponse: built.samlResponse })).to.deep.equal({ profile: null, loggedOut: false });
    const unsigned = built.xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');
    await expectRejected(sp().validatePostResponseAsync({ SAMLResponse: Buffer.from(unsigned).toString('base64') }), /signature/i);
  });
});

async function expectRejected(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expect(error, 'should have been refused').to.be.instanceOf(Error);
  expect((error as Error).message).to.match(pattern);
}
