// SP-initiated sign-in into an application (SAML Profiles §4.1; SAML2Int IDP02–IDP08). The
// AuthnRequest is accepted only through idp/saml/inbound/receive.ts: the Issuer must be a
// registered app, a signature must verify with that app's own certificates (always, when present)
// and is required when its metadata says AuthnRequestsSigned; the ACS comes from the metadata
// exactly. Then its ID goes into the replay cache every node shares, and it is kept under a random
// key bound to the browser that brought it (requests.ts) until there is a sign-in to answer it
// with. Every refusal leaves a trace (refusals.ts).
import { dateNow, type Clock } from '../../model/clock.ts';
import type { InboundMessage } from '../../idp/saml/inbound/bindings.ts';
import { acceptAuthnRequest, type SsoApplication } from '../../idp/saml/inbound/receive.ts';
import { authnContextFor, STATUS_NO_AUTHN_CONTEXT } from '../../idp/saml/authn-context.ts';
import {
  STATUS_INVALID_NAMEID_POLICY, STATUS_NO_PASSIVE, STATUS_REQUESTER, STATUS_RESPONDER,
} from '../../idp/saml/response.ts';
import { ForbiddenError, ValidationError } from '../../model/errors.ts';
import type { Application } from '../../model/types.ts';
import type { ApplicationStore, AuditStore } from '../../store/stores.ts';
import type { PostStep } from '../browser-step.ts';
import type { SignedInPerson } from '../sessions/signed-in-person.ts';
import type { AppSsoService } from './decisions.ts';
import { SSO_CONTINUE_PATH } from './paths.ts';
import { recordRefusal, type InboundCall } from './refusals.ts';
import type { AppSsoRequests, PendingAuthnRequest } from './requests.ts';
import type { ResponseDelivery } from './responses.ts';

type KnownApplication = SsoApplication & { app: Application };

/** A request kept for later: the browser goes to `continueUrl`, carrying `browserSecret` in a cookie. */
export interface ReceivedRequest {
  continueUrl: string;
  browserSecret: string;
}

/** How a pending request is answered: a Response to post, or the sign-in page first. */
export type ContinueOutcome = PostStep | { kind: 'sign-in'; returnTo: string };

export interface SpInitiatedSignInDeps {
  applications: Pick<ApplicationStore, 'get' | 'getByEntityId'>;
  requests: Pick<AppSsoRequests, 'markSeen' | 'keep' | 'find' | 'consume'>;
  decisions: Pick<AppSsoService, 'decide'>;
  responses: Pick<ResponseDelivery, 'assertion' | 'status'>;
  audit: AuditStore;
  /** Our SingleSignOnService URL: the Destination a request must name. */
  ssoUrl: string;
  clockSkewSeconds: number;
  /** The time that decides expiry (model/clock.ts). */
  clock: Clock;
}

export class SpInitiatedSignIn {
  constructor(private readonly deps: SpInitiatedSignInDeps) {}

  /**
   * Accepts an AuthnRequest (decoded by `decode`, which may throw a rejection too) and keeps it;
   * a refusal is logged and audited, then thrown. `browserSecret` is the binding cookie this
   * browser already has, if any.
   */
  async receive(call: InboundCall, decode: () => InboundMessage, browserSecret: string | undefined): Promise<ReceivedRequest> {
    const { requests } = this.deps;
    let message: InboundMessage | undefined;
    let accepted;
    try {
      message = decode();
      accepted = await acceptAuthnRequest(message, {
        findApplication: (entityId) => this.#findApplication(entityId),
        expectedDestination: this.deps.ssoUrl,
        clockSkewSeconds: this.deps.clockSkewSeconds,
        now: dateNow(this.deps.clock),
      });
      await requests.markSeen('AuthnRequest', accepted.application.entityId, accepted.request.id);
    } catch (e) {
      await recordRefusal(this.deps.audit, call, 'AuthnRequest', e, {
        ...(message ? { message } : {}),
        ...(accepted ? { samlRequestId: accepted.request.id, applicationId: accepted.application.app.id } : {}),
      });
      throw e;
    }
    const { request, application, acs } = accepted;
    const kept = await requests.keep(
      {
        applicationId: application.app.id,
        entityId: application.entityId,
        requestId: request.id,
        acsUrl: acs.url,
        ...(accepted.relayState !== undefined ? { relayState: accepted.relayState } : {}),
        forceAuthn: request.forceAuthn,
        isPassive: request.isPassive,
        ...(request.nameIdPolicy?.format !== undefined ? { requestedNameIdFormat: request.nameIdPolicy.format } : {}),
        ...(request.requestedAuthnContext ? { requestedAuthnContext: request.requestedAuthnContext } : {}),
        receivedAt: this.deps.clock.now(),
      },
      browserSecret,
    );
    return { continueUrl: continueUrlOf(kept.key), browserSecret: kept.browserSecret };
  }

