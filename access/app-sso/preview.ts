// The admin preview of an application (GET /api/v1/applications/{id}/preview?userId=…): exactly
// what that user would receive from the application right now (docs/saml-applications.md), decided
// by the same code as a real sign-in (decisions.ts): the NameID and attributes, the AWS roles for
// an external AWS account, the signing and encryption the app gets, and the Assertion itself,
// unsigned and unencrypted so an admin can read it; or why the user would be refused. Nothing is
// signed, sent or recorded.
import { buildAssertion } from '../../idp/saml/response.ts';
import { ALG_AES256_GCM, ALG_RSA_OAEP_MGF1P } from '../../idp/saml/encrypted-assertion.ts';
import { defaultAcs } from '../../idp/saml/inbound/acs.ts';
import { InboundRejection } from '../../idp/saml/inbound/rejection.ts';
import { NotFoundError } from '../../model/errors.ts';
import type { User } from '../../model/types.ts';
import type { ApplicationStore, InstanceStore } from '../../store/stores.ts';
import type { IdentitySourceFor } from '../sessions/signed-in-person.ts';
import type { AppSsoService } from './decisions.ts';
import { encryptionCertificateOf, sessionEndFor } from './responses.ts';

export interface ApplicationPreviewDeps {
  applications: Pick<ApplicationStore, 'get'>;
  instance: Pick<InstanceStore, 'getOrCreate'>;
  /** UserService.get: NotFoundError for an unknown id. */
  user(id: string): Promise<User>;
  identitySourceFor: IdentitySourceFor;
  decisions: AppSsoService;
  /** Our entity id, the Issuer a real sign-in would name. */
  entityId: string;
}

/** The session index a real sign-in would take from the portal session. */
const PREVIEW_SESSION_INDEX = '_preview-session-index';

/** What `userId` would receive from application `applicationId` now (a JSON-ready object). */
async function previewApplication(services: ApplicationPreviewDeps, applicationId: string, userId: string): Promise<Record<string, unknown>> {
  const app = await services.applications.get(applicationId);
  if (!app) throw new NotFoundError('Application', applicationId);
  const user = await services.user(userId);
  const groups = await services.identitySourceFor(user.source).groupsOf(user);
  const decision = await services.decisions.decide(app, user, groups);
  const base = { applicationId: app.id, userId: user.id, userName: user.userName };
  if (!decision.ok) {
    return { ...base, wouldSignIn: false, refusal: decision.refusal };
  }

  let acsUrl: string;
  try {
    acsUrl = defaultAcs(app.acs).url;
  } catch (e) {
    if (!(e instanceof InboundRejection)) throw e;
    return { ...base, wouldSignIn: false, refusal: { code: 'misconfigured', message: e.message } };
  }
  const { grant } = decision;
  const now = new Date();
  const { sessionDurationMinutes } = await services.instance.getOrCreate();
  const portalSessionEnd = new Date(now.getTime() + sessionDurationMinutes * 60_000).toISOString();
  const assertion = buildAssertion({
    issuer: services.entityId,
    audience: app.entityId,
    recipient: acsUrl,
    nameId: grant.nameId.value,
    nameIdFormat: grant.nameId.format,
    attributes: grant.attributes,
    authnInstant: now,
    sessionIndex: PREVIEW_SESSION_INDEX,
    sessionNotOnOrAfter: sessionEndFor(app, portalSessionEnd, now),
    now,
  });
  const encryptFor = encryptionCertificateOf(app);
  return {
    ...base,
    wouldSignIn: true,
    acs: acsUrl,
    audience: app.entityId,
    relayState: app.defaultRelayState,
    nameId: {
      value: grant.nameId.value,
      format: grant.nameId.format,
      source: app.nameIdSource,
      ...(app.nameIdSource === 'transient' ? { note: 'transient: a new random value on every sign-in; this one is an example' } : {}),
    },
    attributes: grant.attributes.map((a) => ({ name: a.name, nameFormat: a.nameFormat, values: a.values })),
    roleArns: grant.roleArns,
    signed: { response: app.signResponse || !app.signAssertion, assertion: app.signAssertion },
    encryption: encryptFor
      ? { enabled: true, contentAlgorithm: ALG_AES256_GCM, keyTransportAlgorithm: ALG_RSA_OAEP_MGF1P }
      : { enabled: false, ...(app.encryptAssertion ? { note: 'encryption is on, but the application has no encryption certificate' } : {}) },
    warnings: grant.warnings,
    assertionXml: assertion.xml,
  };
}

export class ApplicationPreview {
  constructor(private readonly deps: ApplicationPreviewDeps) {}

  preview(applicationId: string, userId: string): Promise<Record<string, unknown>> {
    return previewApplication(this.deps, applicationId, userId);
  }
}
