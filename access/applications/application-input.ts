// The admin API's input shapes for applications (zod), one per way of making or changing one:
// a custom app (from metadata XML, a metadata URL, or typed SP fields) and an external AWS account.
// Field-level rules live here; rules across fields and against the SP's metadata are in
// application-settings.ts, and the SP's own data is checked by metadata-intake.ts.

import { z } from 'zod';
import { NAMEID_EMAIL, NAMEID_PERSISTENT, NAMEID_TRANSIENT, NAMEID_UNSPECIFIED } from '../../idp/saml/namespaces.ts';
import { ACCOUNT_ID } from '../../model/ids.ts';
import type { Application, ApplicationMetadataSource } from '../../model/types.ts';
import { NO_CONTROL_CHARACTERS, hasControlCharacters } from '../../model/text.ts';
import { parseTemplate } from './attribute-templates.ts';
import { SAML_PROVIDER_NAME } from './external-aws.ts';
import { applicationTrustInput } from './metadata-trust.ts';

/** Text of `min` to `max` characters with no control characters. */
/** An application whose SAML settings were typed in (or that has none, an OIDC one): no metadata document behind it. */
export const MANUAL_METADATA: ApplicationMetadataSource = {
  source: 'manual', url: null, xml: null, fetchedAt: null, validUntil: null, cacheDurationSeconds: null, lastError: null, nextFetchAt: null,
};

export const text = (min: number, max: number) => z.string().min(min).max(max).refine((s) => !hasControlCharacters(s), NO_CONTROL_CHARACTERS);

/** Short names an admin may use for the NameID formats (SAML Core §8.3), and the URIs stored. */
export const NAMEID_FORMAT_NAMES = {
  persistent: NAMEID_PERSISTENT,
  transient: NAMEID_TRANSIENT,
  emailAddress: NAMEID_EMAIL,
  unspecified: NAMEID_UNSPECIFIED,
} as const;

const FORMAT_INPUTS = [...Object.keys(NAMEID_FORMAT_NAMES), ...Object.values(NAMEID_FORMAT_NAMES)] as [string, ...string[]];
const nameIdFormat = z
  .enum(FORMAT_INPUTS, 'must be persistent, transient, emailAddress or unspecified (or the format URI)')
  .transform((v) => (NAMEID_FORMAT_NAMES as Record<string, string>)[v] ?? v);

export const ATTRNAME_FORMATS = [
  'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
  'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
  'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified',
] as const;

/** An attribute or claim value in the template grammar (attribute-templates.ts); OIDC claims use it too. */
export const templateValue = z
  .string()
  .min(1)
  .max(1024)
  .refine((s) => !hasControlCharacters(s), NO_CONTROL_CHARACTERS)
  .superRefine((value, ctx) => {
    const parsed = parseTemplate(value);
    if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
  });

const attributeMappings = z
  .array(z.strictObject({ name: text(1, 256), nameFormat: z.enum(ATTRNAME_FORMATS).optional(), value: templateValue }))
  .max(50)
  .superRefine((mappings, ctx) => {
    const seen = new Set<string>();
    mappings.forEach((m, i) => {
      if (seen.has(m.name)) ctx.addIssue({ code: 'custom', message: `another mapping already has the name ${JSON.stringify(m.name)}`, path: [i, 'name'] });
      seen.add(m.name);
    });
  });

/** Per-app settings, the same for both kinds; all optional (defaults or current values apply). */
export const settingsShape = {
  description: text(0, 1024).optional(),
  nameIdFormat: nameIdFormat.optional(),
  nameIdSource: z.enum(['email', 'userName', 'persistent', 'transient']).optional(),
  attributeMappings: attributeMappings.optional(),
  signResponse: z.boolean().optional(),
  signAssertion: z.boolean().optional(),
  encryptAssertion: z.boolean().optional(),
  /** AWS SessionDuration bounds, used for every app: 15 min .. 12 h; null: the portal session's end. */
  sessionDurationSeconds: z.number().int().min(900).max(43200).nullable().optional(),
  defaultRelayState: text(1, 2048).nullable().optional(),
};

