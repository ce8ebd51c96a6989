// OIDC applications as data (docs/oidc-applications.md): made and changed through the same
// /api/v1/applications as SAML ones, with `kind: "oidc"`. The client id is the application id;
// the client secret is generated here, returned once, and kept as SHA-256 only (it is 256 random
// bits, so no slow hash is needed). A refused input says why and stores nothing.
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '../../model/errors.ts';
import { newApplicationId } from '../../model/ids.ts';
import { DEFAULT_OIDC_LIFETIMES, OIDC_CLIENT_AUTH_METHODS, OIDC_GRANT_TYPES, type OidcClientSettings } from '../../model/oidc.ts';
import type { Application } from '../../model/types.ts';
import { parseInput } from '../../model/validate.ts';
import type { ApplicationPatch, NewApplication } from '../../store/stores.ts';
import { NAMEID_PERSISTENT } from '../../idp/saml/namespaces.ts';
import { MANUAL_METADATA, templateValue, text } from '../applications/application-input.ts';


/**
 * A redirect URI: absolute, no fragment (RFC 6749 §3.1.2), https except on the loopback address
 * (RFC 8252 §7.3), or a private-use scheme of a native app (RFC 8252 §7.1).
 */
const redirectUri = z.string().max(2048).superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an absolute URI' });
    return;
  }
  if (url.hash || value.includes('#')) ctx.addIssue({ code: 'custom', message: 'must not have a fragment (RFC 6749 §3.1.2)' });
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:' && !loopback) ctx.addIssue({ code: 'custom', message: 'must use https (http only for localhost)' });
  if (url.protocol === 'javascript:' || url.protocol === 'data:') ctx.addIssue({ code: 'custom', message: 'must not be a javascript: or data: URI' });
});

/**
 * A back-channel logout endpoint: the rules of a redirect URI (absolute, no fragment, https except
 * on the loopback address; OpenID Connect Back-Channel Logout 1.0 §2.2), and reachable over HTTP:
 * the provider POSTs the logout token to it (§2.5).
 */
const backchannelLogoutUri = redirectUri.refine((v) => /^https?:\/\//i.test(v), 'must be an http(s) URL: the logout token is POSTed to it');

const httpsUrl = z.string().max(2048).refine((v) => {
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || (u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname));
  } catch {
    return false;
  }
}, 'must be an https URL (http only for localhost)');

const lifetimes = z.strictObject({
  accessTokenSeconds: z.number().int().min(60).max(86400).optional(),
  idTokenSeconds: z.number().int().min(60).max(86400).optional(),
  refreshTokenSeconds: z.number().int().min(300).max(90 * 86400).optional(),
});

/** Public keys only (RFC 7517 §4): a key with a private part is refused, so none is ever stored. */
const publicJwk = z.record(z.string(), z.unknown()).superRefine((k, ctx) => {
  if (k.kty !== 'RSA' && k.kty !== 'EC') ctx.addIssue({ code: 'custom', message: 'kty must be RSA or EC' });
  if ('d' in k || 'p' in k || 'q' in k) ctx.addIssue({ code: 'custom', message: 'must be a public key: remove the private part (d) and never send it' });
});
const jwks = z.strictObject({ keys: z.array(publicJwk).min(1).max(10) });

/**
 * Claims an application can never map: those the JWT and OpenID Connect define or Gatehouse sets
 * itself (RFC 7519 §4.1, OpenID Connect Core §2 and §5.1).
 */
export const RESERVED_CLAIMS = new Set([
  'iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'auth_time', 'nonce', 'acr', 'amr', 'azp', 'sid', 'at_hash', 'c_hash', 's_hash',
  'name', 'preferred_username', 'given_name', 'family_name', 'email', 'email_verified', 'groups', 'updated_at', 'scope', 'client_id', 'cnf',
]);

