// An enveloped XML Signature (XMLDSig §6.6.4) over an element we wrote ourselves in canonical form.
//
// Why not xml-crypto's SignedXml here: it parses the document into a DOM, canonicalizes it and
// serializes it again for every signature, which is where samlify's createLoginResponse spends
// most of its time (bench/saml-sign.ts). Our writers emit every element already in Exclusive
// C14N form (idp/saml/xml-escape.ts, attributes in canonical order, namespace declarations
// exactly where exc-c14n renders them, no self-closing tags, no whitespace between elements), so:
// - the Reference digest is SHA-256 over the bytes of the element with its Signature left out,
//   which is what the enveloped-signature + exc-c14n transforms give a verifier;
// - SignedInfo is canonical by construction, so we sign its bytes directly.
// Independent verifiers (xml-crypto, @node-saml/node-saml) check this in test/idp/.

import { createHash, sign, type KeyObject } from 'node:crypto';
import { ALG_ENVELOPED, ALG_EXC_C14N, ALG_RSA_SHA256, ALG_SHA256, NS_DS } from './namespaces.ts';

/** What signs: the private key and, for KeyInfo, the certificate (DER, base64). */
export interface SamlSigningKey {
  privateKey: KeyObject;
  certificateDer: string;
}

const ID = /^[_A-Za-z][\w.-]*$/;

const SIGNED_INFO_HEAD =
  `<ds:CanonicalizationMethod Algorithm="${ALG_EXC_C14N}"></ds:CanonicalizationMethod>` +
  `<ds:SignatureMethod Algorithm="${ALG_RSA_SHA256}"></ds:SignatureMethod>`;
const TRANSFORMS_AND_DIGEST_METHOD =
  `<ds:Transforms><ds:Transform Algorithm="${ALG_ENVELOPED}"></ds:Transform>` +
  `<ds:Transform Algorithm="${ALG_EXC_C14N}"></ds:Transform></ds:Transforms>` +
  `<ds:DigestMethod Algorithm="${ALG_SHA256}"></ds:DigestMethod>`;

/**
 * Returns the `<ds:Signature>` element to insert into the element whose ID is `referenceId`.
 * `before` + `after` must be that element exactly as it will be emitted, split where the
 * signature goes, and already in exc-c14n form (with the namespace declarations it uses on itself).
 */
export function envelopedSignature(referenceId: string, before: string, after: string, key: SamlSigningKey): string {
  if (!ID.test(referenceId)) throw new Error(`not an xs:ID: ${referenceId}`);
  const digest = createHash('sha256').update(before, 'utf8').update(after, 'utf8').digest('base64');
  const signedInfoBody =
    SIGNED_INFO_HEAD +
    `<ds:Reference URI="#${referenceId}">${TRANSFORMS_AND_DIGEST_METHOD}` +
    `<ds:DigestValue>${digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>`;
  // Canonicalized on its own (as a verifier does), SignedInfo carries the ds declaration itself.
  const canonicalSignedInfo = `<ds:SignedInfo xmlns:ds="${NS_DS}">${signedInfoBody}`;
  const signatureValue = sign('sha256', Buffer.from(canonicalSignedInfo, 'utf8'), key.privateKey).toString('base64');
  return (
    `<ds:Signature xmlns:ds="${NS_DS}"><ds:SignedInfo>${signedInfoBody}` +
    `<ds:SignatureValue>${signatureValue}</ds:SignatureValue>` +
    `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${key.certificateDer}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>` +
    `</ds:Signature>`
  );
}