const certificates = z.array(z.string().min(1).max(16384)).max(16);
const acsInput = z.strictObject({
  url: z.string().max(2048),
  binding: z.string().min(1).max(256).optional(),
  index: z.number().int().min(0).max(65535).optional(),
  isDefault: z.boolean().optional(),
});
const spFieldsShape = {
  entityId: z.string().min(1).max(1024).optional(),
  acs: z.array(acsInput).min(1).max(64).optional(),
  slo: z.strictObject({ url: z.string().max(2048), binding: z.string().min(1).max(256).optional() }).nullable().optional(),
  signingCertificates: certificates.optional(),
  encryptionCertificates: certificates.optional(),
  authnRequestsSigned: z.boolean().optional(),
};
/** The SP fields an admin may type; giving any of them means "typed by hand". */
export const SP_FIELD_NAMES = Object.keys(spFieldsShape) as (keyof typeof spFieldsShape)[];

// Metadata is capped at 1 MB by the parser, which says so; these caps only stop absurd input early.
const metadataXml = z.string().min(1).max(4 * 1024 * 1024);
const metadataUrl = z.string().min(1).max(2048);

export const customCreateSchema = z.strictObject({
  kind: z.literal('custom').optional(),
  name: text(1, 128),
  metadataXml: metadataXml.optional(),
  metadataUrl: metadataUrl.optional(),
  metadataTrust: applicationTrustInput.optional(),
  ...spFieldsShape,
  ...settingsShape,
});

export const customUpdateSchema = z.strictObject({
  name: text(1, 128).optional(),
  metadataXml: metadataXml.optional(),
  metadataUrl: metadataUrl.optional(),
  metadataTrust: applicationTrustInput.optional(),
  ...spFieldsShape,
  ...settingsShape,
});

const roles = z
  .array(z.strictObject({ roleArn: z.string().min(1).max(2048), label: text(1, 64).optional() }))
  .min(1)
  .max(100)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((r, i) => {
      if (seen.has(r.roleArn)) ctx.addIssue({ code: 'custom', message: 'is listed twice', path: [i, 'roleArn'] });
      seen.add(r.roleArn);
    });
  });

const externalShape = {
  samlProviderName: z.string().regex(SAML_PROVIDER_NAME, 'must match [A-Za-z0-9._-]{1,128} (the IAM SAML provider name)'),
  roles,
  /** Where AWS receives the assertion; default https://signin.aws.amazon.com/saml. */
  signInEndpoint: z.string().min(1).max(2048),
  encryptionCertificates: certificates,
};

export const externalCreateSchema = z.strictObject({
  kind: z.literal('external-aws-account'),
  name: text(1, 128),
  accountId: z.string().regex(ACCOUNT_ID, 'must be exactly 12 digits'),
  samlProviderName: externalShape.samlProviderName,
  roles: externalShape.roles,
  signInEndpoint: externalShape.signInEndpoint.optional(),
  encryptionCertificates: externalShape.encryptionCertificates.optional(),
  ...settingsShape,
});

export const externalUpdateSchema = z.strictObject({
  name: text(1, 128).optional(),
  samlProviderName: externalShape.samlProviderName.optional(),
  roles: externalShape.roles.optional(),
  signInEndpoint: externalShape.signInEndpoint.optional(),
  encryptionCertificates: externalShape.encryptionCertificates.optional(),
  ...settingsShape,
});

/** Name (and description) given with a raw metadata upload, in the query string. */
export const uploadParamsSchema = z.object({ name: text(1, 128), description: text(0, 1024).optional() });

export const assignmentInputSchema = z.strictObject({
  principalType: z.enum(['USER', 'GROUP']),
  principalId: z.string().min(1).max(64),
  roleArns: z.array(z.string().min(1).max(2048)).max(100).optional(),
});
export const unassignInputSchema = z.object({ principalType: z.enum(['USER', 'GROUP']), principalId: z.string().min(1).max(64) });

/** An application's per-app settings, complete (see application-settings.ts for defaults and rules). */
export type Settings = Pick<
  Application,
  | 'description'
  | 'nameIdFormat'
  | 'nameIdSource'
  | 'attributeMappings'
  | 'signResponse'
  | 'signAssertion'
  | 'encryptAssertion'
  | 'sessionDurationSeconds'
  | 'defaultRelayState'
>;
export type SettingsInput = Partial<Settings>;
