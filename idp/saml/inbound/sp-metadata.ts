// Reading an SP's uploaded SAML 2.0 metadata (SAML Metadata §2.3.2, §2.4.4) into what Gatehouse
// stores for a custom application, refusing anything it would be unsafe to trust later:
// - parsed as attacker XML (safe-xml.ts, 1 MB cap, no DTD/entities/PIs);
// - exactly one EntityDescriptor with exactly one SPSSODescriptor speaking SAML 2.0;
// - an entity id that is not one of ours (an app posing as the IdP itself), nor AWS's sign-in
//   audience (reserved-names.ts) unless the caller is the external AWS account template;
// - when a metadata signer is configured, an enveloped signature on the EntityDescriptor checked
//   with that certificate only (signed-message.ts: never KeyInfo), and the values read from the
//   signed bytes; a missing signature refused when one is required (SAML Metadata §3);
// - RSA keys of at least 2048 bits (SAML2Int MD06), read with node:crypto;
// - https endpoints only (http only for localhost when allowed), no userinfo;
// - ACS indexes unique, at most one default, at least one HTTP-POST ACS (we answer only on POST);
// - validUntil not already past (and present, when required); cacheDuration read as a duration.
// Every refusal is an InboundRejection that says what to fix. Checking that the entity id is not
// already another application's is the caller's (it needs the store).

import type { Document, Element } from '@xmldom/xmldom';
import { isAwsSignInAudience } from '../reserved-names.ts';
import type { AcsEndpoint } from './acs.ts';
import { assertStrongRsaKey, readCertificate } from './certificates.ts';
import { attribute, booleanAttribute, childrenNamed, isNamed, simpleText } from './dom.ts';
import { assertEndpointUrl } from './endpoint-url.ts';
import { BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, NS_DS, NS_MD, NS_SAMLP } from './names.ts';
import { InboundRejection, quote } from './rejection.ts';
import { MAX_ENTITY_ID_LENGTH } from './request-header.ts';
import { decodeUtf8, METADATA_LIMITS, parseSafeXml } from './safe-xml.ts';
import { parseSamlDateTime } from './saml-time.ts';
import { verifyEnvelopedSignature } from './signed-message.ts';

export interface SpMetadataOptions {
  /** Gatehouse's own entity id(s): an application may not claim them. */
  ownEntityIds: readonly string[];
  /** Accept http ACS/SLO URLs on localhost, 127.0.0.1 and [::1] (default true). */
  allowHttpLocalhost?: boolean;
  now?: Date;
  /** Only the external AWS account template may describe AWS's sign-in audience (default false). */
  allowAwsSignInAudience?: boolean;
  /**
   * The certificates trusted to sign the metadata (PEM; the document's own KeyInfo never counts).
   * With certificates, a signature present must verify; `required` refuses a document without one.
   */
  signature?: { certificates: readonly string[]; required: boolean };
  /** Refuse a document that does not say when it expires (validUntil). Default false. */
  requireValidUntil?: boolean;
}

export interface SloEndpoint {
  url: string;
  binding: string;
  responseUrl?: string;
}

export interface SpMetadata {
  entityId: string;
  acs: AcsEndpoint[];
  slo?: SloEndpoint;
  /** PEM, in document order, duplicates removed. */
  signingCerts: string[];
  encryptionCerts: string[];
  authnRequestsSigned: boolean;
  wantAssertionsSigned: boolean;
  nameIdFormats: string[];
  validUntil?: Date;
  /** As written (ISO 8601 duration), with its length in seconds. */
  cacheDuration?: string;
  cacheDurationSeconds?: number;
}

const MAX_ENDPOINTS = 64;
const MAX_CERTIFICATES = 16;

