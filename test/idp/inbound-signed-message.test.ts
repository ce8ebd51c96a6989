// The enveloped-signature guard (idp/saml/inbound/signed-message.ts) against signature wrapping
// (GHSA-63ch-w8pw-4mf2: samlify 2.13.1 accepts these) and signature-shape games. Where an attack
// is cryptographically valid, the test first shows that xml-crypto alone accepts it, so the
// refusal is ours and not an accident of a broken signature.
import { expect } from 'chai';
import { decodePostBinding } from '../../idp/saml/inbound/bindings.ts';
import { findSignatureElements, verifyEnvelopedSignature } from '../../idp/saml/inbound/signed-message.ts';
import { acceptAuthnRequest, acceptLogoutRequest } from '../../idp/saml/inbound/receive.ts';
import {
  EXC_C14N_COMMENTS, ENVELOPED, NS_SAMLP, RSA_SHA1, SHA1, SP_ACS, authnRequestXml, finder, logoutRequestXml, naiveSignatureCheck,
  postForm, rejectionOf, rsaKey, signEnveloped, spApplication, splitSignature, type TestKey,
} from './inbound-fixtures.ts';

const ATTACKER_ACS = 'https://attacker.example/acs';
const AUTHN = { ns: NS_SAMLP, localName: 'AuthnRequest' };

function post(xml: string) {
  return decodePostBinding(postForm(xml));
}

