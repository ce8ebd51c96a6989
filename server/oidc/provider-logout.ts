// Signing out of the portal ends the OpenID Provider sessions opened under it
// (docs/oidc-applications.md "Logout"): each app a session signed in to that registered a
// back-channel logout URI receives a logout token signed with the provider's keys, through the
// provider's own Client#backchannelLogout (OpenID Connect Back-Channel Logout 1.0 §2.4, §2.5), and
// the provider session is destroyed. An app that refuses the token or does not answer (the
// provider gives up after 2.5 s) is logged and does not hold the sign-out back.
import type Provider from 'oidc-provider';
import type { AccessEventBus } from '../../access/events/bus.ts';
import type { OidcGrants } from '../../access/oidc/oidc-grants.ts';
import type { Logger } from '../logger.ts';
import type { OidcProviderHolder } from './provider-holder.ts';

type LogoutCapable = { clientId: string; backchannelLogoutUri?: string; backchannelLogout(sub: string, sid: string | undefined): Promise<void> };

export class ProviderLogout {
  constructor(
    private readonly deps: {
      providers: Pick<OidcProviderHolder, 'current'>;
      sessions: Pick<OidcGrants, 'takeProviderSessions' | 'takeProviderSessionsOfUser'>;
      logger: Pick<Logger, 'info' | 'warn'>;
    },
  ) {}

  async endForPortalSession(portalSessionId: string): Promise<void> {
    await this.#endAll(() => this.deps.sessions.takeProviderSessions(portalSessionId), 'OIDC sessions of a portal sign-out could not all be ended');
  }

  /** A disabled or deleted user: every provider session they opened ends, and its apps are told. */
  async endForUser(userId: string): Promise<void> {
    await this.#endAll(() => this.deps.sessions.takeProviderSessionsOfUser(userId), 'OIDC sessions of a disabled or deleted user could not all be ended');
  }

  async #endAll(take: () => Promise<string[]>, failure: string): Promise<void> {
    try {
      const uids = await take();
      if (uids.length === 0) return;
      const { provider } = await this.deps.providers.current();
      await Promise.all(uids.map((uid) => this.#end(provider, uid)));
    } catch (err) {
      // What called this goes on: the grants are revoked whatever happens here.
      this.deps.logger.warn({ err }, failure);
    }
  }

  async #end(provider: Provider, uid: string): Promise<void> {
    const session = await provider.Session.findByUid(uid);
    if (!session) return; // already ended (RP-initiated logout) or expired
    const accountId = session.accountId;
    if (accountId) {
      await Promise.all(
        Object.keys(session.authorizations ?? {}).map(async (clientId) => {
          const client = (await provider.Client.find(clientId)) as unknown as LogoutCapable | undefined;
          if (!client?.backchannelLogoutUri) return;
          try {
            await client.backchannelLogout(accountId, session.sidFor(clientId));
            this.deps.logger.info({ clientId }, 'OIDC back-channel logout delivered');
          } catch (err) {
            this.deps.logger.warn({ clientId, err: err instanceof Error ? err.message : String(err) }, 'OIDC back-channel logout not delivered');
          }
        }),
      );
    }
    await session.destroy();
  }
}

/**
 * A disabled or deleted user's provider sessions end on the access-change events, as their portal
 * sessions do (access/events/access-reactions.ts), and each app is sent a logout token.
 */
export function subscribeOidcSessionEnd(bus: AccessEventBus, logout: Pick<ProviderLogout, 'endForUser'>): void {
  bus.subscribe(async (events) => {
    for (const e of events) if (e.type === 'user.disabled' || e.type === 'user.deleted') await logout.endForUser(e.userId);
  });
}