export function parseSpMetadata(xml: string | Uint8Array, options: SpMetadataOptions): SpMetadata {
  const allowHttpLocalhost = options.allowHttpLocalhost ?? true;
  const now = options.now ?? new Date();
  const document = parseSafeXml(xml, METADATA_LIMITS);
  const received = document.documentElement!;
  if (isNamed(received, NS_MD, 'EntitiesDescriptor')) {
    throw invalid('The metadata is an EntitiesDescriptor (an aggregate); upload the EntityDescriptor of one service provider');
  }
  if (!isNamed(received, NS_MD, 'EntityDescriptor')) {
    throw invalid(`The metadata root must be <md:EntityDescriptor> in ${NS_MD}, not <${received.localName}>`);
  }
  const root = authenticatedRoot(xml, document, options.signature);

  const entityId = readEntityId(root, options.ownEntityIds, options.allowAwsSignInAudience ?? false);

  const descriptors = childrenNamed(root, NS_MD, 'SPSSODescriptor');
  if (descriptors.length !== 1) {
    throw invalid(descriptors.length === 0
      ? 'The metadata has no <SPSSODescriptor>: it does not describe a SAML service provider'
      : `The metadata has ${descriptors.length} <SPSSODescriptor> elements; exactly one is accepted`);
  }
  const sp = descriptors[0]!;
  const protocols = (attribute(sp, 'protocolSupportEnumeration') ?? '').split(/\s+/);
  if (!protocols.includes(NS_SAMLP)) {
    throw invalid(`The SPSSODescriptor does not list SAML 2.0 (${NS_SAMLP}) in protocolSupportEnumeration`);
  }

  const validUntil = earliest(readValidUntil(root, now), readValidUntil(sp, now));
  if (!validUntil && options.requireValidUntil) {
    throw invalid('The metadata has no validUntil, and metadata that does not say when it expires is refused here (SAML Metadata §2.3.2); ask the service provider for metadata with validUntil');
  }
  const cacheDuration = attribute(root, 'cacheDuration') ?? attribute(sp, 'cacheDuration');

  const { signingCerts, encryptionCerts } = readKeys(sp);
  const authnRequestsSigned = booleanAttribute(sp, 'AuthnRequestsSigned', false, 'metadata-invalid', 'SPSSODescriptor');
  if (authnRequestsSigned && signingCerts.length === 0) {
    throw invalid('The SPSSODescriptor says AuthnRequestsSigned="true" but has no signing certificate to verify them with');
  }

  const slo = readSlo(sp, allowHttpLocalhost);
  return {
    entityId,
    acs: readAcs(sp, allowHttpLocalhost),
    ...(slo ? { slo } : {}),
    signingCerts,
    encryptionCerts,
    authnRequestsSigned,
    wantAssertionsSigned: booleanAttribute(sp, 'WantAssertionsSigned', false, 'metadata-invalid', 'SPSSODescriptor'),
    nameIdFormats: childrenNamed(sp, NS_MD, 'NameIDFormat').map((el) => simpleText(el, 'metadata-invalid', 'NameIDFormat').trim()).filter((f) => f !== ''),
    ...(validUntil ? { validUntil } : {}),
    ...(cacheDuration !== undefined ? { cacheDuration, cacheDurationSeconds: durationSeconds(cacheDuration) } : {}),
  };
}

/**
 * The EntityDescriptor to read: the received one when no metadata signer is configured, else the
 * one parsed from the bytes the signature covers (so nothing outside the signature is ever read).
 */
function authenticatedRoot(xml: string | Uint8Array, document: Document, signature: SpMetadataOptions['signature']): Element {
  const received = document.documentElement!;
  if (!signature || (signature.certificates.length === 0 && !signature.required)) return received;
  if (signature.certificates.length === 0) {
    throw new InboundRejection('signature-required', 'Signed metadata is required, but no certificate to check the signature with is configured');
  }
  let text = typeof xml === 'string' ? xml : decodeUtf8(xml, METADATA_LIMITS.what);
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const check = verifyEnvelopedSignature({ xml: text, document }, signature.certificates, {
    ns: NS_MD,
    localName: 'EntityDescriptor',
    signaturePlace: 'first',
    limits: METADATA_LIMITS,
    trustedKey: 'the configured metadata signing certificate',
  });
  if (!check.signed && signature.required) {
    throw new InboundRejection('signature-required', 'The metadata is not signed; signed metadata is required (an enveloped signature on the EntityDescriptor by the configured metadata signing certificate)');
  }
  return check.root;
}