  /**
   * Answers the pending request `key` once there is a sign-in (newer than the request with
   * ForceAuthn); with IsPassive and no usable sign-in, a NoPassive status and no page. `person`
   * gives the signed-in person, re-checked, or null; it is asked only once the request is known.
   * Throws ValidationError (unknown, expired, answered request) or ForbiddenError (refused).
   */
  async continue(key: string, browserSecret: string | undefined, person: () => Promise<SignedInPerson | null>): Promise<ContinueOutcome> {
    const { requests, decisions, responses } = this.deps;
    const pending = await requests.find(key, browserSecret);
    if (!pending) {
      throw new ValidationError('This sign-in request has expired, was already answered, or was started in another browser. Go back to the application and sign in again.');
    }
    const app = await this.deps.applications.get(pending.applicationId);
    if (!app || app.entityId !== pending.entityId) throw new ValidationError('The application that asked for this sign-in no longer exists.');
    const delivery = { acsUrl: pending.acsUrl, inResponseTo: pending.requestId, relayState: pending.relayState ?? null };

    const signedIn = await person();
    // ForceAuthn (SAML2Int IDP07): only a sign-in made after the request arrived counts.
    if (!signedIn || (pending.forceAuthn && Date.parse(signedIn.session.authnInstant) < pending.receivedAt)) {
      if (pending.isPassive) {
        if (!(await requests.consume(key))) throw alreadyAnswered();
        return responses.status(app, { ...delivery, status: STATUS_RESPONDER, subStatus: STATUS_NO_PASSIVE, message: 'The user is not signed in' });
      }
      return { kind: 'sign-in', returnTo: continueUrlOf(key) };
    }

    const { user } = signedIn;
    // SAML Core §3.3.2.2.1: a sign-in weaker than the one asked for is answered NoAuthnContext,
    // with no assertion (an app that requires MFA never gets a password-only session).
    const authnContext = authnContextFor(signedIn.session.amr, pending.requestedAuthnContext);
    if (authnContext === null) {
      if (!(await requests.consume(key))) throw alreadyAnswered();
      await this.deps.audit.append({ actor: user.id, action: 'federation.application.refused', target: `application/${app.id}`, detail: { reason: 'authn-context', requested: pending.requestedAuthnContext, amr: signedIn.session.amr ?? ['pwd'], initiatedBy: 'sp' } });
      return responses.status(app, { ...delivery, status: STATUS_RESPONDER, subStatus: STATUS_NO_AUTHN_CONTEXT, message: 'This application asks for a stronger sign-in (such as multi-factor authentication) than this session has' });
    }
    const decision = await decisions.decide(app, user, await signedIn.groups(), optionalFormat(pending));
    if (!decision.ok) {
      if (decision.refusal.code === 'nameid-policy') {
        if (!(await requests.consume(key))) throw alreadyAnswered();
        return responses.status(app, { ...delivery, status: STATUS_REQUESTER, subStatus: STATUS_INVALID_NAMEID_POLICY, message: decision.refusal.message });
      }
      await requests.consume(key);
      await this.deps.audit.append({ actor: user.id, action: 'federation.application.refused', target: `application/${app.id}`, detail: { reason: decision.refusal.code, initiatedBy: 'sp' } });
      throw new ForbiddenError(decision.refusal.message);
    }
    if (!(await requests.consume(key))) throw alreadyAnswered();
    return responses.assertion(signedIn, app, user, decision.grant, { ...delivery, authnContextClassRef: authnContext });
  }

  async #findApplication(entityId: string): Promise<KnownApplication | undefined> {
    const app = await this.deps.applications.getByEntityId(entityId);
    if (!app) return undefined;
    return { entityId: app.entityId, signingCerts: app.signingCertificates, authnRequestsSigned: app.authnRequestsSigned, acs: app.acs, app };
  }
}

const continueUrlOf = (key: string) => `${SSO_CONTINUE_PATH}?k=${key}`;

function optionalFormat(pending: PendingAuthnRequest): { requestedNameIdFormat?: string } {
  return pending.requestedNameIdFormat !== undefined ? { requestedNameIdFormat: pending.requestedNameIdFormat } : {};
}

function alreadyAnswered(): ValidationError {
  return new ValidationError('This sign-in request was already answered. Go back to the application and sign in again.');
}
