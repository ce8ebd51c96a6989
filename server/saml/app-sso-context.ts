// The application SSO services, built once per services registry from what it already holds (the
// SQL stores, the ephemeral store, the server secret), so the SSO, SLO, portal and admin routers
// share one instance without another field in server/services.ts.
import { AppSsoService, PERSISTENT_NAMEID_KEY_PURPOSE } from '../../access/app-sso.ts';
import { LogoutChains } from '../../access/app-sso-logout.ts';
import { AppSsoRequests } from '../../access/app-sso-requests.ts';
import { AppSsoSessions } from '../../access/app-sso-sessions.ts';
import { DEFAULT_CLOCK_SKEW_SECONDS } from '../../idp/saml/inbound/saml-time.ts';
import type { Services } from '../services.ts';

/** Allowed clock difference with SPs, both ways (SAML2Int G01: 3–5 minutes; Shibboleth PT3M). */
export const SAML_CLOCK_SKEW_SECONDS = DEFAULT_CLOCK_SKEW_SECONDS;

export interface AppSsoContext {
  decisions: AppSsoService;
  requests: AppSsoRequests;
  sessions: AppSsoSessions;
  logoutChains: LogoutChains;
}

const built = new WeakMap<Services, AppSsoContext>();

export function appSsoOf(services: Services): AppSsoContext {
  let context = built.get(services);
  if (!context) {
    context = {
      decisions: new AppSsoService({
        reachable: (user, groups) => services.applications.forUser(user, groups),
        instance: services.sql.instance,
        persistentIdKey: services.serverSecret.deriveKey(PERSISTENT_NAMEID_KEY_PURPOSE),
      }),
      requests: new AppSsoRequests(services.ephemeral, SAML_CLOCK_SKEW_SECONDS),
      sessions: new AppSsoSessions(services.ephemeral),
      logoutChains: new LogoutChains(services.ephemeral),
    };
    built.set(services, context);
  }
  return context;
}