function readEntityId(root: Element, ownEntityIds: readonly string[], allowAwsSignInAudience: boolean): string {
  const entityId = attribute(root, 'entityID') ?? '';
  if (entityId === '' || entityId.length > MAX_ENTITY_ID_LENGTH || entityId.trim() !== entityId) {
    throw invalid(`The EntityDescriptor entityID must be 1 to ${MAX_ENTITY_ID_LENGTH} characters with no surrounding spaces`);
  }
  // Compared loosely on purpose: refusing a near-copy of our own id costs nothing.
  const loose = (id: string) => id.toLowerCase().replace(/\/+$/, '');
  if (ownEntityIds.some((own) => loose(own) === loose(entityId))) {
    throw invalid(`The entityID ${quote(entityId)} is this identity provider's own entity id; an application cannot use it`);
  }
  if (!allowAwsSignInAudience && isAwsSignInAudience(entityId)) {
    throw new InboundRejection('reserved-name', `The entityID ${quote(entityId)} is reserved for AWS sign-in; an AWS account is set up as an external AWS account application (kind "external-aws-account"), whose roles come from its assignments`);
  }
  return entityId;
}

function readValidUntil(el: Element, now: Date): Date | undefined {
  const text = attribute(el, 'validUntil');
  if (text === undefined) return undefined;
  let validUntil: Date;
  try {
    validUntil = parseSamlDateTime(text, `${el.localName} validUntil`);
  } catch (e) {
    throw invalid((e as Error).message);
  }
  if (validUntil.getTime() <= now.getTime()) {
    throw invalid(`The metadata expired at ${validUntil.toISOString()} (validUntil); ask the service provider for current metadata`);
  }
  return validUntil;
}

function readKeys(sp: Element): { signingCerts: string[]; encryptionCerts: string[] } {
  const signingCerts: string[] = [];
  const encryptionCerts: string[] = [];
  childrenNamed(sp, NS_MD, 'KeyDescriptor').forEach((descriptor, i) => {
    const use = attribute(descriptor, 'use');
    if (use !== undefined && use !== 'signing' && use !== 'encryption') {
      throw invalid(`KeyDescriptor #${i + 1} has use=${quote(use)}; it must be "signing", "encryption" or absent`);
    }
    const keyInfos = childrenNamed(descriptor, NS_DS, 'KeyInfo');
    const certTexts = keyInfos.flatMap((keyInfo) => childrenNamed(keyInfo, NS_DS, 'X509Data'))
      .flatMap((data) => childrenNamed(data, NS_DS, 'X509Certificate'))
      .map((el) => simpleText(el, 'metadata-invalid', 'X509Certificate'));
    if (keyInfos.length !== 1 || certTexts.length === 0) {
      throw invalid(`KeyDescriptor #${i + 1} must hold one ds:KeyInfo with an X509Certificate (bare keys are not supported)`);
    }
    for (const text of certTexts) {
      const what = `certificate in KeyDescriptor #${i + 1}`;
      const cert = readCertificate(text, what);
      assertStrongRsaKey(cert, what);
      const pem = cert.toString();
      if (use !== 'encryption' && !signingCerts.includes(pem)) signingCerts.push(pem);
      if (use !== 'signing' && !encryptionCerts.includes(pem)) encryptionCerts.push(pem);
    }
  });
  if (signingCerts.length + encryptionCerts.length > MAX_CERTIFICATES) {
    throw invalid(`The metadata lists more than ${MAX_CERTIFICATES} certificates`);
  }
  return { signingCerts, encryptionCerts };
}

