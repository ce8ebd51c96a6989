// The application SSO services (decisions, pending requests, issued-assertion index, logout
// chains), built once by server/services.ts and shared by the SSO, SLO, portal and admin routers.
import { AppSsoService, PERSISTENT_NAMEID_KEY_PURPOSE, type ReachableApplications } from '../../access/app-sso.ts';
import { LogoutChains } from '../../access/app-sso-logout.ts';
import { AppSsoRequests } from '../../access/app-sso-requests.ts';
import { AppSsoSessions } from '../../access/app-sso-sessions.ts';
import type { LeftOutSessionTagReport } from '../../access/aws-federation.ts';
import { DEFAULT_CLOCK_SKEW_SECONDS } from '../../idp/saml/inbound/saml-time.ts';
import type { PortalSessionService } from '../../access/portal-sessions.ts';
import type { ServerSecret } from '../../access/server-secret.ts';
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';
import type { InstanceStore } from '../../store/stores.ts';
import { dateNow, type Clock } from '../../model/clock.ts';

/** Allowed clock difference with SPs, both ways (SAML2Int G01: 3–5 minutes; Shibboleth PT3M). */
export const SAML_CLOCK_SKEW_SECONDS = DEFAULT_CLOCK_SKEW_SECONDS;

export interface AppSsoContext {
  decisions: AppSsoService;
  requests: AppSsoRequests;
  sessions: AppSsoSessions;
  logoutChains: LogoutChains;
}

export function buildAppSso(deps: {
  reachable: ReachableApplications;
  instance: InstanceStore;
  serverSecret: ServerSecret;
  ephemeral: EphemeralStore;
  portalSessions: PortalSessionService;
  reportLeftOutTag?: LeftOutSessionTagReport;
  clock: Clock;
}): AppSsoContext {
  return {
    decisions: new AppSsoService({
      reachable: deps.reachable,
      instance: deps.instance,
      persistentIdKey: deps.serverSecret.deriveKey(PERSISTENT_NAMEID_KEY_PURPOSE),
      now: () => dateNow(deps.clock),
      ...(deps.reportLeftOutTag ? { reportLeftOutTag: deps.reportLeftOutTag } : {}),
    }),
    requests: new AppSsoRequests(deps.ephemeral, SAML_CLOCK_SKEW_SECONDS),
    sessions: new AppSsoSessions(deps.ephemeral, deps.portalSessions),
    logoutChains: new LogoutChains(deps.ephemeral),
  };
}
