// OpenID Connect applications (docs/oidc-applications.md): what Gatehouse keeps of each client.

/** OAuth 2.0 client authentication at the token endpoint (OpenID Connect Core §9). */
export type OidcClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
export const OIDC_CLIENT_AUTH_METHODS: readonly OidcClientAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];

export type OidcGrantType = 'authorization_code' | 'refresh_token' | 'client_credentials' | 'urn:ietf:params:oauth:grant-type:device_code';
export const OIDC_GRANT_TYPES: readonly OidcGrantType[] = ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'];

/** The scopes Gatehouse offers; `groups` adds the user's group names as the `groups` claim. */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'groups', 'offline_access'] as const;

export interface OidcTokenLifetimes {
  accessTokenSeconds: number;
  idTokenSeconds: number;
  refreshTokenSeconds: number;
}

export const DEFAULT_OIDC_LIFETIMES: OidcTokenLifetimes = { accessTokenSeconds: 3600, idTokenSeconds: 3600, refreshTokenSeconds: 14 * 24 * 3600 };

export interface OidcClientSettings {
  tokenEndpointAuthMethod: OidcClientAuthMethod;
  /** SHA-256 (base64url) of the client secret, shown once at creation; null for public and private_key_jwt clients. */
  clientSecretSha256: string | null;
  /** Compared exactly, character for character (OpenID Connect Core §3.1.2.1). */
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  grantTypes: OidcGrantType[];
  /** Where the portal's Applications tab launches the app (OpenID Connect Core §4); null: the first redirect URI's origin. */
  initiateLoginUri: string | null;
  /** OpenID Connect Back-Channel Logout 1.0 §2.2; null: none. */
  backchannelLogoutUri: string | null;
  lifetimes: OidcTokenLifetimes;
  /** The client's public keys for private_key_jwt (RFC 7523 §2.2, OpenID Connect Core §9); absent otherwise. */
  jwks?: { keys: Record<string, unknown>[] };
  /** How its ID tokens are signed (OpenID Connect Registration §2 id_token_signed_response_alg); absent: RS256. */
  idTokenSignedResponseAlg?: 'RS256' | 'ES256';
}

/** The address the portal's Applications tab opens for an OIDC app. */
export function oidcLaunchUrl(settings: Pick<OidcClientSettings, 'initiateLoginUri' | 'redirectUris'>): string | null {
  if (settings.initiateLoginUri) return settings.initiateLoginUri;
  const first = settings.redirectUris[0];
  return first ? `${new URL(first).origin}/` : null;
}