/** Custom claims, in the template grammar of SAML attribute mappings (access/applications/attribute-templates.ts). */
const claimMappings = z
  .array(z.strictObject({ name: z.string().regex(/^[A-Za-z][\w.:-]{0,63}$/, 'must start with a letter and hold letters, digits, _ . : - (64 at most)'), value: templateValue }))
  .max(30)
  .superRefine((mappings, ctx) => {
    const seen = new Set<string>();
    mappings.forEach((m, i) => {
      if (RESERVED_CLAIMS.has(m.name)) ctx.addIssue({ code: 'custom', message: `${m.name} is a claim Gatehouse sets itself`, path: [i, 'name'] });
      if (seen.has(m.name)) ctx.addIssue({ code: 'custom', message: `another mapping already has the name ${JSON.stringify(m.name)}`, path: [i, 'name'] });
      seen.add(m.name);
    });
  });

const oidcFields = {
  description: text(0, 1024).optional(),
  redirectUris: z.array(redirectUri).max(20).optional(),
  postLogoutRedirectUris: z.array(redirectUri).max(20).optional(),
  tokenEndpointAuthMethod: z.enum(OIDC_CLIENT_AUTH_METHODS as [string, ...string[]]).optional(),
  grantTypes: z.array(z.enum(OIDC_GRANT_TYPES as [string, ...string[]])).min(1).max(4).optional(),
  initiateLoginUri: httpsUrl.nullable().optional(),
  backchannelLogoutUri: backchannelLogoutUri.nullable().optional(),
  lifetimes: lifetimes.optional(),
  idTokenSignedResponseAlg: z.enum(['RS256', 'ES256']).optional(),
  jwks: jwks.optional(),
  claimMappings: claimMappings.optional(),
};

export const oidcCreateSchema = z.strictObject({ kind: z.literal('oidc'), name: text(1, 256), ...oidcFields });
export const oidcUpdateSchema = z.strictObject({ name: text(1, 256).optional(), ...oidcFields });

const fieldError = (field: string, message: string) => new ValidationError(`Invalid application: ${field}: ${message}`, [{ field, message }]);

/** The rules across fields (OpenID Connect Core §3.1.2.1, RFC 7636 §4.4.1, RFC 6749 §4.4). */
function assertClient(c: OidcClientSettings): void {
  const grants = new Set(c.grantTypes);
  if (grants.has('authorization_code') && c.redirectUris.length === 0) {
    throw fieldError('redirectUris', 'an application using the authorization code grant needs at least one redirect URI');
  }
  if (grants.has('client_credentials') && c.tokenEndpointAuthMethod === 'none') {
    throw fieldError('grantTypes', 'a public client (tokenEndpointAuthMethod none) cannot use client_credentials: it has no secret to authenticate with');
  }
  if (c.tokenEndpointAuthMethod === 'private_key_jwt' && !c.jwks) {
    throw fieldError('jwks', 'private_key_jwt needs the client\'s public keys (jwks) to check its signed assertions');
  }
  if (grants.has('refresh_token') && !grants.has('authorization_code') && !grants.has('urn:ietf:params:oauth:grant-type:device_code')) {
    throw fieldError('grantTypes', 'refresh_token needs authorization_code or the device code grant to obtain the first refresh token');
  }
}

const hashSecret = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('base64url');

/** A new client secret and its stored form. */
export function newClientSecret(): { secret: string; sha256: string } {
  const secret = randomBytes(32).toString('base64url');
  return { secret, sha256: hashSecret(secret) };
}