describe('inbound SAML: signed POST messages', () => {
  let key: TestKey;
  let attacker: TestKey;
  before(async () => {
    [key, attacker] = await Promise.all([rsaKey('sp'), rsaKey('attacker')]);
  });

  describe('a correct signature', () => {
    it('verifies, and hands back the root parsed from the signed bytes, not the received document', () => {
      const message = post(signEnveloped(authnRequestXml({ id: '_ok1' }), key));
      const check = verifyEnvelopedSignature(message, [key.certPem], AUTHN);
      expect(check.signed).to.equal(true);
      expect(check.root.getAttribute('ID')).to.equal('_ok1');
      expect(check.root.ownerDocument).not.to.equal(message.document);
      expect(findSignatureElements(check.root.ownerDocument!)).to.have.length(0); // enveloped: the signature is not signed content
    });

    it('verifies with the second of two stored certificates (key rollover, SAML2Int IDP32)', async () => {
      const next = await rsaKey('sp-next');
      const check = verifyEnvelopedSignature(post(signEnveloped(authnRequestXml(), next)), [key.certPem, next.certPem], AUTHN);
      expect(check.signed).to.equal(true);
    });

    it('reports an unsigned message as unsigned, for the caller to decide', () => {
      const check = verifyEnvelopedSignature(post(authnRequestXml({ id: '_u1' })), [key.certPem], AUTHN);
      expect(check.signed).to.equal(false);
      expect(check.root.getAttribute('ID')).to.equal('_u1');
    });
  });

  describe('signature wrapping', () => {
    it('refuses a wrapped AuthnRequest: the signed original moved under <Extensions>, attacker values outside', async () => {
      const original = signEnveloped(authnRequestXml({ id: '_orig', acsUrl: SP_ACS }), key);
      const wrapped = authnRequestXml({ id: '_evil', acsUrl: ATTACKER_ACS, inner: `<samlp:Extensions>${original}</samlp:Extensions>` });
      expect(naiveSignatureCheck(wrapped, key.certPem), 'xml-crypto alone accepts it').to.equal(true);
      for (const authnRequestsSigned of [false, true]) {
        const app = spApplication([key.certPem], { authnRequestsSigned, acs: [{ url: SP_ACS, binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', index: 0 }, { url: ATTACKER_ACS, binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', index: 1 }] });
        const e = await rejectionOf(() => acceptAuthnRequest(post(wrapped), { findApplication: finder(app) }));
        expect(e.reason).to.equal('signature-structure');
        expect(e.message).to.match(/not a direct child of the root element.*signature wrapping/);
      }
    });

    it('refuses a wrapped AuthnRequest whose signature was lifted to the new root and still points at the original', async () => {
      const { signature, unsigned } = splitSignature(signEnveloped(authnRequestXml({ id: '_orig', acsUrl: SP_ACS }), key));
      const wrapped = authnRequestXml({ id: '_evil', acsUrl: ATTACKER_ACS, inner: `${signature}<samlp:Extensions>${unsigned}</samlp:Extensions>` });
      expect(naiveSignatureCheck(wrapped, key.certPem), 'xml-crypto alone accepts it').to.equal(true);
      const e = await rejectionOf(() => acceptAuthnRequest(post(wrapped), { findApplication: finder(spApplication([key.certPem])) }));
      expect(e.reason).to.equal('signature-structure');
      expect(e.message).to.match(/references "#_orig", not the root element "#_evil"/);
    });

    it('refuses a wrapper that reuses the signed ID on the new root (duplicate ID)', async () => {
      const { signature, unsigned } = splitSignature(signEnveloped(authnRequestXml({ id: '_orig', acsUrl: SP_ACS }), key));
      const wrapped = authnRequestXml({ id: '_orig', acsUrl: ATTACKER_ACS, inner: `${signature}<samlp:Extensions>${unsigned}</samlp:Extensions>` });
      const e = await rejectionOf(() => acceptAuthnRequest(post(wrapped), { findApplication: finder(spApplication([key.certPem])) }));
      expect(e.reason).to.equal('signature-structure');
      expect(e.message).to.match(/ID "_orig" appears on 2 elements/);
    });

    it('refuses the signed original next to an attacker request as a second root element', async () => {
      const original = signEnveloped(authnRequestXml({ id: '_orig' }), key);
      for (const doc of [`${original}${authnRequestXml({ id: '_evil', acsUrl: ATTACKER_ACS })}`, `${authnRequestXml({ id: '_evil', acsUrl: ATTACKER_ACS })}${original}`]) {
        const e = await rejectionOf(() => acceptAuthnRequest(post(doc), { findApplication: finder(spApplication([key.certPem])) }));
        expect(e.reason).to.equal('xml-malformed');
        expect(e.message).to.match(/not well-formed|one root/);
      }
    });

    it('refuses a wrapped LogoutRequest: a signed logout of alice carrying an unsigned logout of admin', async () => {
      const original = signEnveloped(logoutRequestXml({ id: '_lo', nameId: 'alice@example.com' }), key);
      const wrapped = logoutRequestXml({ id: '_evil', nameId: 'admin@example.com', inner: `<samlp:Extensions>${original}</samlp:Extensions>` });
      expect(naiveSignatureCheck(wrapped, key.certPem), 'xml-crypto alone accepts it').to.equal(true);
      const e = await rejectionOf(() => acceptLogoutRequest(post(wrapped), { findApplication: finder(spApplication([key.certPem])) }));
      expect(e.reason).to.equal('signature-structure');
      expect(e.message).to.match(/LogoutRequest's XML signature is not a direct child/);

      const { signature, unsigned } = splitSignature(original);
      const lifted = logoutRequestXml({ id: '_evil', nameId: 'admin@example.com', inner: `${signature}<samlp:Extensions>${unsigned}</samlp:Extensions>` });
      expect(naiveSignatureCheck(lifted, key.certPem)).to.equal(true);
      expect((await rejectionOf(() => acceptLogoutRequest(post(lifted), { findApplication: finder(spApplication([key.certPem])) }))).reason).to.equal('signature-structure');
    });

    it('refuses a second signature anywhere in the document', async () => {
      const signed = signEnveloped(authnRequestXml({ id: '_two' }), key);
      const { signature } = splitSignature(signed);
      const doubled = signed.replace('<samlp:NameIDPolicy', `<samlp:Extensions>${signature}</samlp:Extensions><samlp:NameIDPolicy`);
      const e = await rejectionOf(() => verifyEnvelopedSignature(post(doubled), [key.certPem], AUTHN));
      expect(e.message).to.match(/contains 2 XML signatures; exactly one/);
    });
  });

  describe('comments and processing instructions inside signed values', () => {
    it('refuses a comment spliced into a signed NameID, which leaves the signature valid', async () => {
      const signed = signEnveloped(logoutRequestXml({ nameId: 'admin@example.com.evil.test' }), key);
      const spliced = signed.replace('admin@example.com.evil.test', 'admin@example.com<!---->.evil.test');
      expect(naiveSignatureCheck(spliced, key.certPem), 'exc-c14n drops comments, so the digest still matches').to.equal(true);
      const e = await rejectionOf(() => post(spliced));
      expect(e.reason).to.equal('xml-forbidden-construct');
      expect(e.message).to.match(/XML comment/);
    });

    it('refuses a processing instruction spliced into a signed NameID, which leaves the signature valid', async () => {
      const signed = signEnveloped(logoutRequestXml({ nameId: 'not-an-admin@example.com' }), key);
      const spliced = signed.replace('not-an-admin@example.com', '<?p not-an-?>admin@example.com');
      expect(naiveSignatureCheck(spliced, key.certPem), 'xml-crypto 6.3.2 digests PI data as text').to.equal(true);
      const e = await rejectionOf(() => post(spliced));
      expect(e.reason).to.equal('xml-forbidden-construct');
      expect(e.message).to.match(/processing instruction/);
    });
  });

  describe('signatures that do not verify are refused, required or not (SAML2Int IDP05)', () => {
    it('refuses content changed after signing (digest mismatch)', async () => {
      const signed = signEnveloped(authnRequestXml({ acsUrl: SP_ACS }), key);
      const e = await rejectionOf(() => verifyEnvelopedSignature(post(signed.replace(SP_ACS, `${SP_ACS}2`)), [key.certPem], AUTHN));
      expect(e.reason).to.equal('signature-invalid');
      expect(e.message).to.match(/changed after it was signed/);
    });

    it('ignores KeyInfo: a request signed by an attacker who put their own certificate in KeyInfo is refused', async () => {
      const forged = signEnveloped(authnRequestXml(), attacker, { keyInfoCertPem: attacker.certPem });
      expect(forged).to.include('<ds:X509Certificate>');
      const e = await rejectionOf(() => verifyEnvelopedSignature(post(forged), [key.certPem], AUTHN));
      expect(e.reason).to.equal('signature-invalid');
      expect(e.message).to.match(/does not verify with the application's signing certificate/);
    });

    it('refuses a signature when the application has no certificate to check it with', async () => {
      const e = await rejectionOf(() => verifyEnvelopedSignature(post(signEnveloped(authnRequestXml(), key)), [], AUTHN));
      expect(e.reason).to.equal('signature-invalid');
      expect(e.message).to.match(/no signing certificate/);
    });
  });

  describe('signature shape and algorithms', () => {
    const refused = async (xml: string, reason: string, pattern: RegExp) => {
      const e = await rejectionOf(() => verifyEnvelopedSignature(post(xml), [key.certPem], AUTHN));
      expect(e.reason).to.equal(reason);
      expect(e.message).to.match(pattern);
    };

    it('refuses exclusive C14N with comments, as canonicalization or as transform', async () => {
      await refused(signEnveloped(authnRequestXml(), key, { canonicalization: EXC_C14N_COMMENTS }), 'signature-algorithm', /canonicalization method is exclusive C14N \*with comments\*/);
      await refused(signEnveloped(authnRequestXml(), key, { transforms: [ENVELOPED, EXC_C14N_COMMENTS] }), 'signature-algorithm', /transform is exclusive C14N \*with comments\*/);
    });

    it('refuses RSA-SHA1 signatures and SHA-1 digests', async () => {
      await refused(signEnveloped(authnRequestXml(), key, { signatureAlgorithm: RSA_SHA1 }), 'signature-algorithm', /RSA-SHA1, which is refused/);
      await refused(signEnveloped(authnRequestXml(), key, { digestAlgorithm: SHA1 }), 'signature-algorithm', /SHA-1 digest, which is refused/);
    });

    it('refuses transforms other than exactly enveloped-signature then exclusive C14N', async () => {
      await refused(signEnveloped(authnRequestXml(), key, { transforms: [ENVELOPED] }), 'signature-algorithm', /exactly enveloped-signature then exclusive C14N/);
      await refused(signEnveloped(authnRequestXml(), key, { transforms: [ENVELOPED, 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315'] }), 'signature-algorithm', /transform "http:\/\/www.w3.org\/TR\/2001\/REC-xml-c14n-20010315" is not accepted/);
    });

    it('refuses a signature that is not right after Issuer, or that carries a ds:Object', async () => {
      const signed = signEnveloped(authnRequestXml(), key);
      const { signature, unsigned } = splitSignature(signed);
      await refused(unsigned.replace('</samlp:AuthnRequest>', `${signature}</samlp:AuthnRequest>`), 'signature-structure', /right after <Issuer>/);
      await refused(signed.replace('</ds:Signature>', '<ds:Object>x</ds:Object></ds:Signature>'), 'signature-structure', /SignedInfo, SignatureValue and optionally KeyInfo, nothing else/);
    });

    it('refuses a signed message without an ID, or a Reference with an empty URI', async () => {
      const signed = signEnveloped(authnRequestXml({ id: '_ref' }), key);
      await refused(signed.replace('URI="#_ref"', 'URI=""'), 'signature-structure', /references "", not the root element/);
      await refused(signed.replace(' ID="_ref"', ''), 'signature-structure', /no ID attribute/);
    });
  });
});
