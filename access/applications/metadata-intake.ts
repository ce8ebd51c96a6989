// Everything Gatehouse learns about a service provider comes through here, from one of three
// places: an uploaded metadata document, a document fetched from the SP's metadata URL, or fields
// an administrator typed. All three are held to the same rules by the same parser
// (idp/saml/inbound/sp-metadata.ts: no DTD or entities, 1 MB, RSA ≥ 2048 bits (SAML2Int MD06),
// https endpoints except localhost, an entity id that is neither ours nor AWS's sign-in audience,
// validUntil not past; a signature and validUntil as the metadata trust requires, see
// metadata-trust.ts): typed fields are written into an EntityDescriptor and parsed like an upload,
// after the checks that can name the exact field they concern.
//
// A refusal is a ValidationError naming the input field (metadataXml, metadataUrl, acs.0.url, ...)
// with the parser's reason, so the admin API answers 400 saying what to fix.

import { ValidationError } from '../../model/errors.ts';
import type { Application, MetadataTrust } from '../../model/types.ts';
import { assertStrongRsaKey, readCertificate } from '../../idp/saml/inbound/certificates.ts';
import { assertEndpointUrl } from '../../idp/saml/inbound/endpoint-url.ts';
import { BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, NS_SAMLP } from '../../idp/saml/inbound/names.ts';
import { parseSpMetadata } from '../../idp/saml/inbound/sp-metadata.ts';
import { xmlAttr } from '../../idp/saml/xml-escape.ts';
import { parserOptions } from './metadata-trust.ts';

/** The fields of an application record that come from its SP's metadata; the rest are its settings. */
export type SpRecordFields = Pick<Application, 'entityId' | 'acs' | 'slo' | 'signingCertificates' | 'encryptionCertificates' | 'authnRequestsSigned'>;

/** What an application takes from its SP's metadata, and what the metadata says about itself. */
export interface SpDescription extends SpRecordFields {
  validUntil: Date | null;
  cacheDurationSeconds: number | null;
  /** NameID formats the SP lists, for information. */
  nameIdFormats: string[];
}

/** The SP's part of an application record (on creation, and whenever its metadata is replaced). */
export function spRecordFields(sp: SpDescription): SpRecordFields {
  return {
    entityId: sp.entityId,
    acs: sp.acs,
    slo: sp.slo,
    signingCertificates: sp.signingCertificates,
    encryptionCertificates: sp.encryptionCertificates,
    authnRequestsSigned: sp.authnRequestsSigned,
  };
}

export interface IntakeContext {
  /** Gatehouse's own entity id(s) (idpEntityId(config.baseUrl)). */
  ownEntityIds: readonly string[];
  now?: Date;
  /** What a metadata document must satisfy (signature, validUntil); default: nothing more. */
  trust?: MetadataTrust;
  /** Only the external AWS account template describes AWS's sign-in audience. */
  allowAwsSignInAudience?: boolean;
}

export interface TypedSpFields {
  entityId: string;
  acs: { url: string; binding?: string; index?: number; isDefault?: boolean }[];
  slo?: { url: string; binding?: string } | null;
  signingCertificates?: string[];
  encryptionCertificates?: string[];
  authnRequestsSigned?: boolean;
}

/** An uploaded or fetched document; `field` names where it came from in the request. */
export function describeFromXml(xml: string | Uint8Array, field: string, ctx: IntakeContext): SpDescription {
  try {
    return parseDescription(xml, ctx);
  } catch (e) {
    throw refused(e, () => field);
  }
}

function parseDescription(xml: string | Uint8Array, ctx: IntakeContext): SpDescription {
  const parsed = parseSpMetadata(xml, {
    ownEntityIds: ctx.ownEntityIds,
    allowHttpLocalhost: true,
    allowAwsSignInAudience: ctx.allowAwsSignInAudience === true,
    ...(ctx.now ? { now: ctx.now } : {}),
    ...(ctx.trust ? parserOptions(ctx.trust) : {}),
  });
  return {
    entityId: parsed.entityId,
    acs: parsed.acs.map((e) => ({ url: e.url, binding: e.binding, index: e.index, isDefault: e.isDefault === true })),
    slo: parsed.slo ? { url: parsed.slo.url, binding: parsed.slo.binding } : null,
    signingCertificates: parsed.signingCerts,
    encryptionCertificates: parsed.encryptionCerts,
    authnRequestsSigned: parsed.authnRequestsSigned,
    validUntil: parsed.validUntil ?? null,
    cacheDurationSeconds: parsed.cacheDurationSeconds ?? null,
    nameIdFormats: parsed.nameIdFormats,
  };
}

