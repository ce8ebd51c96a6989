// Our SAML IdP metadata (SAML Metadata §2.4.3 IDPSSODescriptor), served at /saml/metadata and
// uploaded into each account's IAM SAML provider. Several signing certificates may be listed, so
// a new key can be published before it signs anything and the old one kept until every relying
// party has refreshed (docs/operations.md "Key rotation without downtime"; SAML2Int IDP32).

import { ValidationError } from '../../model/errors.ts';
import {
  BINDING_HTTP_POST,
  BINDING_HTTP_REDIRECT,
  NAMEID_EMAIL,
  NAMEID_PERSISTENT,
  NAMEID_TRANSIENT,
  NAMEID_UNSPECIFIED,
  NS_DS,
  NS_MD,
  PROTOCOL_SAML2,
} from './namespaces.ts';
import { samlInstant } from './saml-id.ts';
import { xmlAttr, xmlText } from './xml-escape.ts';

/** Our entity id: the metadata's own URL, as most IdPs do. */
export const idpEntityId = (baseUrl: string): string => `${trimSlash(baseUrl)}/saml/metadata`;
export const idpSsoUrl = (baseUrl: string): string => `${trimSlash(baseUrl)}/saml/sso`;
export const idpSloUrl = (baseUrl: string): string => `${trimSlash(baseUrl)}/saml/slo`;

export const DEFAULT_NAMEID_FORMATS = [NAMEID_PERSISTENT, NAMEID_EMAIL, NAMEID_TRANSIENT, NAMEID_UNSPECIFIED];

export interface IdpMetadataInput {
  /** Public URL of Gatehouse, e.g. https://gatehouse.example.com */
  baseUrl: string;
  /** DER certificates, base64 (SigningKey.certificateDer): the active one first, then any being rolled in or out. */
  signingCertificates: string[];
  nameIdFormats?: string[];
  /** Optional metadata expiry (SAML Metadata §2.3.1 validUntil). */
  validUntil?: Date;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function buildIdpMetadata(input: IdpMetadataInput): string {
  if (!/^https?:\/\/[^\s]+$/.test(input.baseUrl)) {
    throw new ValidationError('baseUrl must be an http(s) URL', [{ field: 'baseUrl', message: 'must be an http(s) URL' }]);
  }
  if (input.signingCertificates.length === 0) {
    throw new ValidationError('at least one signing certificate is required', [{ field: 'signingCertificates', message: 'required' }]);
  }
  const certs = [...new Set(input.signingCertificates.map((c) => c.replace(/\s+/g, '')))];
  certs.forEach((c, i) => {
    if (!BASE64.test(c)) {
      throw new ValidationError('signing certificate must be base64 DER', [{ field: `signingCertificates.${i}`, message: 'must be base64 DER' }]);
    }
  });
  const sso = xmlAttr(idpSsoUrl(input.baseUrl), 'baseUrl');
  const slo = xmlAttr(idpSloUrl(input.baseUrl), 'baseUrl');
  const validUntil = input.validUntil ? ` validUntil="${samlInstant(input.validUntil)}"` : '';

  // Child order follows the schema: KeyDescriptor*, SingleLogoutService*, NameIDFormat*,
  // SingleSignOnService+ (SAML Metadata §2.4.1, §2.4.2, §2.4.3).
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<md:EntityDescriptor xmlns:md="${NS_MD}" xmlns:ds="${NS_DS}" entityID="${xmlAttr(idpEntityId(input.baseUrl), 'baseUrl')}"${validUntil}>` +
    `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="${PROTOCOL_SAML2}">` +
    certs
      .map(
        (c) =>
          `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${c}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
      )
      .join('') +
    `<md:SingleLogoutService Binding="${BINDING_HTTP_REDIRECT}" Location="${slo}"/>` +
    `<md:SingleLogoutService Binding="${BINDING_HTTP_POST}" Location="${slo}"/>` +
    (input.nameIdFormats ?? DEFAULT_NAMEID_FORMATS)
      .map((f, i) => `<md:NameIDFormat>${xmlText(f, `nameIdFormats.${i}`)}</md:NameIDFormat>`)
      .join('') +
    `<md:SingleSignOnService Binding="${BINDING_HTTP_REDIRECT}" Location="${sso}"/>` +
    `<md:SingleSignOnService Binding="${BINDING_HTTP_POST}" Location="${sso}"/>` +
    `</md:IDPSSODescriptor></md:EntityDescriptor>\n`
  );
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
