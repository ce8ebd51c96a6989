// The enveloped-signature guard for HTTP-POST requests (AuthnRequest, LogoutRequest), and for
// signed SP metadata (an EntityDescriptor whose signature sits first, SAML Metadata §2.3.2 and §3).
//
// samlify 2.13.1 accepts a valid signature found anywhere and then reads values from the outer,
// unsigned XML (GHSA-63ch-w8pw-4mf2). Here a message is trusted only for the bytes its single
// root-level signature covers (docs/security.md: "Signed messages are read from what was signed"), in this order:
// 1. shape: exactly one ds:Signature in the whole document, a direct child of the root, right
//    after <Issuer> (SAML Core §3.2.1 schema order); one Reference whose URI is `#` + the root's
//    ID, that ID carried by no other element; transforms exactly enveloped-signature then
//    exclusive C14N (without comments); RSA-SHA256/512 and SHA-256/512 only; no ds:Object;
// 2. cryptography: xml-crypto 6.3.2 with ONLY the configured certificates (the application's
//    stored ones for its messages, the metadata signer's for metadata): KeyInfo is
//    never consulted (CVE-2024-32962), each stored certificate is tried (SAML2Int IDP32 rollover);
// 3. content: the canonical bytes xml-crypto verified (getSignedReferences()) are parsed again,
//    and that signed root, not the received document, is what the message readers see.
// A signature that is present but does not verify is always refused, whether or not the
// application requires signed requests (SAML2Int IDP05). "No signature" is reported as such;
// whether that is acceptable is the caller's decision (IDP04).

