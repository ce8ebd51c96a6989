// Scopes of the SSO OIDC API. Gatehouse tokens can do one thing: reach the SSO portal API
// (accounts, roles, role credentials), which AWS calls `sso:account:access`. Other AWS scopes
// (codewhisperer:*, ...) name services Gatehouse does not offer, so asking for them is
// InvalidScopeException rather than a token that silently cannot do what was asked.
import { OAuthError } from './oauth-errors.ts';

export const ACCOUNT_ACCESS = 'sso:account:access';
export const SUPPORTED_SCOPES: readonly string[] = [ACCOUNT_ACCESS];

export function checkScopes(scopes: readonly string[]): void {
  const unknown = scopes.filter((s) => !SUPPORTED_SCOPES.includes(s));
  if (unknown.length) throw new OAuthError('invalid_scope', `Unsupported scope: ${unknown[0]!.slice(0, 64)}; Gatehouse supports ${SUPPORTED_SCOPES.join(', ')}`);
}

/**
 * The scopes a token carries. Clients registered without scopes (the CLI's legacy profiles) get
 * account access, the only thing their tokens are used for; a request for fewer is honoured.
 */
export function grantedScopes(registered: readonly string[], requested?: readonly string[]): string[] {
  const base = registered.length ? [...registered] : [ACCOUNT_ACCESS];
  if (!requested || requested.length === 0) return base;
  const extra = requested.filter((s) => !base.includes(s));
  if (extra.length) throw new OAuthError('invalid_scope', `Scope ${extra[0]!.slice(0, 64)} was not registered for this client`);
  return [...requested];
}
