// Single Logout with applications (SAML Profiles §4.4; SAML2Int IDP26/IDP30: signed both ways).
//
// From an application (SP-initiated): a LogoutRequest, accepted only through
// idp/saml/inbound/receive.ts (a registered Issuer, a signature made with that app's own keys and
// covering the root; unsigned requests are refused), its ID kept in the shared replay cache. It
// ends the portal session we told that app about, found by the SessionIndex and NameID we issued
// (issued-assertions.ts), then signs the person out of the session's other apps (below) and
// answers the app with a signed LogoutResponse at its SingleLogoutService. A LogoutRequest refused
// at any step (decoding, parsing, authentication, a replay) is logged and audited (refusals.ts).
//
// From the portal (IdP-initiated, the Sign out button): the portal session ends first, then the
// browser visits each app used in the session that has a SingleLogoutService, carrying a signed
// LogoutRequest (query-string signature on HTTP-Redirect, enveloped on HTTP-POST), and each app
// answers with a LogoutResponse; the chain's state is in the ephemeral store under a random key,
// our RelayState (logout-chains.ts). The progress page moves it on: an app that never answers can
// be skipped, coming back without an answer moves on, and a deadline ends the chain.
import { dateNow, type Clock } from '../../model/clock.ts';
import type { InboundMessage } from '../../idp/saml/inbound/bindings.ts';
import { BINDING_HTTP_POST } from '../../idp/saml/inbound/names.ts';
import { acceptLogoutRequest, type InboundApplication } from '../../idp/saml/inbound/receive.ts';
import { InboundRejection } from '../../idp/saml/inbound/rejection.ts';
import {
  claimedLogoutResponseIssuer, logoutRequestMessage, logoutResponseMessage, LOGOUT_REASON_USER, readLogoutResponse,
  signedPostValue, signedRedirectUrl, type OutboundMessage,
} from '../../idp/saml/logout-messages.ts';
import { STATUS_SUCCESS } from '../../idp/saml/namespaces.ts';
import { ValidationError } from '../../model/errors.ts';
import type { Application } from '../../model/types.ts';
import type { ApplicationStore, AuditStore } from '../../store/stores.ts';
import type { BrowserStep } from '../browser-step.ts';
import { hashSessionId, type PortalSession } from '../portal-sessions.ts';
import type { AppSsoSessions } from './issued-assertions.ts';
import { nextHop, type HopLeft, type LogoutChains, type LogoutHop, type LogoutOrigin } from './logout-chains.ts';
import { PORTAL_HOME_PATH, SLO_PROGRESS_PATH } from './paths.ts';
import { recordRefusal, type InboundCall, type InboundLog } from './refusals.ts';
import type { AppSsoRequests } from './requests.ts';
import type { SamlSigner } from './responses.ts';

/** How the browser carries our LogoutRequest to the app of one hop. */
export type HopCarrier = { binding: 'redirect'; url: string } | { binding: 'post'; action: string; fields: Record<string, string> };

/** What the browser is shown or sent to next during a logout. */
export type LogoutOutcome =
  | BrowserStep
  /** The end: every app has been visited (or skipped); `hops` says how each answered. */
  | { kind: 'signed-out'; hops: LogoutHop[] }
  /** The page for one hop, which carries our LogoutRequest to the app and offers to skip it. */
  | { kind: 'hop'; hop: LogoutHop; hops: LogoutHop[]; carrier: HopCarrier; skipUrl: string; unreachableUrl: string };

type KnownApplication = InboundApplication & { app: Application };

export interface SingleLogoutDeps {
  applications: Pick<ApplicationStore, 'get' | 'getByEntityId'>;
  issued: Pick<AppSsoSessions, 'issued' | 'findForLogout' | 'endPortalSession'>;
  chains: LogoutChains;
  requests: Pick<AppSsoRequests, 'markSeen'>;
  audit: AuditStore;
  saml: SamlSigner;
  /** Our SingleLogoutService URL: the Destination a message must name. */
  sloUrl: string;
  clockSkewSeconds: number;
  /** The time that decides expiry (model/clock.ts). */
  clock: Clock;
}

export class SingleLogout {
  constructor(private readonly deps: SingleLogoutDeps) {}