import type { Document, Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { attribute, childElements, isElement, isNamed } from './dom.ts';
import {
  ACCEPTED_DIGEST_ALGORITHMS, ACCEPTED_SIGNATURE_ALGORITHMS, ALG_ENVELOPED, ALG_EXC_C14N,
  ALG_EXC_C14N_WITH_COMMENTS, ALG_RSA_SHA1, ALG_SHA1, NS_DS, NS_SAML,
} from './names.ts';
import { InboundRejection, quote } from './rejection.ts';
import { MESSAGE_LIMITS, parseSafeXml, type XmlLimits } from './safe-xml.ts';

export interface ExpectedRoot {
  ns: string;
  localName: string;
  /**
   * Where the signature sits among the root's children: right after <Issuer> in a protocol message
   * (SAML Core §3.2.1, the default), first of all in metadata (SAML Metadata §2.3.2).
   */
  signaturePlace?: 'after-issuer' | 'first';
  /** Limits for the signed bytes parsed again (default: a protocol message's). */
  limits?: XmlLimits;
  /** Whose certificates are tried, for messages (default "the application's signing certificate"). */
  trustedKey?: string;
}

export type SignatureCheck =
  /** No ds:Signature anywhere; `root` is the received (unauthenticated) root element. */
  | { signed: false; root: Element }
  /** `root` is parsed from the verified canonical bytes: the only content that was signed. */
  | { signed: true; root: Element };

const NS_EXC_C14N = ALG_EXC_C14N;
const ID_ATTRIBUTE_NAMES = new Set(['ID', 'Id', 'id']);

/** Every ds:Signature element in the document, however deeply nested. */
export function findSignatureElements(doc: Document): Element[] {
  const found: Element[] = [];
  const stack: Element[] = doc.documentElement ? [doc.documentElement] : [];
  while (stack.length > 0) {
    const el = stack.pop()!;
    if (isNamed(el, NS_DS, 'Signature')) found.push(el);
    stack.push(...childElements(el));
  }
  return found;
}

export function verifyEnvelopedSignature(
  message: { xml: string; document: Document },
  certificates: readonly string[],
  expected: ExpectedRoot,
): SignatureCheck {
  const what = expected.localName;
  const root = message.document.documentElement;
  if (!root || !isNamed(root, expected.ns, expected.localName)) {
    throw new InboundRejection('message-invalid', `Expected a <${expected.localName}> in the ${expected.ns} namespace`);
  }
  const signatures = findSignatureElements(message.document);
  if (signatures.length === 0) return { signed: false, root };
  if (signatures.length > 1) {
    throw structure(`The ${what} contains ${signatures.length} XML signatures; exactly one, on the root element, is accepted`);
  }
  const signature = signatures[0]!;
  if (signature.parentNode !== root) {
    throw structure(`The ${what}'s XML signature is not a direct child of the root element, so it does not sign the message (signature wrapping)`);
  }
  const previous = previousElement(signature);
  if (expected.signaturePlace === 'first') {
    if (previous) throw structure(`The ${what}'s XML signature must be its first child element (SAML Metadata §2.3.2)`);
  } else if (previous && !isNamed(previous, NS_SAML, 'Issuer')) {
    throw structure(`The ${what}'s XML signature must come right after <Issuer> (SAML Core §3.2.1)`);
  }

  const id = attribute(root, 'ID');
  if (!id) throw structure(`The signed ${what} has no ID attribute for its signature to reference`);
  assertIdUnique(message.document, id, what);
  const referenceUri = readSignatureShape(signature, what);
  if (referenceUri !== `#${id}`) {
    throw structure(`The ${what}'s signature references ${quote(referenceUri)}, not the root element ${quote(`#${id}`)} (signature wrapping)`);
  }

  const signedBytes = verifyWithStoredCertificates(message.xml, signature, certificates, what, expected.trustedKey ?? "the application's signing certificate");
  const limits = expected.limits ?? MESSAGE_LIMITS;
  const signedRoot = parseSafeXml(signedBytes, { ...limits, what: `signed content of the ${what}` }).documentElement;
  if (!signedRoot || !isNamed(signedRoot, expected.ns, expected.localName) || attribute(signedRoot, 'ID') !== id) {
    throw structure(`The ${what}'s signature does not cover the <${expected.localName}> root element`);
  }
  return { signed: true, root: signedRoot };
}

function verifyWithStoredCertificates(xml: string, signature: Element, certificates: readonly string[], what: string, trustedKey: string): string {
  if (certificates.length === 0) {
    throw new InboundRejection('signature-invalid', `The ${what} is signed, but this application has no signing certificate to check it with`);
  }
  for (const publicCert of certificates) {
    const verifier = new SignedXml({ publicCert, getCertFromKeyInfo: () => null });
    restrictAlgorithms(verifier);
    let valid: boolean;
    try {
      verifier.loadSignature(signature as unknown as Parameters<SignedXml['loadSignature']>[0]);
      valid = verifier.checkSignature(xml);
    } catch (e) {
      // A wrong key fails only the SignatureValue check; try the next stored certificate.
      if (e instanceof Error && /invalid signature: the signature value/.test(e.message)) continue;
      throw new InboundRejection('signature-invalid', `The ${what}'s XML signature cannot be verified: ${e instanceof Error ? e.message.slice(0, 160) : 'unknown error'}`, { cause: e });
    }
    if (!valid) {
      // Reference digest mismatch: the same for every key, so no point trying the others.
      throw new InboundRejection('signature-invalid', `The ${what} was changed after it was signed (digest mismatch)`);
    }
    const references = verifier.getSignedReferences();
    if (references.length !== 1 || !references[0]) {
      throw structure(`The ${what}'s signature must cover exactly one reference`);
    }
    return references[0];
  }
  throw new InboundRejection('signature-invalid', `The ${what}'s XML signature does not verify with ${trustedKey}${certificates.length > 1 ? 's' : ''}`);
}

/** Belt and braces: even if the shape check were bypassed, xml-crypto only knows what we accept. */
function restrictAlgorithms(verifier: SignedXml): void {
  for (const name of Object.keys(verifier.SignatureAlgorithms)) {
    if (!ACCEPTED_SIGNATURE_ALGORITHMS.has(name)) delete verifier.SignatureAlgorithms[name];
  }
  for (const name of Object.keys(verifier.HashAlgorithms)) {
    if (!ACCEPTED_DIGEST_ALGORITHMS.has(name)) delete verifier.HashAlgorithms[name];
  }
  for (const name of Object.keys(verifier.CanonicalizationAlgorithms)) {
    if (name !== ALG_EXC_C14N && name !== ALG_ENVELOPED) delete verifier.CanonicalizationAlgorithms[name];
  }
}

/** Checks the ds:Signature element's shape and algorithms; returns its single Reference URI. */
function readSignatureShape(signature: Element, what: string): string {
  const parts = dsChildren(signature, what, 'Signature');
  const [signedInfo, signatureValue, keyInfo, ...extra] = parts;
  if (!signedInfo || !isNamed(signedInfo, NS_DS, 'SignedInfo') || !signatureValue || !isNamed(signatureValue, NS_DS, 'SignatureValue')
    || (keyInfo && !isNamed(keyInfo, NS_DS, 'KeyInfo')) || extra.length > 0) {
    throw structure(`The ${what}'s signature must hold SignedInfo, SignatureValue and optionally KeyInfo, nothing else`);
  }

  const [canonicalization, signatureMethod, reference, ...moreReferences] = dsChildren(signedInfo, what, 'SignedInfo');
  if (!canonicalization || !isNamed(canonicalization, NS_DS, 'CanonicalizationMethod')
    || !signatureMethod || !isNamed(signatureMethod, NS_DS, 'SignatureMethod')
    || !reference || !isNamed(reference, NS_DS, 'Reference') || moreReferences.length > 0) {
    throw structure(`The ${what}'s SignedInfo must hold CanonicalizationMethod, SignatureMethod and exactly one Reference`);
  }
  assertExcC14n(canonicalization, what, 'canonicalization method');

  const signatureAlgorithm = attribute(signatureMethod, 'Algorithm') ?? '';
  if (!ACCEPTED_SIGNATURE_ALGORITHMS.has(signatureAlgorithm) || childElements(signatureMethod).length > 0) {
    throw new InboundRejection('signature-algorithm', signatureAlgorithm === ALG_RSA_SHA1
      ? `The ${what} is signed with RSA-SHA1, which is refused; sign with RSA-SHA256 or RSA-SHA512`
      : `The ${what}'s signature method ${quote(signatureAlgorithm)} is not accepted; use RSA-SHA256 or RSA-SHA512`);
  }

  const [transforms, digestMethod, digestValue, ...rest] = dsChildren(reference, what, 'Reference');
  if (!transforms || !isNamed(transforms, NS_DS, 'Transforms') || !digestMethod || !isNamed(digestMethod, NS_DS, 'DigestMethod')
    || !digestValue || !isNamed(digestValue, NS_DS, 'DigestValue') || rest.length > 0) {
    throw structure(`The ${what}'s signature Reference must hold Transforms, DigestMethod and DigestValue`);
  }
  const [enveloped, exclusive, ...moreTransforms] = dsChildren(transforms, what, 'Transforms');
  if (!enveloped || !isNamed(enveloped, NS_DS, 'Transform') || attribute(enveloped, 'Algorithm') !== ALG_ENVELOPED
    || childElements(enveloped).length > 0 || !exclusive || !isNamed(exclusive, NS_DS, 'Transform') || moreTransforms.length > 0) {
    throw new InboundRejection('signature-algorithm', `The ${what}'s signature transforms must be exactly enveloped-signature then exclusive C14N`);
  }
  assertExcC14n(exclusive, what, 'transform');

  const digestAlgorithm = attribute(digestMethod, 'Algorithm') ?? '';
  if (!ACCEPTED_DIGEST_ALGORITHMS.has(digestAlgorithm)) {
    throw new InboundRejection('signature-algorithm', digestAlgorithm === ALG_SHA1
      ? `The ${what}'s signature uses a SHA-1 digest, which is refused; use SHA-256 or SHA-512`
      : `The ${what}'s digest method ${quote(digestAlgorithm)} is not accepted; use SHA-256 or SHA-512`);
  }
  const uri = attribute(reference, 'URI');
  if (uri === undefined) throw structure(`The ${what}'s signature Reference has no URI`);
  return uri;
}

function assertExcC14n(el: Element, what: string, role: string): void {
  const algorithm = attribute(el, 'Algorithm') ?? '';
  if (algorithm === ALG_EXC_C14N_WITH_COMMENTS) {
    throw new InboundRejection('signature-algorithm', `The ${what}'s ${role} is exclusive C14N *with comments*, which is refused`);
  }
  if (algorithm !== ALG_EXC_C14N) {
    throw new InboundRejection('signature-algorithm', `The ${what}'s ${role} ${quote(algorithm)} is not accepted; use exclusive C14N (${ALG_EXC_C14N})`);
  }
  // Only an InclusiveNamespaces prefix list may qualify exclusive C14N.
  if (childElements(el).some((child) => !isNamed(child, NS_EXC_C14N, 'InclusiveNamespaces'))) {
    throw structure(`The ${what}'s ${role} has unexpected content`);
  }
}

/** Element children of a ds: container, refusing elements from any other namespace. */
function dsChildren(el: Element, what: string, container: string): Element[] {
  const children = childElements(el);
  if (children.some((child) => child.namespaceURI !== NS_DS)) {
    throw structure(`The ${what}'s signature ${container} contains elements from outside the XML-DSig namespace`);
  }
  return children;
}

/** xml-crypto resolves `#id` against ID, Id and id attributes anywhere: each may name one element only. */
function assertIdUnique(doc: Document, id: string, what: string): void {
  let count = 0;
  const stack: Element[] = doc.documentElement ? [doc.documentElement] : [];
  while (stack.length > 0) {
    const el = stack.pop()!;
    for (const attr of Array.from(el.attributes)) {
      if (ID_ATTRIBUTE_NAMES.has(attr.localName ?? attr.name) && attr.value === id) count += 1;
    }
    stack.push(...childElements(el));
  }
  if (count !== 1) {
    throw structure(`The ${what}'s ID ${quote(id)} appears on ${count} elements; it must identify exactly one (signature wrapping)`);
  }
}

function previousElement(el: Element): Element | undefined {
  for (let node = el.previousSibling; node; node = node.previousSibling) {
    if (isElement(node)) return node;
  }
  return undefined;
}

function structure(message: string): InboundRejection {
  return new InboundRejection('signature-structure', message);
}
