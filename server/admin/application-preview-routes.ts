// GET /api/v1/applications/{id}/preview?userId=… : exactly what that user would receive from the
// application right now (docs/saml-applications.md), decided by the same code as a real sign-in
// (access/app-sso.ts): the NameID and attributes, the AWS roles for an external AWS account, the
// signing and encryption the app gets, and the Assertion itself, unsigned and unencrypted so an
// admin can read it; or why the user would be refused. Nothing is signed, sent or recorded.
import type { Router } from 'express';
import { z } from 'zod';
import { buildAssertion } from '../../idp/saml/response.ts';
import { ALG_AES256_GCM, ALG_RSA_OAEP_MGF1P } from '../../idp/saml/encrypted-assertion.ts';
import { defaultAcs } from '../../idp/saml/inbound/acs.ts';
import { InboundRejection } from '../../idp/saml/inbound/rejection.ts';
import { NotFoundError } from '../../model/errors.ts';
import { parseInput } from '../../model/validate.ts';
import { encryptionCertificateOf, sessionEndFor } from '../saml/deliver-response.ts';
import type { Services } from '../services.ts';

const previewQuery = z.object({ userId: z.string().min(1).max(128) });

/** The session index a real sign-in would take from the portal session. */
const PREVIEW_SESSION_INDEX = '_preview-session-index';

export function mountApplicationPreview(router: Router, services: Services): void {
  router.get('/applications/:id/preview', async (req, res) => {
    const { userId } = parseInput(previewQuery, req.query, 'query');
    const app = await services.sql.applications.get(req.params.id);
    if (!app) throw new NotFoundError('Application', req.params.id);
    const user = await services.users.get(userId);
    const groups = await services.identitySourceFor(user.source).groupsOf(user);
    const decision = await services.appSso.decisions.decide(app, user, groups);
    const base = { applicationId: app.id, userId: user.id, userName: user.userName };
    if (!decision.ok) {
      res.json({ ...base, wouldSignIn: false, refusal: decision.refusal });
      return;
    }

    let acsUrl: string;
    try {
      acsUrl = defaultAcs(app.acs).url;
    } catch (e) {
      if (!(e instanceof InboundRejection)) throw e;
      res.json({ ...base, wouldSignIn: false, refusal: { code: 'misconfigured', message: e.message } });
      return;
    }
    const { grant } = decision;
    const now = new Date();
    const { sessionDurationMinutes } = await services.sql.instance.getOrCreate();
    const portalSessionEnd = new Date(now.getTime() + sessionDurationMinutes * 60_000).toISOString();
    const assertion = buildAssertion({
      issuer: services.saml.entityId,
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
    res.json({
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
    });
  });
}