/** A new OIDC application record, and the client secret to show once (null for a public client). */
export function newOidcApplication(input: unknown): { app: NewApplication; clientSecret: string | null } {
  const data = parseInput(oidcCreateSchema, input, 'application');
  const method = (data.tokenEndpointAuthMethod ?? 'client_secret_basic') as OidcClientSettings['tokenEndpointAuthMethod'];
  const secret = method === 'none' || method === 'private_key_jwt' ? null : newClientSecret();
  const settings: OidcClientSettings = {
    tokenEndpointAuthMethod: method,
    clientSecretSha256: secret?.sha256 ?? null,
    redirectUris: data.redirectUris ?? [],
    postLogoutRedirectUris: data.postLogoutRedirectUris ?? [],
    grantTypes: (data.grantTypes ?? ['authorization_code', 'refresh_token']) as OidcClientSettings['grantTypes'],
    initiateLoginUri: data.initiateLoginUri ?? null,
    backchannelLogoutUri: data.backchannelLogoutUri ?? null,
    lifetimes: { ...DEFAULT_OIDC_LIFETIMES, ...data.lifetimes },
    idTokenSignedResponseAlg: data.idTokenSignedResponseAlg ?? 'RS256',
    ...(data.jwks ? { jwks: data.jwks } : {}),
  };
  assertClient(settings);
  const id = newApplicationId();
  const app: NewApplication = {
    id,
    name: data.name,
    description: data.description ?? '',
    kind: 'oidc',
    entityId: id,
    // The SAML fields of an OIDC application are empty and unused.
    acs: [],
    slo: null,
    signingCertificates: [],
    encryptionCertificates: [],
    authnRequestsSigned: false,
    metadata: MANUAL_METADATA,
    metadataTrust: { requireSignature: null, requireValidUntil: null, signingCertificates: [] },
    nameIdFormat: NAMEID_PERSISTENT,
    nameIdSource: 'persistent',
    // An OIDC app's custom claims (claimMappings) are kept as its attribute mappings.
    attributeMappings: data.claimMappings ?? [],
    signResponse: true,
    signAssertion: true,
    encryptAssertion: false,
    sessionDurationSeconds: null,
    defaultRelayState: null,
    externalAwsAccount: null,
    oidc: settings,
  };
  return { app, clientSecret: secret?.secret ?? null };
}

/** The patch of an OIDC application's update; a change to a public client drops its secret, the reverse makes one (returned once). */
export function oidcPatch(app: Application, input: unknown): { patch: ApplicationPatch; clientSecret: string | null } {
  const data = parseInput(oidcUpdateSchema, input, 'application');
  const current = app.oidc!;
  const method = (data.tokenEndpointAuthMethod ?? current.tokenEndpointAuthMethod) as OidcClientSettings['tokenEndpointAuthMethod'];
  const usesSecret = method === 'client_secret_basic' || method === 'client_secret_post';
  const secret = usesSecret && current.clientSecretSha256 === null ? newClientSecret() : null;
  const jwksNow = data.jwks ?? current.jwks;
  const settings: OidcClientSettings = {
    ...(jwksNow ? { jwks: jwksNow } : {}),
    tokenEndpointAuthMethod: method,
    clientSecretSha256: usesSecret ? (secret?.sha256 ?? current.clientSecretSha256) : null,
    redirectUris: data.redirectUris ?? current.redirectUris,
    postLogoutRedirectUris: data.postLogoutRedirectUris ?? current.postLogoutRedirectUris,
    grantTypes: (data.grantTypes ?? current.grantTypes) as OidcClientSettings['grantTypes'],
    initiateLoginUri: data.initiateLoginUri === undefined ? current.initiateLoginUri : data.initiateLoginUri,
    backchannelLogoutUri: data.backchannelLogoutUri === undefined ? current.backchannelLogoutUri : data.backchannelLogoutUri,
    lifetimes: { ...current.lifetimes, ...data.lifetimes },
    idTokenSignedResponseAlg: data.idTokenSignedResponseAlg ?? current.idTokenSignedResponseAlg ?? 'RS256',
  };
  assertClient(settings);
  const patch: ApplicationPatch = { oidc: settings };
  if (data.name !== undefined) patch.name = data.name;
  if (data.description !== undefined) patch.description = data.description;
  if (data.claimMappings !== undefined) patch.attributeMappings = data.claimMappings;
  return { patch, clientSecret: secret?.secret ?? null };
}

/** A new secret for a confidential client, replacing the old one at once. */
export function rotatedSecret(app: Application): { patch: ApplicationPatch; clientSecret: string } {
  if (app.kind !== 'oidc' || !app.oidc) throw fieldError('id', 'only OIDC applications have a client secret');
  if (app.oidc.tokenEndpointAuthMethod === 'none' || app.oidc.tokenEndpointAuthMethod === 'private_key_jwt') {
    throw fieldError('tokenEndpointAuthMethod', `a client authenticating with ${app.oidc.tokenEndpointAuthMethod} has no client secret`);
  }
  const secret = newClientSecret();
  return { patch: { oidc: { ...app.oidc, clientSecretSha256: secret.sha256 } }, clientSecret: secret.secret };
}
