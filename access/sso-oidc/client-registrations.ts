// RegisterClient (`POST /client/register`, docs/aws-cli.md): a public client (the AWS CLI, an SDK)
// registers itself and gets a client id and secret that last about 90 days. Registrations live in
// the ephemeral store under their client id, holding only the secret's SHA-256.
import { systemClock, type Clock } from '../../model/clock.ts';
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';
import { asBody, isHttpUrl, optionalString, optionalStringList, requiredString } from './input.ts';
import { OAuthError } from './oauth-errors.ts';
import { RateLimit } from './rate-limit.ts';
import { parseLoopbackUri } from './redirect-uris.ts';
import { checkScopes } from './scopes.ts';
import { newSecret, sameString, sha256 } from './secrets.ts';
import type { SsoOidcSettings } from './settings.ts';

export const GRANT_DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';
export const GRANT_REFRESH_TOKEN = 'refresh_token';
export const GRANT_AUTHORIZATION_CODE = 'authorization_code';
const GRANT_TYPES = [GRANT_DEVICE_CODE, GRANT_REFRESH_TOKEN, GRANT_AUTHORIZATION_CODE];

/** Client names are chosen by whoever registers; they are shown (escaped) on approval pages. */
export const MAX_CLIENT_NAME = 128;

export interface ClientRegistration {
  clientId: string;
  clientName: string;
  clientType: 'public';
  scopes: string[];
  redirectUris: string[];
  grantTypes: string[];
  issuerUrl: string | null;
  secretHash: string;
  /** Epoch seconds. */
  issuedAt: number;
  /** Epoch seconds. */
  expiresAt: number;
}

export interface RegisterClientResult {
  clientId: string;
  clientSecret: string;
  clientIdIssuedAt: number;
  clientSecretExpiresAt: number;
  authorizationEndpoint: string;
  tokenEndpoint: string;
}

const clientKey = (clientId: string) => `oidc-client:${clientId}`;

export class ClientRegistrationService {
  readonly #rate: RateLimit;

  constructor(
    private readonly store: EphemeralStore,
    private readonly settings: SsoOidcSettings,
    private readonly clock: Clock = systemClock,
  ) {
    this.#rate = new RateLimit(store, 'register', settings.registrationsPerMinute, 60);
  }

  /** Validates everything before storing anything: bad input changes nothing. */
  async register(input: unknown, clientAddress: string): Promise<RegisterClientResult> {
    const body = asBody(input);
    const clientName = requiredString(body, 'clientName', MAX_CLIENT_NAME, 'invalid_client_metadata');
    if ([...clientName].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) throw new OAuthError('invalid_client_metadata', 'clientName must not contain control characters');
    const clientType = requiredString(body, 'clientType', 32, 'invalid_client_metadata');
    if (clientType !== 'public') throw new OAuthError('invalid_client_metadata', 'clientType must be "public"');
    const scopes = optionalStringList(body, 'scopes', 25, 128, 'invalid_scope') ?? [];
    checkScopes(scopes);
    const redirectUris = optionalStringList(body, 'redirectUris', 10, 512, 'invalid_redirect_uri') ?? [];
    const badUri = redirectUris.find((u) => !parseLoopbackUri(u));
    if (badUri !== undefined) throw new OAuthError('invalid_redirect_uri', 'redirectUris must be loopback URIs such as http://127.0.0.1/oauth/callback (RFC 8252 §7.3)');
    const grantTypes = optionalStringList(body, 'grantTypes', 5, 128, 'unsupported_grant_type') ?? [];
    const badGrant = grantTypes.find((g) => !GRANT_TYPES.includes(g));
    if (badGrant !== undefined) throw new OAuthError('unsupported_grant_type', `Unsupported grant type: ${badGrant.slice(0, 64)}`);
    if (grantTypes.includes(GRANT_AUTHORIZATION_CODE) && redirectUris.length === 0) {
      throw new OAuthError('invalid_redirect_uri', 'The authorization_code grant needs at least one redirect URI');
    }
    const issuerUrl = optionalString(body, 'issuerUrl', 1024, 'invalid_client_metadata') ?? null;
    if (issuerUrl !== null && !isHttpUrl(issuerUrl)) throw new OAuthError('invalid_client_metadata', 'issuerUrl must be an http(s) URL');
    optionalString(body, 'entitledApplicationArn', 1224);

    if (!(await this.#rate.hit(clientAddress))) throw new OAuthError('slow_down', 'Too many client registrations from this address; try again in a minute');

    const issuedAt = Math.floor(this.clock.now() / 1000);
    const clientId = newSecret('ghc-');
    const clientSecret = newSecret('ghs-');
    const registration: ClientRegistration = {
      clientId,
      clientName,
      clientType: 'public',
      scopes,
      redirectUris,
      grantTypes,
      issuerUrl,
      secretHash: sha256(clientSecret),
      issuedAt,
      expiresAt: issuedAt + this.settings.clientRegistrationSeconds,
    };
    await this.store.set(clientKey(clientId), JSON.stringify(registration), this.settings.clientRegistrationSeconds);
    return {
      clientId,
      clientSecret,
      clientIdIssuedAt: issuedAt,
      clientSecretExpiresAt: registration.expiresAt,
      authorizationEndpoint: `${this.settings.baseUrl}/authorize`,
      tokenEndpoint: `${this.settings.baseUrl}/token`,
    };
  }

  /** The live registration by id (for pages that name the client), or null. */
  async find(clientId: string): Promise<ClientRegistration | null> {
    if (!clientId || clientId.length > 128) return null;
    const raw = await this.store.get(clientKey(clientId));
    if (!raw) return null;
    const registration = JSON.parse(raw) as ClientRegistration;
    return registration.expiresAt * 1000 > this.clock.now() ? registration : null;
  }

  /**
   * The registration whose id and secret these are; InvalidClientException otherwise, with one
   * message whether the id is unknown, expired or the secret wrong.
   */
  async authenticate(clientId: unknown, clientSecret: unknown): Promise<ClientRegistration> {
    if (typeof clientId !== 'string' || typeof clientSecret !== 'string' || clientSecret.length > 256) throw invalidClient();
    const registration = await this.find(clientId);
    if (!registration || !sameString(registration.secretHash, sha256(clientSecret))) throw invalidClient();
    return registration;
  }
}

const invalidClient = () => new OAuthError('invalid_client', 'Invalid client: unknown or expired client id, or wrong client secret');
