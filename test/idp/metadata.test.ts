// IdP metadata: what an SP (node-saml here, an IAM SAML provider in production) learns us from.
import { SAML } from '@node-saml/node-saml';
import { expect } from 'chai';
import type { SigningKey } from '../../idp/keys.ts';
import { buildAwsSamlResponse } from '../../idp/saml/aws-response.ts';
import { buildIdpMetadata, idpEntityId } from '../../idp/saml/metadata.ts';
import { ValidationError } from '../../model/errors.ts';
import { ACS, BASE_URL, ENTITY_ID, NS, baseInput, parseStrict } from './fixtures.ts';
import { fixtureSigningKey } from '../support/signing-keys.ts';

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

describe('idp/saml metadata', function () {
  this.timeout(30_000);
  let current: SigningKey;
  let next: SigningKey;
  before(async () => {
    [current, next] = await Promise.all([fixtureSigningKey(), fixtureSigningKey('next')]);
  });

  it('describes the IdP: entity id, signing certificate, SSO and SLO endpoints, NameID formats', () => {
    const doc = parseStrict(buildIdpMetadata({ baseUrl: `${BASE_URL}/`, signingCertificates: [current.certificateDer] }));
    const entity = doc.documentElement!;
    expect(entity.localName).to.equal('EntityDescriptor');
    expect(entity.namespaceURI).to.equal(NS.md);
    expect(entity.getAttribute('entityID')).to.equal(ENTITY_ID);
    expect(idpEntityId(BASE_URL)).to.equal(ENTITY_ID);

    const idp = doc.getElementsByTagNameNS(NS.md, 'IDPSSODescriptor');
    expect(idp).to.have.length(1);
    expect(idp[0]!.getAttribute('protocolSupportEnumeration')).to.equal('urn:oasis:names:tc:SAML:2.0:protocol');
    expect(idp[0]!.getAttribute('WantAuthnRequestsSigned')).to.equal('false');

    const keys = doc.getElementsByTagNameNS(NS.md, 'KeyDescriptor');
    expect(keys).to.have.length(1);
    expect(keys[0]!.getAttribute('use')).to.equal('signing');
    expect(keys[0]!.getElementsByTagNameNS(NS.ds, 'X509Certificate')[0]!.textContent).to.equal(current.certificateDer);

    const endpoints = (name: string) =>
      Array.from({ length: doc.getElementsByTagNameNS(NS.md, name).length }, (_, i) => {
        const e = doc.getElementsByTagNameNS(NS.md, name)[i]!;
        return [e.getAttribute('Binding'), e.getAttribute('Location')];
      });
    expect(endpoints('SingleSignOnService')).to.deep.equal([
      [REDIRECT, `${BASE_URL}/saml/sso`],
      [POST, `${BASE_URL}/saml/sso`],
    ]);
    expect(endpoints('SingleLogoutService')).to.deep.equal([
      [REDIRECT, `${BASE_URL}/saml/slo`],
      [POST, `${BASE_URL}/saml/slo`],
    ]);
    const formats = doc.getElementsByTagNameNS(NS.md, 'NameIDFormat');
    expect(Array.from({ length: formats.length }, (_, i) => formats[i]!.textContent)).to.include.members([
      'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    ]);
  });

  it('lists every certificate during a rollover, and an SP trusting the published set accepts either key', async () => {
    const xml = buildIdpMetadata({ baseUrl: BASE_URL, signingCertificates: [current.certificateDer, next.certificateDer] });
    const certs = parseStrict(xml).getElementsByTagNameNS(NS.ds, 'X509Certificate');
    const published = Array.from({ length: certs.length }, (_, i) => certs[i]!.textContent!);
    expect(published).to.deep.equal([current.certificateDer, next.certificateDer]);
    const sp = new SAML({
      idpCert: published,
      idpIssuer: ENTITY_ID,
      issuer: 'urn:amazon:webservices',
      audience: 'urn:amazon:webservices',
      callbackUrl: ACS,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: true,
    });
    for (const key of [current, next]) {
      const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: buildAwsSamlResponse(baseInput(), key).samlResponse });
      expect(profile!.issuer).to.equal(ENTITY_ID);
    }
  });

  it('refuses something that is not a base64 certificate, so it cannot inject markup', () => {
    expect(() => buildIdpMetadata({ baseUrl: BASE_URL, signingCertificates: ['MIIB</ds:X509Certificate>'] })).to.throw(ValidationError);
    expect(() => buildIdpMetadata({ baseUrl: BASE_URL, signingCertificates: [] })).to.throw(ValidationError);
    expect(() => buildIdpMetadata({ baseUrl: 'not a url', signingCertificates: [current.certificateDer] })).to.throw(ValidationError);
  });
});
