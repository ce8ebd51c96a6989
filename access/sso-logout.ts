// The SSO portal API's Logout (`aws sso logout`, POST /logout): the CLI sign-in the
// bearer token belongs to ends on every node. Its access tokens die and, with them, the refresh
// tokens of that sign-in, so nothing it was given can mint another access token; the user's cached
// role credentials are dropped too, so the next GetRoleCredentials after signing in again goes to
// STS. Other sign-ins of the same person (another terminal, the portal in a browser) go on.
import { UnauthenticatedError } from '../model/errors.ts';
import type { AuditStore } from '../store/stores.ts';
import type { CredentialCache } from './credential-cache.ts';
import { SESSION_INVALID } from './role-credentials.ts';
import type { SsoAccessTokenService } from './sso-access-tokens.ts';
import type { TokenFamilies } from './sso-oidc/token-families.ts';

export class SsoLogoutService {
  constructor(
    private readonly deps: {
      tokens: SsoAccessTokenService;
      families: TokenFamilies;
      credentialCache: CredentialCache;
      audit: AuditStore;
    },
  ) {}

  /** Ends the sign-in of a live token; UnauthenticatedError for a dead one. */
  async logout(accessToken: string | undefined): Promise<void> {
    const token = await this.deps.tokens.resolve(accessToken);
    if (!token) throw new UnauthenticatedError(SESSION_INVALID);
    await this.deps.tokens.revoke(accessToken!);
    if (token.familyId !== undefined) await this.deps.families.end(token.familyId, token.portalSessionHash);
    await this.deps.credentialCache.purgeUser(token.userId);
    await this.deps.audit.append({ actor: token.userId, action: 'sso.logout', target: 'sso-api', detail: { clientId: token.clientId, signInEnded: token.familyId !== undefined } });
  }
}
