// An OIDC application as oidc-provider's client metadata (OpenID Connect Dynamic Client
// Registration 1.0 §2 names): the provider reads clients only through this, so an application's
// change counts at its next request, on every node.
import type { Application } from '../../model/types.ts';

/** Our own client metadata field: the app's token lifetimes (model/oidc.ts). */
export const LIFETIMES_METADATA = 'gatehouse_token_lifetimes';

export function oidcClientMetadata(app: Application): Record<string, unknown> | undefined {
  const oidc = app.oidc;
  if (app.kind !== 'oidc' || !oidc) return undefined;
  const usesCode = oidc.grantTypes.includes('authorization_code');
  return {
    client_id: app.id,
    client_name: app.name,
    // The SHA-256 of the secret: server/oidc/provider.ts compares presented secrets hashed.
    ...(oidc.tokenEndpointAuthMethod === 'none' || oidc.clientSecretSha256 === null ? {} : { client_secret: oidc.clientSecretSha256 }),
    token_endpoint_auth_method: oidc.tokenEndpointAuthMethod,
    ...(oidc.tokenEndpointAuthMethod === 'private_key_jwt' && oidc.jwks ? { jwks: oidc.jwks } : {}),
    id_token_signed_response_alg: oidc.idTokenSignedResponseAlg ?? 'RS256',
    grant_types: oidc.grantTypes,
    response_types: usesCode ? ['code'] : [],
    redirect_uris: usesCode ? oidc.redirectUris : [],
    post_logout_redirect_uris: oidc.postLogoutRedirectUris,
    ...(oidc.backchannelLogoutUri ? { backchannel_logout_uri: oidc.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
    ...(oidc.initiateLoginUri ? { initiate_login_uri: oidc.initiateLoginUri } : {}),
    [LIFETIMES_METADATA]: oidc.lifetimes,
  };
}
