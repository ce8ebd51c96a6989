// What ties the OpenID Provider to the portal session, both ways (docs/oidc-applications.md "Logout"):
// - the login check and the grant binding read the portal session from the request's cookie;
// - RP-initiated logout that the person confirms with "Sign out of Gatehouse" ends the portal
//   session too (OpenID Connect RP-Initiated Logout 1.0 §3: the OP logs the End-User out), and its
//   cookie is cleared in the same response.
import type Provider from 'oidc-provider';
import type { SignedInPeople } from '../../access/sessions/signed-in-person.ts';
import type { OidcAccess } from '../../access/oidc/oidc-access.ts';
import type { OidcGrants } from '../../access/oidc/oidc-grants.ts';
import type { PortalSignOut } from '../../access/sessions/sign-out.ts';
import type { Logger } from '../logger.ts';
import { cookieFromHeader, SESSION_COOKIE, wireName } from '../http/cookies.ts';

export interface PortalBridgeDeps {
  secureCookies: boolean;
  people: Pick<SignedInPeople, 'resolve'>;
  access: Pick<OidcAccess, 'reaches'>;
  grants: Pick<OidcGrants, 'bindToPortalSession'>;
  signOut: Pick<PortalSignOut, 'signOut'>;
  logger: Pick<Logger, 'warn'>;
}

export function portalBridge(deps: PortalBridgeDeps) {
  const sessionIdOf = (cookieHeader: string | undefined) => cookieFromHeader(cookieHeader, SESSION_COOKIE, deps.secureCookies);
  return {
    async portalAllows(cookieHeader: string | undefined, accountId: string, clientId: string): Promise<boolean> {
      const check = await deps.people.resolve(sessionIdOf(cookieHeader));
      if (check.status !== 'signed-in' || check.person.user.id !== accountId) return false;
      return deps.access.reaches({ user: check.person.user, groups: await check.person.groups() }, clientId);
    },
    async bindGrant(cookieHeader: string | undefined, grantId: string, providerSessionUid: string, userId: string): Promise<void> {
      const id = sessionIdOf(cookieHeader);
      if (id) await deps.grants.bindToPortalSession(id, grantId, providerSessionUid, userId);
    },
    /** Koa middleware on every provider: the portal side of a confirmed RP-initiated logout. */
    configure(provider: Provider): void {
      // A back-channel logout token the app did not accept (RP-initiated logout) does not stop the
      // logout; the operator sees it here.
      provider.on('backchannel.error', (_ctx: unknown, err: Error, client: { clientId: string }) => {
        deps.logger.warn({ clientId: client.clientId, err: err.message }, 'OIDC back-channel logout not delivered');
      });
      provider.use(async (ctx, next) => {
        await next();
        if (ctx.oidc?.route !== 'end_session_confirm' || !ctx.oidc.params?.logout || ctx.status >= 400) return;
        const cookieHeader = ctx.get('cookie') || undefined;
        const id = sessionIdOf(cookieHeader);
        const check = await deps.people.resolve(id);
        if (id && check.status === 'signed-in') await deps.signOut.signOut(id, check.person.user.id);
        const parts = [`${wireName(SESSION_COOKIE, deps.secureCookies)}=`, 'Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=0'];
        if (deps.secureCookies) parts.push('Secure');
        ctx.append('Set-Cookie', parts.join('; '));
      });
    },
  };
}
