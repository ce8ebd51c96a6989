// The application SSO services (decisions, pending requests, issued-assertion index, logout
// chains) and the use cases built on them (SP- and IdP-initiated sign-in, Single Logout, the admin
// preview), built once by server/services.ts and handed to the routers that need them.
import { dateNow, type Clock } from '../../model/clock.ts';
import type { User } from '../../model/types.ts';
import { DEFAULT_CLOCK_SKEW_SECONDS } from '../../idp/saml/inbound/saml-time.ts';
import { idpSloUrl, idpSsoUrl } from '../../idp/saml/metadata.ts';
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';
import type { ApplicationStore, AuditStore, InstanceStore } from '../../store/stores.ts';
import type { LeftOutSessionTagReport } from '../aws-federation.ts';
import type { PortalSessionService } from '../portal-sessions.ts';
import type { ServerSecret } from '../server-secret.ts';
import type { IdentitySourceFor } from '../sessions/signed-in-person.ts';
import { AppSsoService, PERSISTENT_NAMEID_KEY_PURPOSE, type ReachableApplications } from './decisions.ts';
import { IdpInitiatedSignIn } from './idp-initiated.ts';
import { AppSsoSessions } from './issued-assertions.ts';
import { LogoutChains } from './logout-chains.ts';
import { ApplicationPreview } from './preview.ts';
import { AppSsoRequests } from './requests.ts';
import { ResponseDelivery, type SamlSigner } from './responses.ts';
import { SingleLogout } from './single-logout.ts';
import { SpInitiatedSignIn } from './sp-initiated.ts';

/** Allowed clock difference with SPs, both ways (SAML2Int G01: 3–5 minutes; Shibboleth PT3M). */
export const SAML_CLOCK_SKEW_SECONDS = DEFAULT_CLOCK_SKEW_SECONDS;

export interface AppSsoContext {
  decisions: AppSsoService;
  requests: AppSsoRequests;
  sessions: AppSsoSessions;
  logoutChains: LogoutChains;
  /** /saml/sso and /saml/sso/continue. */
  spInitiated: SpInitiatedSignIn;
  /** The portal's Applications tab launching an app. */
  idpInitiated: IdpInitiatedSignIn;
  /** /saml/slo and the portal's sign-out. */
  singleLogout: SingleLogout;
  /** The admin API's preview of what a user would receive. */
  preview: ApplicationPreview;
}

export function buildAppSso(deps: {
  reachable: ReachableApplications;
  applications: ApplicationStore;
  instance: InstanceStore;
  audit: AuditStore;
  serverSecret: ServerSecret;
  ephemeral: EphemeralStore;
  portalSessions: PortalSessionService;
  saml: SamlSigner;
  baseUrl: string;
  /** UserService.get (NotFoundError for an unknown id), for the preview. */
  user(id: string): Promise<User>;
  identitySourceFor: IdentitySourceFor;
  reportLeftOutTag?: LeftOutSessionTagReport;
  clock: Clock;
}): AppSsoContext {
  const decisions = new AppSsoService({
    reachable: deps.reachable,
    instance: deps.instance,
    persistentIdKey: deps.serverSecret.deriveKey(PERSISTENT_NAMEID_KEY_PURPOSE),
    now: () => dateNow(deps.clock),
    ...(deps.reportLeftOutTag ? { reportLeftOutTag: deps.reportLeftOutTag } : {}),
  });
  const requests = new AppSsoRequests(deps.ephemeral, SAML_CLOCK_SKEW_SECONDS);
  const sessions = new AppSsoSessions(deps.ephemeral, deps.portalSessions);
  const logoutChains = new LogoutChains(deps.ephemeral);
  const { applications, audit, saml } = deps;
  const responses = new ResponseDelivery({ saml, issued: sessions, portalSessions: deps.portalSessions, audit });
  return {
    decisions,
    requests,
    sessions,
    logoutChains,
    spInitiated: new SpInitiatedSignIn({
      applications, requests, decisions, responses, audit, ssoUrl: idpSsoUrl(deps.baseUrl), clockSkewSeconds: SAML_CLOCK_SKEW_SECONDS, clock: deps.clock,
    }),
    idpInitiated: new IdpInitiatedSignIn({ applications, decisions, responses, audit }),
    singleLogout: new SingleLogout({
      applications, issued: sessions, chains: logoutChains, requests, audit, saml, sloUrl: idpSloUrl(deps.baseUrl), clockSkewSeconds: SAML_CLOCK_SKEW_SECONDS, clock: deps.clock,
    }),
    preview: new ApplicationPreview({
      applications, instance: deps.instance, user: deps.user, identitySourceFor: deps.identitySourceFor, decisions, entityId: saml.entityId,
    }),
  };
}
