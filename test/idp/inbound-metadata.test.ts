// SP metadata upload (idp/saml/inbound/sp-metadata.ts): what an administrator's upload becomes,
// and every reason it can be refused, each said in the error.
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { parseSpMetadata, type SpMetadataOptions } from '../../idp/saml/inbound/sp-metadata.ts';
import { IDP_ENTITY_ID, POST, REDIRECT, SP_ACS, SP_ENTITY_ID, rejectionOf, rsaKey, spMetadataXml, type MetadataFields, type TestKey } from './inbound-fixtures.ts';

const own: SpMetadataOptions = { ownEntityIds: [IDP_ENTITY_ID] };

describe('inbound SAML: SP metadata', () => {
  let key: TestKey;
  let next: TestKey;
  let weak: TestKey;
  before(async () => {
    [key, next, weak] = await Promise.all([rsaKey('sp'), rsaKey('sp-next'), rsaKey('weak')]);
  });

  const refused = async (fields: MetadataFields, pattern: RegExp, reason = 'metadata-invalid', options: SpMetadataOptions = own) => {
    const e = await rejectionOf(() => parseSpMetadata(spMetadataXml(fields), options));
    expect(e.reason).to.equal(reason);
    expect(e.message).to.match(pattern);
  };

  it('reads entity id, endpoints, certificates, flags, formats and cache hints', () => {
    const validUntil = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const metadata = parseSpMetadata(spMetadataXml({
      signingCertDer: key.certDer,
      encryptionCertDer: next.certDer,
      authnRequestsSigned: true,
      acs: [{ url: SP_ACS, index: 1, isDefault: true }, { url: 'https://sp.example.com/saml/acs-r', binding: REDIRECT, index: 2 }],
      slo: { url: 'https://sp.example.com/saml/slo' },
      validUntil,
      cacheDuration: 'PT6H',
      prolog: '<?xml version="1.0" encoding="utf-8"?>\n<!-- exported by the SP -->\n',
    }), own);
    expect(metadata.entityId).to.equal(SP_ENTITY_ID);
    expect(metadata.acs).to.deep.equal([
      { url: SP_ACS, binding: POST, index: 1, isDefault: true },
      { url: 'https://sp.example.com/saml/acs-r', binding: REDIRECT, index: 2 },
    ]);
    expect(metadata.slo).to.deep.equal({ url: 'https://sp.example.com/saml/slo', binding: REDIRECT });
    expect(metadata.signingCerts).to.have.length(1);
    expect(new X509Certificate(metadata.signingCerts[0]!).fingerprint256).to.equal(new X509Certificate(key.certPem).fingerprint256);
    expect(new X509Certificate(metadata.encryptionCerts[0]!).fingerprint256).to.equal(new X509Certificate(next.certPem).fingerprint256);
    expect(metadata).to.include({ authnRequestsSigned: true, wantAssertionsSigned: true, cacheDuration: 'PT6H', cacheDurationSeconds: 21_600 });
    expect(metadata.validUntil?.toISOString()).to.equal(validUntil);
    expect(metadata.nameIdFormats).to.deep.equal(['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress']);
  });

  it('uses a KeyDescriptor without "use" for both signing and encryption', () => {
    const xml = spMetadataXml({ signingCertDer: key.certDer }).replace('<md:KeyDescriptor use="signing">', '<md:KeyDescriptor>');
    const metadata = parseSpMetadata(xml, own);
    expect(metadata.signingCerts).to.have.length(1);
    expect(metadata.encryptionCerts).to.deep.equal(metadata.signingCerts);
  });

  it('refuses a 1024-bit key, for signing or encryption', async () => {
    await refused({ signingCertDer: weak.certDer }, /KeyDescriptor #1 has a 1024-bit RSA key; at least 2048 bits are required/, 'weak-key');
    await refused({ signingCertDer: key.certDer, encryptionCertDer: weak.certDer }, /KeyDescriptor #2 has a 1024-bit RSA key/, 'weak-key');
  });

  it('refuses a certificate that cannot be read, and a KeyDescriptor without one', async () => {
    await refused({ signingCertDer: 'bm90IGEgY2VydGlmaWNhdGU=' }, /certificate in KeyDescriptor #1 is not a readable X\.509 certificate/);
    const bare = spMetadataXml().replace('<md:NameIDFormat>', '<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:KeyName>k</ds:KeyName></ds:KeyInfo></md:KeyDescriptor><md:NameIDFormat>');
    expect((await rejectionOf(() => parseSpMetadata(bare, own))).message).to.match(/bare keys are not supported/);
  });

  it('refuses an http ACS on a public host, allows http on localhost only when permitted', async () => {
    await refused({ acs: [{ url: 'http://sp.example.com/acs', index: 0 }] }, /"http:\/\/sp.example.com\/acs" uses http; it must use https \(http is only accepted for localhost/);
    for (const url of ['http://localhost:3000/acs', 'http://127.0.0.1/acs', 'http://[::1]:8443/acs']) {
      expect(parseSpMetadata(spMetadataXml({ acs: [{ url, index: 0 }] }), own).acs[0]!.url).to.equal(url);
      await refused({ acs: [{ url, index: 0 }] }, /plain http to this machine is not allowed/, 'metadata-invalid', { ...own, allowHttpLocalhost: false });
    }
    await refused({ acs: [{ url: 'http://localhost.attacker.example/acs', index: 0 }] }, /must use https/);
    await refused({ acs: [{ url: 'ftp://sp.example.com/acs', index: 0 }] }, /must be an https URL/);
    await refused({ slo: { url: 'http://sp.example.com/slo' } }, /SingleLogoutService #1 Location .* uses http/);
  });

  it('refuses userinfo, fragments and non-URLs in endpoints', async () => {
    await refused({ acs: [{ url: 'https://sp.example.com@attacker.example/acs', index: 0 }] }, /must not contain a user name or password/);
    await refused({ acs: [{ url: 'https://sp.example.com/acs#x', index: 0 }] }, /must not contain a fragment/);
    await refused({ acs: [{ url: '/acs', index: 0 }] }, /is not an absolute URL/);
  });

  it('refuses metadata declaring our own entity id, including near-copies', async () => {
    await refused({ entityId: IDP_ENTITY_ID }, /is this identity provider's own entity id/);
    await refused({ entityId: `${IDP_ENTITY_ID.toUpperCase().replace('HTTPS', 'https')}/` }, /own entity id/);
  });

  it('refuses a DOCTYPE with an external entity in metadata', async () => {
    const xxe = spMetadataXml().replace('<md:EntityDescriptor', '<!DOCTYPE md [<!ENTITY x SYSTEM "http://169.254.169.254/latest/meta-data/">]><md:EntityDescriptor');
    const e = await rejectionOf(() => parseSpMetadata(xxe, own));
    expect(e.reason).to.equal('xml-forbidden-construct');
    expect(e.message).to.match(/SP metadata contains a DOCTYPE/);
  });

  it('refuses metadata over 1 MB', async () => {
    const padding = `<md:Extensions>${'<x/>'.repeat(270_000)}</md:Extensions>`;
    const xml = spMetadataXml().replace('<md:SPSSODescriptor', `${padding}<md:SPSSODescriptor`);
    const e = await rejectionOf(() => parseSpMetadata(xml, own));
    expect(e.reason).to.equal('too-large');
    expect(e.message).to.match(/limit is 1048576 bytes/);
  });

  it('refuses anything but one EntityDescriptor with one SAML 2.0 SPSSODescriptor', async () => {
    const md = spMetadataXml();
    const cases: Array<[string, RegExp]> = [
      [md.replace('<md:SPSSODescriptor', '<md:IDPSSODescriptor').replace('</md:SPSSODescriptor>', '</md:IDPSSODescriptor>'), /no <SPSSODescriptor>/],
      [md.replace(/(<md:SPSSODescriptor[\s\S]*<\/md:SPSSODescriptor>)/, '$1$1'), /2 <SPSSODescriptor> elements/],
      [`<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${md.replace(/^<\?xml[^>]*>\n/, '')}</md:EntitiesDescriptor>`, /an EntitiesDescriptor \(an aggregate\)/],
      ['<EntityDescriptor entityID="x"/>', /root must be <md:EntityDescriptor>/],
      [md.replace('protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"', 'protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol"'), /does not list SAML 2.0/],
      [md.replace(`entityID="${SP_ENTITY_ID}"`, 'entityID=""'), /entityID must be 1 to 1024 characters/],
    ];
    for (const [xml, pattern] of cases) {
      expect((await rejectionOf(() => parseSpMetadata(xml, own))).message).to.match(pattern);
    }
  });

  it('refuses ambiguous or unusable ACS lists', async () => {
    await refused({ acs: [{ url: SP_ACS, index: 0 }, { url: `${SP_ACS}2`, index: 0 }] }, /share an index/);
    await refused({ acs: [{ url: SP_ACS, index: 0, isDefault: true }, { url: `${SP_ACS}2`, index: 1, isDefault: true }] }, /More than one AssertionConsumerService is marked isDefault/);
    await refused({ acs: [{ url: SP_ACS, index: 0, binding: REDIRECT }] }, /no HTTP-POST AssertionConsumerService/);
    await refused({ acs: [] }, /has no AssertionConsumerService/);
  });

  it('refuses AuthnRequestsSigned without a signing certificate', async () => {
    await refused({ authnRequestsSigned: true, encryptionCertDer: key.certDer }, /AuthnRequestsSigned="true" but has no signing certificate/);
  });

  it('refuses expired metadata and a cacheDuration that is not a duration', async () => {
    await refused({ validUntil: new Date(Date.now() - 60_000).toISOString() }, /The metadata expired at .* \(validUntil\)/);
    await refused({ cacheDuration: '6 hours' }, /cacheDuration "6 hours" is not a duration/);
    expect(parseSpMetadata(spMetadataXml({ cacheDuration: 'P1DT30M' }), own).cacheDurationSeconds).to.equal(88_200);
  });
});
