// CreateToken (`POST /token`, docs/aws-cli.md): authenticates the client, redeems one of the three
// grants, and mints an SSO bearer token plus a refresh token for the person who approved, bound to
// the portal session in which they approved (docs/security.md: "Tokens and sessions"). Before minting, the person is
// re-read from their identity source: a user disabled since approving gets nothing.
//
// Every token minted joins the family of its sign-in (token-families.ts): a new family for a
// device code, the code's own family for an authorization code, the refresh token's for a
// refresh. A family ended before or while this mint was under way makes the mint fail: its ended
// marker is read once the new tokens are stored (a refresh token of an ended family is taken by
// its redemption and so ends with the failed mint).
import type { PortalSession } from '../portal-sessions.ts';
import type { SsoAccessTokenService } from '../sso-access-tokens.ts';
import type { IdentitySource } from '../../directory/identity-source.ts';
import type { User } from '../../model/types.ts';
import type { AuditStore } from '../../store/stores.ts';
import type { AuthorizationCodeService } from './authorization-codes.ts';
import { GRANT_AUTHORIZATION_CODE, GRANT_DEVICE_CODE, GRANT_REFRESH_TOKEN, type ClientRegistrationService } from './client-registrations.ts';
import type { Approval, DeviceAuthorizationService } from './device-authorizations.ts';
import { asBody, optionalString, optionalStringList, requiredString } from './input.ts';
import { OAuthError } from './oauth-errors.ts';
import type { RefreshTokenService } from './refresh-tokens.ts';
import { grantedScopes } from './scopes.ts';
import type { SsoOidcSettings } from './settings.ts';
import type { TokenFamilies } from './token-families.ts';
import { activeUser } from '../sessions/signed-in-person.ts';

export interface CreateTokenResult {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
}

export interface TokenGrantDependencies {
  clients: ClientRegistrationService;
  devices: DeviceAuthorizationService;
  codes: AuthorizationCodeService;
  refreshTokens: RefreshTokenService;
  accessTokens: SsoAccessTokenService;
  families: TokenFamilies;
  portalSession(hash: string): Promise<PortalSession | null>;
  identitySourceFor(source: User['source']): IdentitySource;
  audit: Pick<AuditStore, 'append'>;
}

export class TokenGrantService {
  constructor(
    private readonly deps: TokenGrantDependencies,
    private readonly settings: SsoOidcSettings,
  ) {}

  async createToken(input: unknown): Promise<CreateTokenResult> {
    const body = asBody(input);
    const clientId = requiredString(body, 'clientId', 128);
    const clientSecret = requiredString(body, 'clientSecret', 256);
    const grantType = requiredString(body, 'grantType', 128);
    const client = await this.deps.clients.authenticate(clientId, clientSecret);
    const requestedScopes = optionalStringList(body, 'scope', 25, 128, 'invalid_scope');

    // The device-code and refresh grants are open to every registered client: CLI 2.22+ caches
    // one registration (grantTypes authorization_code + refresh_token) and may reuse it for
    // `aws sso login --use-device-code`. The code grant needs a registered loopback redirect URI,
    // which /authorize has already enforced before any code exists.
    let redeemed: { approval: Approval; scopes: string[]; familyId?: string | undefined };
    switch (grantType) {
      case GRANT_DEVICE_CODE:
        redeemed = await this.deps.devices.redeem(client, requiredString(body, 'deviceCode', 256, 'invalid_grant'));
        break;
      case GRANT_AUTHORIZATION_CODE:
        redeemed = await this.deps.codes.redeem(
          client,
          requiredString(body, 'code', 256, 'invalid_grant'),
          optionalString(body, 'redirectUri', 512, 'invalid_grant'),
          optionalString(body, 'codeVerifier', 256, 'invalid_grant'),
        );
        break;
      case GRANT_REFRESH_TOKEN:
        redeemed = await this.deps.refreshTokens.redeem(client.clientId, requiredString(body, 'refreshToken', 256, 'invalid_grant'));
        break;
      default:
        throw new OAuthError('unsupported_grant_type', `Unsupported grantType: ${grantType.slice(0, 64)}`);
    }
    // A narrower scope may be asked for (RFC 6749 §6), never a wider one.
    const scopes = requestedScopes?.length ? grantedScopes(redeemed.scopes, requestedScopes) : redeemed.scopes;
    const minted = await this.#mint(client.clientId, scopes, redeemed.approval, redeemed.familyId ?? this.deps.families.newId());
    // A credential issued, or refreshed: who, to which client, with what scope (never the token).
    await this.deps.audit.append({
      actor: redeemed.approval.userId,
      action: grantType === GRANT_REFRESH_TOKEN ? 'sso-token.refresh' : 'sso-token.issue',
      target: `sso-client/${client.clientId}`,
      detail: { grantType, scopes },
    });
    return minted;
  }

  async #mint(clientId: string, scopes: string[], approval: Approval, familyId: string): Promise<CreateTokenResult> {
    const session = await this.deps.portalSession(approval.portalSessionHash);
    if (!session || session.userId !== approval.userId) {
      throw new OAuthError('invalid_grant', 'The portal session in which this sign-in was approved has ended; sign in again');
    }
    const user = await activeUser(this.deps.identitySourceFor(approval.source), approval.userId);
    if (!user) throw new OAuthError('invalid_grant', 'This user can no longer sign in');
    const access = await this.deps.accessTokens.issue(
      { userId: approval.userId, source: approval.source, portalSessionHash: approval.portalSessionHash, clientId, scopes, familyId },
      this.settings.accessTokenSeconds,
    );
    const { refreshToken, storeKey } = await this.deps.refreshTokens.issue(clientId, scopes, approval, session.expiresAt, familyId);
    if (!(await this.deps.families.join(familyId, [access.storeKey, storeKey]))) {
      throw new OAuthError('invalid_grant', 'This sign-in has ended (signed out, or its authorization code was used twice); sign in again');
    }
    const { accessToken, expiresIn } = access;
    return { accessToken, tokenType: 'Bearer', expiresIn, refreshToken };
  }
}
