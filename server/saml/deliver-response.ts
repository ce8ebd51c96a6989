// Delivering a Response to an application's ACS over HTTP-POST (SAML Bindings §3.5; SAML2Int
// IDP08), for both SP-initiated (/saml/sso) and IdP-initiated (portal Applications tab) sign-ins.
// The ACS always comes from the app's stored metadata (acs.ts); this file only posts to it.
// Before the page goes out, the assertion is recorded for Single Logout and the app noted in the
// portal session.
import type { Response } from 'express';
import type { AppSsoGrant } from '../../access/app-sso.ts';
import { hashSessionId } from '../../access/portal-sessions.ts';
import { buildResponse, buildStatusResponse } from '../../idp/saml/response.ts';
import type { Application, User } from '../../model/types.ts';
import { autoPostPage } from '../../views/auto-post.ts';
import type { PortalContext } from '../http/portal-session.ts';
import { allowFormTarget, nonceOf } from '../portal/page-security.ts';
import type { Services } from '../services.ts';

export interface Delivery {
  acsUrl: string;
  inResponseTo?: string;
  relayState?: string | null;
}

/** When the app's own session must end: its session duration from now, else the portal session's end. */
export function sessionEndFor(app: Pick<Application, 'sessionDurationSeconds'>, portalSessionExpiresAt: string, now: Date): Date {
  return app.sessionDurationSeconds !== null ? new Date(now.getTime() + app.sessionDurationSeconds * 1000) : new Date(portalSessionExpiresAt);
}

/** The certificate to encrypt to, when the app wants encryption and has one (else none). */
export function encryptionCertificateOf(app: Pick<Application, 'encryptAssertion' | 'encryptionCertificates'>): string | undefined {
  return app.encryptAssertion ? app.encryptionCertificates[0] : undefined;
}

export async function deliverAssertion(
  services: Services,
  res: Response,
  ctx: PortalContext,
  app: Application,
  user: User,
  grant: AppSsoGrant,
  delivery: Delivery,
): Promise<void> {
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
      sessionIndex: session.sessionIndex,
      sessionNotOnOrAfter: sessionEndFor(app, session.expiresAt, now),
      now,
    },
    { signResponse: app.signResponse, signAssertion: app.signAssertion, ...optionalEncryption(app) },
    services.saml.key,
  );

  const remaining = (Date.parse(session.expiresAt) - now.getTime()) / 1000;
  await services.appSso.sessions.recordIssued(
    {
      sessionIndex: session.sessionIndex,
      sessionHash: hashSessionId(ctx.id),
      userId: user.id,
      entityId: app.entityId,
      nameId: grant.nameId.value,
      nameIdFormat: grant.nameId.format,
    },
    remaining,
  );
  await services.portalSessions.noteApp(ctx.id, app.entityId);
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
  postTo(res, delivery.acsUrl, { SAMLResponse: built.samlResponse, ...relay(delivery.relayState) }, `Signing in to ${app.name}`);
}

/** A signed Response with a non-success status and no assertion (NoPassive, InvalidNameIDPolicy). */
export function deliverStatus(
  services: Services,
  res: Response,
  app: Application,
  delivery: Delivery & { status: string; subStatus?: string; message?: string },
): void {
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
  postTo(res, delivery.acsUrl, { SAMLResponse: built.samlResponse, ...relay(delivery.relayState) }, `Returning to ${app.name}`);
}

/** The self-submitting form page (views/auto-post.ts), with the target allowed by the page's CSP. */
export function postTo(res: Response, action: string, fields: Record<string, string>, title: string): void {
  allowFormTarget(res, action);
  res.type('html').send(autoPostPage({ nonce: nonceOf(res), action, fields, title }));
}

function relay(relayState: string | null | undefined): { RelayState?: string } {
  return relayState ? { RelayState: relayState } : {};
}

function optionalEncryption(app: Application): { encryptFor?: string } {
  const cert = encryptionCertificateOf(app);
  return cert ? { encryptFor: cert } : {};
}