  /**
   * Starts front-channel logout for a portal session that has just ended: the URL to send the
   * browser to, or null when no app used in it (other than `origin`, the app that asked) has a
   * SingleLogoutService.
   */
  async beginPortalLogout(session: PortalSession, origin?: LogoutOrigin): Promise<string | null> {
    const hops: Omit<LogoutHop, 'state'>[] = [];
    for (const entityId of session.apps) {
      if (origin && entityId === origin.entityId) continue;
      const app = await this.deps.applications.getByEntityId(entityId);
      if (!app?.slo) continue;
      const issued = await this.deps.issued.issued(session.sessionIndex, entityId);
      if (!issued) continue;
      hops.push({ applicationId: app.id, entityId, name: app.name, nameId: issued.nameId, nameIdFormat: issued.nameIdFormat, sessionIndex: session.sessionIndex });
    }
    if (hops.length === 0) return null;
    const key = await this.deps.chains.start(hops, { ...(origin ? { origin } : {}), finalUrl: PORTAL_HOME_PATH, now: this.deps.clock.now() });
    return progressUrl(key);
  }

  /**
   * A LogoutRequest from an app: ends the sessions it names, logs out of their other apps, then
   * answers the app. `browserSessionId` is the portal session cookie of the browser that brought
   * it: `browserSessionEnded` says whether that session was among those ended.
   */
  async logoutRequest(call: InboundCall, decode: () => InboundMessage, browserSessionId: string | undefined): Promise<{ outcome: LogoutOutcome; browserSessionEnded: boolean }> {
    const { deps } = this;
    let message: InboundMessage | undefined;
    let accepted;
    try {
      message = decode();
      accepted = await acceptLogoutRequest(message, {
        findApplication: (entityId) => this.#findApplication(entityId),
        expectedDestination: deps.sloUrl,
        clockSkewSeconds: deps.clockSkewSeconds,
        now: dateNow(deps.clock),
      });
      await deps.requests.markSeen('LogoutRequest', accepted.application.entityId, accepted.request.id);
    } catch (e) {
      await recordRefusal(deps.audit, call, 'LogoutRequest', e, {
        ...(message ? { message } : {}),
        ...(accepted ? { samlRequestId: accepted.request.id, applicationId: accepted.application.app.id } : {}),
      });
      throw e;
    }
    const { request, application } = accepted;
    const { app } = application;

    const found = await deps.issued.findForLogout(app.entityId, request.nameId.value, request.sessionIndexes);
    const ended: PortalSession[] = [];
    for (const issued of found) {
      const session = await deps.issued.endPortalSession(issued);
      if (session) ended.push(session);
      await deps.audit.append({ actor: issued.userId, action: 'signout', target: 'portal', detail: { via: 'saml-slo', application: app.id } });
    }
    const browserHash = browserSessionId ? hashSessionId(browserSessionId) : undefined;
    const browserSessionEnded = browserHash !== undefined && found.some((f) => f.sessionHash === browserHash);

    const origin: LogoutOrigin = {
      applicationId: app.id,
      entityId: app.entityId,
      inResponseTo: request.id,
      ...(accepted.relayState !== undefined ? { relayState: accepted.relayState } : {}),
    };
    // The session's other apps are signed out first (SAML Profiles §4.4.3.2), then this one answered.
    const others = ended.length > 0 ? await this.beginPortalLogout(ended[0]!, origin) : null;
    return { outcome: others ? { kind: 'redirect', url: others } : await this.#answerOrigin(origin), browserSessionEnded };
  }

  /** A LogoutResponse from an app in our chain: note how it answered, then go on. Never a dead end. */
  async logoutResponse(message: InboundMessage, log: Pick<InboundLog, 'warn'>): Promise<LogoutOutcome> {
    const { deps } = this;
    const key = message.relayState ?? '';
    const chain = await deps.chains.get(key);
    if (!chain) return { kind: 'signed-out', hops: [] };
    let entityId: string | undefined;
    try {
      entityId = claimedLogoutResponseIssuer(message);
    } catch (e) {
      log.warn({ err: e }, 'LogoutResponse unreadable');
    }
    const hop = chain.hops.find((h) => h.state === 'sent' && h.entityId === entityId);
    if (hop) {
      try {
        const app = await deps.applications.get(hop.applicationId);
        if (!app) throw new ValidationError('application removed');
        const response = readLogoutResponse(message, app.entityId, app.signingCertificates, { expectedDestination: deps.sloUrl, clockSkewSeconds: deps.clockSkewSeconds, now: dateNow(deps.clock) });
        // Signed when the app can sign (SAML2Int IDP30), and answering exactly our request.
        const trusted = (response.signed || app.signingCertificates.length === 0) && response.inResponseTo === hop.requestId;
        hop.state = trusted && response.status === STATUS_SUCCESS ? 'confirmed' : 'failed';
      } catch (e) {
        log.warn({ reason: e instanceof InboundRejection ? e.reason : undefined, message: (e as Error).message }, 'LogoutResponse not accepted');
        hop.state = 'failed';
      }
      await deps.chains.save(key, chain);
    }
    return { kind: 'redirect', url: `${SLO_PROGRESS_PATH}?k=${encodeURIComponent(key)}` };
  }

  /** The progress page of chain `key`: the next hop, or the end (the origin answered). `skip` gives up on the hop in flight. */
  async progress(key: string, skip: HopLeft, now = this.deps.clock.now()): Promise<LogoutOutcome> {
    const { deps } = this;
    const chain = await deps.chains.get(key);
    if (!chain) return { kind: 'redirect', url: PORTAL_HOME_PATH };
    const hop = nextHop(chain, now, skip);
    if (!hop) {
      await deps.chains.finish(key);
      if (chain.origin) return this.#answerOrigin(chain.origin, chain.hops);
      // The portal's own sign-out ends on "You are signed out", naming any app not signed out.
      return { kind: 'signed-out', hops: chain.hops };
    }
    const app = await deps.applications.get(hop.applicationId);
    if (!app?.slo) {
      hop.state = 'skipped';
      await deps.chains.save(key, chain);
      return { kind: 'redirect', url: progressUrl(key) };
    }
    const message = logoutRequestMessage({
      issuer: deps.saml.entityId,
      destination: app.slo.url,
      nameId: hop.nameId,
      nameIdFormat: hop.nameIdFormat,
      sessionIndex: hop.sessionIndex,
      reason: LOGOUT_REASON_USER,
      now: new Date(now),
    });
    hop.state = 'sent';
    hop.requestId = message.id;
    await deps.chains.save(key, chain);
    const carrier: HopCarrier = app.slo.binding === BINDING_HTTP_POST
      ? { binding: 'post', action: app.slo.url, fields: { SAMLRequest: signedPostValue(message, deps.saml.key), RelayState: key } }
      : { binding: 'redirect', url: signedRedirectUrl(app.slo.url, 'SAMLRequest', message, key, deps.saml.key) };
    return { kind: 'hop', hop, hops: chain.hops, carrier, skipUrl: `${progressUrl(key)}&skip=1`, unreachableUrl: `${progressUrl(key)}&skip=unreachable` };
  }

  /** The app that started the logout gets its signed LogoutResponse; without a SingleLogoutService, "signed out". */
  async #answerOrigin(origin: LogoutOrigin, hops: LogoutHop[] = []): Promise<LogoutOutcome> {
    const app = await this.deps.applications.get(origin.applicationId);
    if (!app?.slo) return { kind: 'signed-out', hops };
    const message = logoutResponseMessage({
      issuer: this.deps.saml.entityId,
      destination: app.slo.url,
      inResponseTo: origin.inResponseTo,
      status: STATUS_SUCCESS,
      now: new Date(),
    });
    return this.#send(app, 'SAMLResponse', message, origin.relayState, `Signing out of ${app.name}`);
  }

  #send(app: Application, parameter: 'SAMLRequest' | 'SAMLResponse', message: OutboundMessage, relayState: string | undefined, title: string): BrowserStep {
    const slo = app.slo!;
    if (slo.binding === BINDING_HTTP_POST) {
      return { kind: 'post', action: slo.url, fields: { [parameter]: signedPostValue(message, this.deps.saml.key), ...(relayState !== undefined ? { RelayState: relayState } : {}) }, title };
    }
    return { kind: 'redirect', url: signedRedirectUrl(slo.url, parameter, message, relayState, this.deps.saml.key), status: 302 };
  }

  async #findApplication(entityId: string): Promise<KnownApplication | undefined> {
    const app = await this.deps.applications.getByEntityId(entityId);
    return app ? { entityId: app.entityId, signingCerts: app.signingCertificates, app } : undefined;
  }
}

const progressUrl = (key: string) => `${SLO_PROGRESS_PATH}?k=${key}`;
