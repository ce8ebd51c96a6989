// How far an SP's metadata documents are trusted (docs/saml-applications.md, "Reserved names and
// metadata trust"): whether a document must be signed, by which certificates (SAML Metadata §3;
// the document's own KeyInfo never counts), and whether it must say when it expires (validUntil,
// SAML Metadata §2.3.2). The instance sets the defaults; an application may require more or less
// for itself, and may name its own signer. Nothing is required unless someone asks for it, as
// before these settings existed: most SPs publish unsigned metadata without validUntil, and an
// administrator uploading a document by hand is already the one vouching for it.

import { z } from 'zod';
import { assertStrongRsaKey, readCertificate } from '../../idp/saml/inbound/certificates.ts';
import { ValidationError } from '../../model/errors.ts';
import type { ApplicationMetadataTrust, MetadataTrust } from '../../model/types.ts';

export const INHERITED_TRUST: ApplicationMetadataTrust = { requireSignature: null, requireValidUntil: null, signingCertificates: [] };

const certificates = z.array(z.string().min(1).max(16384)).max(16);

/** An application's own trust, as the admin API takes it; each part optional (current values stay). */
export const applicationTrustInput = z.strictObject({
  /** null: follow the instance. */
  requireSignature: z.boolean().nullable().optional(),
  requireValidUntil: z.boolean().nullable().optional(),
  /** Empty: the instance's certificates. */
  signingCertificates: certificates.optional(),
});

/** The instance's defaults, as the admin API takes them; each part optional (current values stay). */
export const instanceTrustInput = z.strictObject({
  requireSignature: z.boolean().optional(),
  requireValidUntil: z.boolean().optional(),
  signingCertificates: certificates.optional(),
});

/** What applies to an application's documents: its own choices, else the instance's. */
export function effectiveTrust(app: ApplicationMetadataTrust, instance: MetadataTrust): MetadataTrust {
  return {
    requireSignature: app.requireSignature ?? instance.requireSignature,
    requireValidUntil: app.requireValidUntil ?? instance.requireValidUntil,
    signingCertificates: app.signingCertificates.length > 0 ? app.signingCertificates : instance.signingCertificates,
  };
}

/** The metadata parser's options for `trust` (idp/saml/inbound/sp-metadata.ts). */
export function parserOptions(trust: MetadataTrust): { signature: { certificates: readonly string[]; required: boolean }; requireValidUntil: boolean } {
  return { signature: { certificates: trust.signingCertificates, required: trust.requireSignature }, requireValidUntil: trust.requireValidUntil };
}

/** Certificates given as PEM or base64 DER, checked (readable, RSA ≥ 2048 bits), as PEM; refusals name `field.<i>`. */
export function signerCertificates(texts: readonly string[], field: string): string[] {
  const pems: string[] = [];
  texts.forEach((text, i) => {
    const what = `metadata signing certificate #${i + 1}`;
    try {
      const cert = readCertificate(text, what);
      assertStrongRsaKey(cert, what);
      const pem = cert.toString();
      if (!pems.includes(pem)) pems.push(pem);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      throw new ValidationError(`Invalid ${field}.${i}: ${e.message}`, [{ field: `${field}.${i}`, message: e.message }]);
    }
  });
  return pems;
}

/** An application's trust after a change: the given parts replace the current ones. */
export function mergedApplicationTrust(current: ApplicationMetadataTrust, input: z.infer<typeof applicationTrustInput>, field: string): ApplicationMetadataTrust {
  return {
    requireSignature: input.requireSignature === undefined ? current.requireSignature : input.requireSignature,
    requireValidUntil: input.requireValidUntil === undefined ? current.requireValidUntil : input.requireValidUntil,
    signingCertificates: input.signingCertificates === undefined ? current.signingCertificates : signerCertificates(input.signingCertificates, `${field}.signingCertificates`),
  };
}
