// Building a Response for an application's ACS and recording it (SAML Bindings §3.5 HTTP-POST;
// SAML2Int IDP08), for both SP-initiated (/saml/sso) and IdP-initiated (portal Applications tab)
// sign-ins. The ACS always comes from the app's stored metadata (idp/saml/inbound/acs.ts). Before
// the form is handed back to be posted, the assertion is recorded for Single Logout, the app noted
// in the portal session, and the sign-in audited.
import { authnContextFor } from '../../idp/saml/authn-context.ts';
import { buildResponse, buildStatusResponse } from '../../idp/saml/response.ts';
import type { SamlSigningKey } from '../../idp/saml/enveloped-signature.ts';
import type { Application, User } from '../../model/types.ts';
import type { AuditStore } from '../../store/stores.ts';
import type { PostStep } from '../browser-step.ts';
import { hashSessionId, type PortalSession, type PortalSessionService } from '../portal-sessions.ts';
import type { AppSsoGrant } from './decisions.ts';
import type { AppSsoSessions } from './issued-assertions.ts';

export interface Delivery {
  acsUrl: string;
  inResponseTo?: string;
  relayState?: string | null;
  /** The class the assertion states (chosen against the SP's RequestedAuthnContext); else the session's own. */
  authnContextClassRef?: string;
}

/** When the app's own session must end: its session duration from now, else the portal session's end. */
export function sessionEndFor(app: Pick<Application, 'sessionDurationSeconds'>, portalSessionExpiresAt: string, now: Date): Date {
  return app.sessionDurationSeconds !== null ? new Date(now.getTime() + app.sessionDurationSeconds * 1000) : new Date(portalSessionExpiresAt);
}

/** The certificate to encrypt to, when the app wants encryption and has one (else none). */
export function encryptionCertificateOf(app: Pick<Application, 'encryptAssertion' | 'encryptionCertificates'>): string | undefined {
  return app.encryptAssertion ? app.encryptionCertificates[0] : undefined;
}

/** Who signs our messages: our entity id and the current signing key (read at each use). */
export interface SamlSigner {
  readonly entityId: string;
  readonly key: SamlSigningKey;
}

export interface ResponseDeliveryDeps {
  saml: SamlSigner;
  issued: Pick<AppSsoSessions, 'recordIssued'>;
  portalSessions: Pick<PortalSessionService, 'noteApp'>;
  audit: AuditStore;
}

/** The portal session a Response is issued in: its id (the cookie value) and the session. */
export interface IssuingSession {
  sessionId: string;
  session: PortalSession;
}

export class ResponseDelivery {
  constructor(private readonly deps: ResponseDeliveryDeps) {}

  /** A signed Response carrying the grant's assertion, recorded and audited, ready to post. */
  async assertion(ctx: IssuingSession, app: Application, user: User, grant: AppSsoGrant, delivery: Delivery): Promise<PostStep> {
    const services = this.deps;
    const now = new Date();
    const { session } = ctx;
    const built = buildResponse(
      {
        issuer: services.saml.entityId,
        audience: app.entityId,
        recipient: delivery.acsUrl,
        ...(delivery.inResponseTo !== undefined ? { inResponseTo: delivery.inResponseTo } : {}),
        nameId: grant.nameId.value,
        nameIdFormat: grant.nameId.format,
        attributes: grant.attributes,
        authnInstant: new Date(session.authnInstant),
        // SAML Core §2.7.2.2: says how the person signed in (REFEDS MFA with a second factor).
        authnContextClassRef: delivery.authnContextClassRef ?? authnContextFor(session.amr) ?? undefined,
        sessionIndex: session.sessionIndex,
        sessionNotOnOrAfter: sessionEndFor(app, session.expiresAt, now),
        now,
      },
      { signResponse: app.signResponse, signAssertion: app.signAssertion, ...optionalEncryption(app) },
      services.saml.key,
    );

    const remaining = (Date.parse(session.expiresAt) - now.getTime()) / 1000;
    await services.issued.recordIssued(
      {
        sessionIndex: session.sessionIndex,
        sessionHash: hashSessionId(ctx.sessionId),
        userId: user.id,
        entityId: app.entityId,
        nameId: grant.nameId.value,
        nameIdFormat: grant.nameId.format,
      },
      remaining,
    );
    await services.portalSessions.noteApp(ctx.sessionId, app.entityId);
    await services.audit.append({
      actor: user.id,
      action: 'federation.application',
      target: `application/${app.id}`,
      detail: {
        entityId: app.entityId,
        initiatedBy: delivery.inResponseTo === undefined ? 'idp' : 'sp',
        encrypted: built.encrypted,
        ...(grant.roleArns.length > 0 ? { roleArns: grant.roleArns } : {}),
      },
    });
    return post(delivery.acsUrl, { SAMLResponse: built.samlResponse, ...relay(delivery.relayState) }, `Signing in to ${app.name}`);
  }

  /** A signed Response with a non-success status and no assertion (NoPassive, InvalidNameIDPolicy). */
  status(app: Application, delivery: Delivery & { status: string; subStatus?: string; message?: string }): PostStep {
    const services = this.deps;
    const built = buildStatusResponse(
      {
        issuer: services.saml.entityId,
        destination: delivery.acsUrl,
        ...(delivery.inResponseTo !== undefined ? { inResponseTo: delivery.inResponseTo } : {}),
        status: delivery.status,
        ...(delivery.subStatus !== undefined ? { subStatus: delivery.subStatus } : {}),
        ...(delivery.message !== undefined ? { message: delivery.message } : {}),
        now: new Date(),
      },
      services.saml.key,
    );
    return post(delivery.acsUrl, { SAMLResponse: built.samlResponse, ...relay(delivery.relayState) }, `Returning to ${app.name}`);
  }
}

const post = (action: string, fields: Record<string, string>, title: string): PostStep => ({ kind: 'post', action, fields, title });

function relay(relayState: string | null | undefined): { RelayState?: string } {
  return relayState ? { RelayState: relayState } : {};
}

function optionalEncryption(app: Application): { encryptFor?: string } {
  const cert = encryptionCertificateOf(app);
  return cert ? { encryptFor: cert } : {};
}
