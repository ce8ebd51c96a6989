// The SSO OIDC service (docs/aws-cli.md): one object built once in the services registry, composed of
// client registrations, device authorizations, authorization codes, refresh tokens and the token
// endpoint. Everything lives in the ephemeral store, so any node answers any step.
import type { PortalSession } from '../portal-sessions.ts';
import type { SsoAccessTokenService } from '../sso-access-tokens.ts';
import type { IdentitySource } from '../../directory/identity-source.ts';
import type { Clock } from '../../model/clock.ts';
import type { User } from '../../model/types.ts';
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';
import type { AuditStore } from '../../store/stores.ts';
import { AuthorizationCodeService } from './authorization-codes.ts';
import { ClientRegistrationService, type RegisterClientResult } from './client-registrations.ts';
import { DeviceAuthorizationService, type StartDeviceAuthorizationResult } from './device-authorizations.ts';
import { asBody, requiredString } from './input.ts';
import { RefreshTokenService } from './refresh-tokens.ts';
import { DEFAULT_SSO_OIDC_SETTINGS, type SsoOidcSettings } from './settings.ts';
import { TokenFamilies } from './token-families.ts';
import { TokenGrantService, type CreateTokenResult } from './token-grants.ts';

export interface SsoOidcDependencies {
  store: EphemeralStore;
  accessTokens: SsoAccessTokenService;
  /** PortalSessionService.getByHash. */
  portalSession(hash: string): Promise<PortalSession | null>;
  identitySourceFor(source: User['source']): IdentitySource;
  /** Where each issued token and each refresh is recorded (docs/admin-api.md "Audit log"). */
  audit: Pick<AuditStore, 'append'>;
  /** Decides when registrations, device codes and refresh tokens have expired. */
  clock?: Clock;
}

export class SsoOidcService {
  readonly settings: SsoOidcSettings;
  readonly clients: ClientRegistrationService;
  readonly devices: DeviceAuthorizationService;
  readonly codes: AuthorizationCodeService;
  readonly refreshTokens: RefreshTokenService;
  /** Ends a CLI sign-in's tokens as a whole (Logout, a replayed code). */
  readonly families: TokenFamilies;
  readonly #tokens: TokenGrantService;

  constructor(deps: SsoOidcDependencies, settings: Partial<SsoOidcSettings> & Pick<SsoOidcSettings, 'baseUrl'>) {
    this.settings = { ...DEFAULT_SSO_OIDC_SETTINGS, ...settings };
    this.clients = new ClientRegistrationService(deps.store, this.settings, deps.clock);
    this.devices = new DeviceAuthorizationService(deps.store, this.settings, deps.clock);
    this.families = new TokenFamilies(deps.store);
    this.codes = new AuthorizationCodeService(deps.store, this.clients, this.settings, this.families);
    this.refreshTokens = new RefreshTokenService(deps.store, deps.clock);
    this.#tokens = new TokenGrantService(
      { ...deps, clients: this.clients, devices: this.devices, codes: this.codes, refreshTokens: this.refreshTokens, families: this.families },
      this.settings,
    );
  }

  /** RegisterClient. `clientAddress` is only counted (registrations per address per minute). */
  registerClient(body: unknown, clientAddress: string): Promise<RegisterClientResult> {
    return this.clients.register(body, clientAddress);
  }

  /** StartDeviceAuthorization. */
  async startDeviceAuthorization(input: unknown): Promise<StartDeviceAuthorizationResult> {
    const body = asBody(input);
    const clientId = requiredString(body, 'clientId', 128);
    const clientSecret = requiredString(body, 'clientSecret', 256);
    const startUrl = requiredString(body, 'startUrl', 1024);
    const client = await this.clients.authenticate(clientId, clientSecret);
    return this.devices.start(client, startUrl);
  }

  /** CreateToken. */
  createToken(body: unknown): Promise<CreateTokenResult> {
    return this.#tokens.createToken(body);
  }
}
