// The OAuth error codes of the SSO OIDC API (reference/docs/aws-cli.md, "Errors"; RFC 6749
// §5.2, RFC 8628 §3.5). Services throw OAuthError with the code the client must see; the HTTP
// surface (server/aws/oidc/errors.ts) turns each code into its AWS exception name and status once.
import { DomainError } from '../../model/errors.ts';

export type OAuthErrorCode =
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'
  | 'access_denied'
  | 'invalid_grant'
  | 'invalid_request'
  | 'invalid_scope'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_client_metadata'
  | 'invalid_redirect_uri'
  | 'invalid_client';

const KIND: Record<OAuthErrorCode, DomainError['kind']> = {
  authorization_pending: 'forbidden',
  slow_down: 'throttled',
  expired_token: 'unauthenticated',
  access_denied: 'forbidden',
  invalid_grant: 'validation',
  invalid_request: 'validation',
  invalid_scope: 'validation',
  unauthorized_client: 'forbidden',
  unsupported_grant_type: 'validation',
  invalid_client_metadata: 'validation',
  invalid_redirect_uri: 'validation',
  invalid_client: 'unauthenticated',
};

export class OAuthError extends DomainError {
  readonly kind: DomainError['kind'];
  constructor(
    readonly code: OAuthErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'OAuthError';
    this.kind = KIND[code];
  }
}

export const isOAuthError = (e: unknown): e is OAuthError => e instanceof OAuthError;
