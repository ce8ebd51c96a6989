// HTTP-Redirect and HTTP-POST decoding (idp/saml/inbound/bindings.ts) and the Redirect-binding
// query signature (redirect-signature.ts): bombs, bad base64, parameter pollution and signature
// algorithm games are refused with a reason; real SP output decodes.
import { expect } from 'chai';
import { deflateRawSync } from 'node:zlib';
import { decodeBase64Strict, decodePostBinding, decodeRedirectBinding } from '../../idp/saml/inbound/bindings.ts';
import { verifyRedirectSignature } from '../../idp/saml/inbound/redirect-signature.ts';
import {
  RSA_SHA1, RSA_SHA512, authnRequestXml, nodeSamlSp, postForm, redirectQuery, redirectQueryFromDeflated, rejectionOf, rsaKey,
} from './inbound-fixtures.ts';

describe('inbound SAML: binding decoding', () => {
  describe('HTTP-Redirect', () => {
    it('inflates and parses a message, keeping RelayState', () => {
      const message = decodeRedirectBinding(`?${redirectQuery(authnRequestXml({ id: '_r1' }), { relayState: 'a b/c?d=e&f' })}`);
      expect(message.binding).to.equal('HTTP-Redirect');
      expect(message.document.documentElement?.getAttribute('ID')).to.equal('_r1');
      expect(message.relayState).to.equal('a b/c?d=e&f');
      expect(message.redirectSignature).to.equal(undefined);
    });

    it('stops a deflate bomb at the output cap with a clear error', async () => {
      const bomb = deflateRawSync(Buffer.alloc(20 * 1024 * 1024, 0x20)); // 20 MB of spaces, ~20 KB deflated
      expect(bomb.length).to.be.lessThan(64 * 1024);
      const started = process.hrtime.bigint();
      const e = await rejectionOf(() => decodeRedirectBinding(redirectQueryFromDeflated(bomb)));
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      expect(e.reason).to.equal('inflate-limit');
      expect(e.message).to.match(/inflates to more than 262144 bytes/);
      expect(elapsedMs).to.be.lessThan(500);
    });

    it('refuses bad base64: foreign characters, missing padding, whitespace', async () => {
      const good = deflateRawSync(Buffer.from(authnRequestXml())).toString('base64');
      const variants = [
        `${good.slice(0, 8)}*${good.slice(9)}`, // outside the alphabet
        `${good}=`, // padding that does not belong
        `${good.slice(0, 8)} ${good.slice(8)}`, // whitespace (the Redirect binding has no line wrapping)
        `-${good.slice(1)}`, // the URL-safe alphabet
        good.slice(0, -1), // truncated
      ];
      for (const bad of variants) {
        const e = await rejectionOf(() => decodeRedirectBinding(`SAMLRequest=${encodeURIComponent(bad)}`));
        expect(e.reason, bad).to.equal('bad-encoding');
        expect(e.message).to.match(/not valid base64/);
      }
    });

    it('refuses data that is not DEFLATE and malformed percent-encoding', async () => {
      const notDeflate = await rejectionOf(() => decodeRedirectBinding(`SAMLRequest=${encodeURIComponent(Buffer.from('<r/>').toString('base64'))}`));
      expect(notDeflate.reason).to.equal('bad-encoding');
      expect(notDeflate.message).to.match(/not DEFLATE/);
      const percent = await rejectionOf(() => decodeRedirectBinding('SAMLRequest=%E0%A4%A'));
      expect(percent.reason).to.equal('bad-parameters');
      expect(percent.message).to.match(/percent-encoding/);
    });

    it('refuses a repeated parameter (parameter pollution), even when spelled with percent-escapes', async () => {
      const query = redirectQuery(authnRequestXml(), { relayState: 'one' });
      for (const polluted of [`${query}&RelayState=two`, `${query}&SAMLRequest=${query.split('&')[0]!.slice(12)}`, `${query}&Relay%53tate=two`]) {
        const e = await rejectionOf(() => decodeRedirectBinding(polluted));
        expect(e.reason).to.equal('bad-parameters');
        expect(e.message).to.match(/repeats the parameter "(RelayState|SAMLRequest)"/);
      }
    });

    it('refuses a missing message, a response where a request was expected, and half a signature', async () => {
      expect((await rejectionOf(() => decodeRedirectBinding('RelayState=x'))).message).to.match(/No SAMLRequest/);
      const q = redirectQuery(authnRequestXml());
      expect((await rejectionOf(() => decodeRedirectBinding(`${q}&SAMLResponse=abcd`))).message).to.match(/SAMLResponse was sent/);
      expect((await rejectionOf(() => decodeRedirectBinding(`${q}&SigAlg=x`))).message).to.match(/both SigAlg and Signature/);
    });

    it('refuses an over-long query string and RelayState', async () => {
      expect((await rejectionOf(() => decodeRedirectBinding(`SAMLRequest=${'A'.repeat(600 * 1024)}`))).reason).to.equal('too-large');
      const e = await rejectionOf(() => decodeRedirectBinding(redirectQuery(authnRequestXml(), { relayState: 'x'.repeat(2000) })));
      expect(e.message).to.match(/RelayState is longer than 1024 bytes/);
    });
  });

  describe('HTTP-POST', () => {
    it('decodes the base64 form field, from parsed fields or the raw body', () => {
      const xml = authnRequestXml({ id: '_p1' });
      const fields = postForm(xml, 'state-1');
      expect(decodePostBinding(fields).document.documentElement?.getAttribute('ID')).to.equal('_p1');
      const raw = `SAMLRequest=${encodeURIComponent(fields.SAMLRequest!)}&RelayState=state-1`;
      const message = decodePostBinding(raw);
      expect(message.xml).to.equal(xml);
      expect(message.relayState).to.equal('state-1');
    });

    it('accepts base64 wrapped at 76 columns (OpenSAML style) but nothing else outside the alphabet', async () => {
      const b64 = postForm(authnRequestXml({ id: '_p2' })).SAMLRequest!;
      const wrapped = b64.match(/.{1,76}/g)!.join('\r\n');
      expect(decodePostBinding({ SAMLRequest: wrapped }).document.documentElement?.getAttribute('ID')).to.equal('_p2');
      const e = await rejectionOf(() => decodePostBinding({ SAMLRequest: b64.replace(/^(.{10})/, '$1\t') }));
      expect(e.reason).to.equal('bad-encoding');
    });

    it('refuses a repeated field, a deflated body, and XML-DSig fields on the form', async () => {
      const fields = postForm(authnRequestXml());
      const twice = await rejectionOf(() => decodePostBinding({ SAMLRequest: [fields.SAMLRequest, fields.SAMLRequest] }));
      expect(twice.message).to.match(/sent more than once/);
      const rawTwice = await rejectionOf(() => decodePostBinding(`SAMLRequest=abcd&SAMLRequest=${encodeURIComponent(fields.SAMLRequest!)}`));
      expect(rawTwice.reason).to.equal('bad-parameters');
      const deflated = await rejectionOf(() => decodePostBinding({ SAMLRequest: deflateRawSync(Buffer.from(authnRequestXml())).toString('base64') }));
      expect(deflated.message).to.match(/never DEFLATE-compressed/);
      const sigFields = await rejectionOf(() => decodePostBinding({ ...fields, SigAlg: 'x', Signature: 'y' }));
      expect(sigFields.message).to.match(/signature inside the XML/);
    });

    it('refuses a message over the size cap before decoding it', async () => {
      const e = await rejectionOf(() => decodePostBinding({ SAMLRequest: 'A'.repeat(400 * 1024) }));
      expect(e.reason).to.equal('too-large');
    });
  });

  describe('strict base64', () => {
    it('accepts canonical base64 only', async () => {
      expect(decodeBase64Strict('aGk=', 'x', false).toString()).to.equal('hi');
      for (const bad of ['aGk', 'aG=k', 'a Gk=', 'aGk==', '====', 'aGk=\n']) {
        expect((await rejectionOf(() => decodeBase64Strict(bad, 'x', false))).reason, bad).to.equal('bad-encoding');
      }
    });
  });

  describe('HTTP-Redirect signature', () => {
    it('verifies what @node-saml/node-saml signs, with RelayState', async () => {
      const key = await rsaKey('sp');
      const url = await nodeSamlSp(key).getAuthorizeUrlAsync('relay-42', undefined, {});
      const message = decodeRedirectBinding(new URL(url).search);
      expect(message.redirectSignature?.signedOctets.toString()).to.match(/^SAMLRequest=[^&]+&RelayState=relay-42&SigAlg=http%3A%2F%2Fwww\.w3\.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256$/);
      expect(() => verifyRedirectSignature(message.redirectSignature!, [key.certPem])).not.to.throw();
    });

    it('verifies over the octets as received, whatever the parameter order in the URL', async () => {
      const key = await rsaKey('sp');
      const query = redirectQuery(authnRequestXml(), { key, relayState: 'r' });
      const reordered = query.split('&').reverse().join('&');
      expect(() => verifyRedirectSignature(decodeRedirectBinding(reordered).redirectSignature!, [key.certPem])).not.to.throw();
    });

    it('refuses a changed RelayState, a signature by another key, and no certificate to check with', async () => {
      const [key, attacker] = await Promise.all([rsaKey('sp'), rsaKey('attacker')]);
      const query = redirectQuery(authnRequestXml(), { key, relayState: 'https://app.example/home' });
      const tampered = decodeRedirectBinding(query.replace('RelayState=https', 'RelayState=http')).redirectSignature!;
      expect((await rejectionOf(() => verifyRedirectSignature(tampered, [key.certPem]))).reason).to.equal('signature-invalid');
      const forged = decodeRedirectBinding(redirectQuery(authnRequestXml(), { key: attacker })).redirectSignature!;
      const e = await rejectionOf(() => verifyRedirectSignature(forged, [key.certPem]));
      expect(e.reason).to.equal('signature-invalid');
      expect(e.message).to.match(/does not verify/);
      expect((await rejectionOf(() => verifyRedirectSignature(forged, []))).message).to.match(/no signing certificate/);
    });

    it('accepts any of several stored certificates (key rollover) and RSA-SHA512', async () => {
      const [key, next] = await Promise.all([rsaKey('sp'), rsaKey('sp-next')]);
      const signature = decodeRedirectBinding(redirectQuery(authnRequestXml(), { key: next, sigAlg: RSA_SHA512 })).redirectSignature!;
      expect(() => verifyRedirectSignature(signature, [key.certPem, next.certPem])).not.to.throw();
      expect((await rejectionOf(() => verifyRedirectSignature(signature, [key.certPem]))).reason).to.equal('signature-invalid');
    });

    it('refuses RSA-SHA1 (node-saml\'s default) and unknown SigAlg values, never falling back', async () => {
      const key = await rsaKey('sp');
      const url = await nodeSamlSp(key, { signatureAlgorithm: 'sha1' }).getAuthorizeUrlAsync('', undefined, {});
      const sha1 = decodeRedirectBinding(new URL(url).search).redirectSignature!;
      expect(sha1.sigAlg).to.equal(RSA_SHA1);
      const e = await rejectionOf(() => verifyRedirectSignature(sha1, [key.certPem]));
      expect(e.reason).to.equal('signature-algorithm');
      expect(e.message).to.match(/RSA-SHA1, which is refused/);
      const unknown = decodeRedirectBinding(redirectQuery(authnRequestXml(), { key, sigAlg: 'http://www.w3.org/2000/09/xmldsig#hmac-sha1' })).redirectSignature!;
      expect((await rejectionOf(() => verifyRedirectSignature(unknown, [key.certPem]))).message).to.match(/SigAlg "http:\/\/www.w3.org\/2000\/09\/xmldsig#hmac-sha1" is not accepted/);
    });
  });
});