/**
 * Fields typed by hand, checked field by field, then as the metadata document they amount to.
 * `ctx.trust` is not applied: typed fields are no document (the caller decides whether an
 * application that requires signed metadata may take them).
 */
export function describeFromFields(fields: TypedSpFields, ctx: Omit<IntakeContext, 'trust'>): SpDescription {
  const acs = fields.acs.map((e, i) => ({
    url: e.url,
    binding: e.binding ?? BINDING_HTTP_POST,
    index: e.index ?? i,
    isDefault: e.isDefault ?? false,
  }));
  acs.forEach((e, i) => endpoint(e.url, `acs.${i}.url`, `ACS URL #${i + 1}`));
  const slo = fields.slo ? { url: fields.slo.url, binding: fields.slo.binding ?? BINDING_HTTP_REDIRECT } : null;
  if (slo) endpoint(slo.url, 'slo.url', 'SLO URL');
  const signing = (fields.signingCertificates ?? []).map((text, i) => certificateDer(text, `signingCertificates.${i}`, `signing certificate #${i + 1}`));
  const encryption = (fields.encryptionCertificates ?? []).map((text, i) => certificateDer(text, `encryptionCertificates.${i}`, `encryption certificate #${i + 1}`));

  const key = (use: string, der: string) =>
    `<md:KeyDescriptor use="${use}"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${der}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
  const xml = [
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${xmlAttr(fields.entityId, 'entityId')}">`,
    `<md:SPSSODescriptor protocolSupportEnumeration="${NS_SAMLP}" AuthnRequestsSigned="${fields.authnRequestsSigned === true}">`,
    ...signing.map((der) => key('signing', der)),
    ...encryption.map((der) => key('encryption', der)),
    ...(slo ? [`<md:SingleLogoutService Binding="${xmlAttr(slo.binding, 'slo.binding')}" Location="${xmlAttr(slo.url, 'slo.url')}"/>`] : []),
    ...acs.map((e, i) =>
      `<md:AssertionConsumerService Binding="${xmlAttr(e.binding, `acs.${i}.binding`)}" Location="${xmlAttr(e.url, `acs.${i}.url`)}" index="${e.index}" isDefault="${e.isDefault}"/>`),
    '</md:SPSSODescriptor>',
    '</md:EntityDescriptor>',
  ].join('');
  try {
    return parseDescription(xml, { ...ctx, trust: undefined });
  } catch (e) {
    // Name the typed field the document-level rule is about.
    throw refused(e, (message) =>
      /entityID/.test(message) ? 'entityId'
        : /AssertionConsumerService/.test(message) ? 'acs'
          : /SingleLogoutService/.test(message) ? 'slo'
            : /AuthnRequestsSigned/.test(message) ? 'authnRequestsSigned'
              : '(body)');
  }
}

function endpoint(url: string, field: string, what: string): void {
  try {
    assertEndpointUrl(url, what, true);
  } catch (e) {
    throw refused(e, () => field);
  }
}

/** A certificate given as PEM or base64 DER, checked (readable, RSA ≥ 2048), as base64 DER. */
function certificateDer(text: string, field: string, what: string): string {
  try {
    const cert = readCertificate(text, what);
    assertStrongRsaKey(cert, what);
    return cert.raw.toString('base64');
  } catch (e) {
    throw refused(e, () => field);
  }
}

/** The parser's refusal as a ValidationError that names the input field. */
function refused(e: unknown, fieldFor: (message: string) => string): unknown {
  if (!(e instanceof ValidationError)) return e;
  if (e.problems.length > 0 && e.problems.every((p) => p.field !== '(body)')) return e;
  const field = fieldFor(e.message);
  return new ValidationError(`${field} was refused: ${e.message}`, [{ field, message: e.message }]);
}