function readAcs(sp: Element, allowHttpLocalhost: boolean): AcsEndpoint[] {
  const elements = childrenNamed(sp, NS_MD, 'AssertionConsumerService');
  if (elements.length === 0) throw invalid('The SPSSODescriptor has no AssertionConsumerService');
  if (elements.length > MAX_ENDPOINTS) throw invalid(`The SPSSODescriptor has more than ${MAX_ENDPOINTS} AssertionConsumerService elements`);
  const acs = elements.map((el, i): AcsEndpoint => {
    const what = `AssertionConsumerService #${i + 1}`;
    const binding = attribute(el, 'Binding');
    const url = attribute(el, 'Location');
    const indexText = attribute(el, 'index');
    if (!binding) throw invalid(`${what} has no Binding`);
    if (url === undefined) throw invalid(`${what} has no Location`);
    if (indexText === undefined || !/^\d{1,5}$/.test(indexText) || Number(indexText) > 65535) {
      throw invalid(`${what} needs an index between 0 and 65535`);
    }
    assertEndpointUrl(url, `${what} Location`, allowHttpLocalhost);
    const isDefault = booleanAttribute(el, 'isDefault', false, 'metadata-invalid', what);
    return { url, binding, index: Number(indexText), ...(el.hasAttributeNS(null, 'isDefault') ? { isDefault } : {}) };
  });
  const indexes = new Set(acs.map((e) => e.index));
  if (indexes.size !== acs.length) throw invalid('Two AssertionConsumerService elements share an index; each index must be unique');
  if (acs.filter((e) => e.isDefault === true).length > 1) throw invalid('More than one AssertionConsumerService is marked isDefault="true"');
  if (!acs.some((e) => e.binding === BINDING_HTTP_POST)) {
    throw invalid('The SPSSODescriptor has no HTTP-POST AssertionConsumerService; Gatehouse sends responses over HTTP-POST only');
  }
  return acs;
}

function readSlo(sp: Element, allowHttpLocalhost: boolean): SloEndpoint | undefined {
  const elements = childrenNamed(sp, NS_MD, 'SingleLogoutService');
  if (elements.length > MAX_ENDPOINTS) throw invalid(`The SPSSODescriptor has more than ${MAX_ENDPOINTS} SingleLogoutService elements`);
  let chosen: SloEndpoint | undefined;
  elements.forEach((el, i) => {
    const what = `SingleLogoutService #${i + 1}`;
    const binding = attribute(el, 'Binding');
    const url = attribute(el, 'Location');
    const responseUrl = attribute(el, 'ResponseLocation');
    if (!binding || url === undefined) throw invalid(`${what} needs a Binding and a Location`);
    assertEndpointUrl(url, `${what} Location`, allowHttpLocalhost);
    if (responseUrl !== undefined) assertEndpointUrl(responseUrl, `${what} ResponseLocation`, allowHttpLocalhost);
    if (!chosen && (binding === BINDING_HTTP_REDIRECT || binding === BINDING_HTTP_POST)) {
      chosen = { url, binding, ...(responseUrl !== undefined ? { responseUrl } : {}) };
    }
  });
  return chosen;
}

/** ISO 8601 / xs:duration (PnYnMnDTnHnMnS), years as 365 days and months as 30. */
function durationSeconds(text: string): number {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) throw invalid(`cacheDuration ${quote(text)} is not a duration such as PT6H or P1D`);
  const [, y, mo, d, h, mi, s] = m.map((v) => Number(v ?? 0));
  return Math.floor(((((y! * 365 + mo! * 30 + d!) * 24 + h!) * 60 + mi!) * 60) + s!);
}

function earliest(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() <= b.getTime() ? a : b;
}

function invalid(message: string): InboundRejection {
  return new InboundRejection('metadata-invalid', message);
}
