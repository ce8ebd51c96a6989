// Signing out of the portal: the session ends on every node and the sign-out is audited; then,
// when apps used in the session have a SingleLogoutService, the browser is sent through them
// (front-channel Single Logout, access/app-sso/single-logout.ts). OIDC apps are told over the back
// channel (docs/oidc-applications.md "Logout").
import type { AuditStore } from '../../store/stores.ts';
import type { SingleLogout } from '../app-sso/single-logout.ts';
import type { PortalSessionService } from '../portal-sessions.ts';
import type { OidcGrants } from '../oidc/oidc-grants.ts';

export class PortalSignOut {
  constructor(
    private readonly deps: {
      sessions: Pick<PortalSessionService, 'destroy'>;
      audit: AuditStore;
      singleLogout: Pick<SingleLogout, 'beginPortalLogout'>;
      /** OIDC grants made under the session end with it (access/oidc/oidc-grants.ts). */
      oidcGrants?: Pick<OidcGrants, 'revokeForPortalSession'>;
      /**
       * The OpenID Provider sessions opened under it end too, each app they signed in to getting a
       * back-channel logout token (server/oidc/provider-logout.ts); never throws.
       */
      oidcSessions?: { endForPortalSession(sessionId: string): Promise<void> };
    },
  ) {}

  /** Ends the session; returns where the browser goes next for Single Logout, or null. */
  async signOut(sessionId: string, userId: string): Promise<string | null> {
    const ended = await this.deps.sessions.destroy(sessionId);
    await this.deps.oidcSessions?.endForPortalSession(sessionId);
    await this.deps.oidcGrants?.revokeForPortalSession(sessionId);
    await this.deps.audit.append({ actor: userId, action: 'signout', target: 'portal', detail: {} });
    return ended ? this.deps.singleLogout.beginPortalLogout(ended) : null;
  }
}
