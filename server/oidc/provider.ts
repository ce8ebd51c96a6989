// The OpenID Provider (oidc-provider 9) as Gatehouse configures it (docs/oidc-applications.md):
// its clients are OIDC applications, its storage the ephemeral store, its accounts the identity
// source, its sign-in the portal's. No development interactions in any mode: every interaction
// goes to /oidc/interaction/:uid (server/oidc/router.ts), which sends the browser through the
// portal's own sign-in (and second factor) and back.
import { createHash, timingSafeEqual } from 'node:crypto';
import Provider, { interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { ACR_MFA, ACR_PASSWORD, claimsOf, type OidcAccess } from '../../access/oidc/oidc-access.ts';
import type { ProviderJwk } from '../../access/oidc/signing-keys.ts';
import { DEFAULT_OIDC_LIFETIMES, OIDC_CLIENT_AUTH_METHODS, type OidcTokenLifetimes } from '../../model/oidc.ts';
import { LIFETIMES_METADATA } from '../../access/oidc/client-metadata.ts';
import { oidcPages } from './pages.ts';

export const OIDC_MOUNT = '/oidc';
export const INTERACTION_PATH = `${OIDC_MOUNT}/interaction`;

export interface OidcProviderDeps {
  /** BASE_URL + /oidc. */
  issuer: string;
  jwks: ProviderJwk[];
  /** The custom claim names of every OIDC app, released with the profile scope. */
  customClaims: string[];
  /** Keys of the provider's signed cookies, derived from the server secret (the same on every node). */
  cookieKeys: string[];
  secureCookies: boolean;
  /** The adapter class (access/oidc/ephemeral-adapter.ts). */
  adapter: new (model: string) => unknown;
  access: OidcAccess;
  /**
   * Whether the browser's portal session (from its Cookie header) is live and of this user, and
   * the user reaches this client now: every authorization re-checks it, so an OIDC session never
   * outlives the portal session nor an assignment.
   */
  portalAllows(cookieHeader: string | undefined, accountId: string, clientId: string): Promise<boolean>;
  /**
   * Records a grant and the provider session it was made in under the browser's portal session, to
   * revoke the one and end the other (with back-channel logout) when that session signs out, or
   * when the user is disabled or deleted.
   */
  bindGrant(cookieHeader: string | undefined, grantId: string, providerSessionUid: string, userId: string): Promise<void>;
}

const SCOPES = ['openid', 'profile', 'email', 'groups', 'offline_access'];

const lifetimesOf = (client: { [LIFETIMES_METADATA]?: unknown } | undefined): OidcTokenLifetimes =>
  (client?.[LIFETIMES_METADATA] as OidcTokenLifetimes | undefined) ?? DEFAULT_OIDC_LIFETIMES;

export function createOidcProvider(deps: OidcProviderDeps): Provider {
  const policy = interactionPolicy.base();
  // The portal decides: an OIDC session counts only while the portal session it came from is live,
  // of the same person, and the person is assigned to the app (docs/oidc-applications.md).
  policy.get('login')!.checks.add(
    new interactionPolicy.Check('portal_session', 'the portal session has ended or does not reach this application', async (ctx) => {
      const { oidc } = ctx;
      if (oidc.result?.login) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      if (!oidc.session?.accountId || !oidc.client) return interactionPolicy.Check.REQUEST_PROMPT;
      return (await deps.portalAllows(ctx.get('cookie') || undefined, oidc.session.accountId, oidc.client.clientId))
        ? interactionPolicy.Check.NO_NEED_TO_PROMPT
        : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );

  const configuration: Configuration = {
    adapter: deps.adapter as Configuration['adapter'],
    jwks: { keys: deps.jwks as unknown as NonNullable<Configuration['jwks']>['keys'] },
    cookies: {
      keys: deps.cookieKeys,
      long: { signed: true, secure: deps.secureCookies, sameSite: 'lax' },
      short: { signed: true, secure: deps.secureCookies, sameSite: 'lax' },
    },
    interactions: { policy, url: (_ctx, interaction) => `${INTERACTION_PATH}/${interaction.uid}` },
    scopes: SCOPES,
    claims: {
      sid: null,
      // How and when the person authenticated (OpenID Connect Core §2), from the portal session:
      // in every ID token, whatever the request asked.
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      profile: ['name', 'preferred_username', 'given_name', 'family_name', 'updated_at', ...deps.customClaims],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    acrValues: [ACR_PASSWORD, ACR_MFA],
    async findAccount(ctx, sub) {
      // At the token, userinfo and refresh endpoints the client is known: a person no longer
      // assigned to it (or disabled, or gone) has no account for it, and the request is refused.
      const clientId = (ctx as KoaContextWithOIDC).oidc?.client?.clientId;
      const person = await deps.access.personFor(sub, clientId);
      if (!person) return undefined;
      const app = clientId ? await deps.access.application(clientId) : null;
      return { accountId: sub, claims: () => claimsOf(person, app) as { sub: string } };
    },
    async loadExistingGrant(ctx) {
      // First-party applications chosen by an administrator: no consent screen; the grant covers
      // the scopes the app asks for among those offered (assignment is the consent).
      const { oidc } = ctx;
      const client = oidc.client!;
      const accountId = oidc.session!.accountId!;
      const existingId = oidc.result?.consent?.grantId || oidc.session!.grantIdFor(client.clientId);
      let grant = existingId ? await oidc.provider.Grant.find(existingId) : undefined;
      if (grant && grant.accountId !== accountId) grant = undefined;
      grant ??= new oidc.provider.Grant({ accountId, clientId: client.clientId });
      const requested = String(oidc.params?.scope ?? 'openid').split(' ').filter((s) => SCOPES.includes(s));
      grant.addOIDCScope(requested.join(' '));
      const grantId = await grant.save();
      await deps.bindGrant(ctx.get('cookie') || undefined, grantId, oidc.session!.uid, accountId);
      return grant;
    },
    // Only the methods an application can be registered with are advertised in discovery
    // (OpenID Connect Discovery 1.0 §3, token_endpoint_auth_methods_supported).
    clientAuthMethods: [...OIDC_CLIENT_AUTH_METHODS],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      deviceFlow: { enabled: true, userCodeInputSource: oidcPages.userCodeInput, userCodeConfirmSource: oidcPages.userCodeConfirm, successSource: oidcPages.deviceSuccess },
      introspection: {
        enabled: true,
        // A client learns about its own tokens only (RFC 7662 §4: the server decides who may ask).
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      // A client revokes its own tokens only (RFC 7009 §2.1); another's are left alone.
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      rpInitiatedLogout: { enabled: true, logoutSource: oidcPages.logout, postLogoutSuccessSource: oidcPages.loggedOut },
      backchannelLogout: { enabled: true },
      userinfo: { enabled: true },
      // Sender-constrained tokens (RFC 9449): a client that sends DPoP proofs gets tokens bound to
      // its key (token_type DPoP), usable only with a fresh proof from that key. Proof jtis are
      // remembered in the ephemeral store, so a replay is refused on every node (RFC 9449 §11.1).
      dPoP: { enabled: true, allowReplay: false },
      resourceIndicators: { enabled: false },
    },
    extraClientMetadata: { properties: [LIFETIMES_METADATA] },
    // PKCE with S256 (RFC 7636 §4.2; the only method oidc-provider 9 accepts) for public clients.
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    // Every refresh returns a new refresh token and retires the one presented (RFC 9700 §4.14.2).
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: {
      AccessToken: (_ctx, _token, client) => lifetimesOf(client as never).accessTokenSeconds,
      ClientCredentials: (_ctx, _token, client) => lifetimesOf(client as never).accessTokenSeconds,
      IdToken: (_ctx, _token, client) => lifetimesOf(client as never).idTokenSeconds,
      RefreshToken: (_ctx, _token, client) => lifetimesOf(client as never).refreshTokenSeconds,
      AuthorizationCode: 60,
      DeviceCode: 600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: 91 * 24 * 3600,
    },
    responseTypes: ['code'],
    enabledJWA: { idTokenSigningAlgValues: ['RS256', 'ES256'], userinfoSigningAlgValues: ['RS256', 'ES256'] },
    clientDefaults: { grant_types: ['authorization_code'], id_token_signed_response_alg: 'RS256', response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' },
    renderError: oidcPages.error,
    // The provider's calls out (back-channel logout tokens, OpenID Connect Back-Channel Logout 1.0
    // §2.5) keep its 2.5 s timeout but not its guard against private addresses: only administrators
    // register an app's URIs (there is no dynamic registration), and a self-hosted app commonly
    // lives on a private network (docs/oidc-applications.md "Logout").
    fetch: (url, init) => {
      const options = { ...init } as RequestInit & { dispatcher?: unknown };
      delete options.dispatcher;
      return fetch(url, options);
    },
  };
  const provider = new Provider(deps.issuer, configuration);
  provider.proxy = true;
  // The client secret is kept as SHA-256 only (docs/oidc-applications.md): the presented one is
  // hashed and compared in constant time.
  provider.Client.prototype.compareClientSecret = function compareClientSecret(this: { clientSecret?: string }, actual: string) {
    const expected = Buffer.from(this.clientSecret ?? '', 'utf8');
    const given = Buffer.from(createHash('sha256').update(actual, 'utf8').digest('base64url'), 'utf8');
    return expected.length === given.length && timingSafeEqual(expected, given);
  };
  return provider;
}
