// /api/v1/applications: custom SAML 2.0 applications (docs/saml-applications.md). Mounted before the admin API's
// own JSON parser because SP metadata is larger than its 256 KB: JSON bodies here may be 4 MB (a
// 1 MB document escaped into a string, which the metadata parser then caps at 1 MB and says so),
// and a metadata document may be POSTed as the body itself (a file upload) with Content-Type
// application/samlmetadata+xml, application/xml or text/xml and ?name=. The caller puts
// requireAdmin in front, so nothing is parsed for an anonymous client.

import express, { Router, type Request } from 'express';
import type { ApplicationPreview } from '../../access/app-sso/preview.ts';
import type { ApplicationService } from '../../access/applications/application-service.ts';
import { providerArnFor } from '../../access/applications/external-aws.ts';
import type { Application } from '../../model/types.ts';
import { parseInput } from '../../model/validate.ts';
import { z } from 'zod';
import { actorOf } from './auth.ts';
import { cascadeParam, listQuery } from './list-query.ts';

export const METADATA_CONTENT_TYPES = ['application/samlmetadata+xml', 'application/xml', 'text/xml'];

/** The JSON form of an application; lists leave out the stored metadata document. */
export function applicationView(app: Application & { clientSecret?: string | null }, options: { withDocument: boolean }) {
  const { xml, ...metadata } = app.metadata;
  // The client secret's hash stays inside; the secret itself is in the answer that made it only.
  const oidc = app.oidc ? (({ clientSecretSha256, ...rest }) => ({ ...rest, clientId: app.id, hasClientSecret: clientSecretSha256 !== null }))(app.oidc) : undefined;
  if (app.kind === 'oidc' && oidc) {
    // An OpenID Connect application has no SAML settings: none are shown (docs/oidc-applications.md).
    const { id, name, description, kind, createdAt, updatedAt } = app;
    return { id, name, description, kind, oidc, ...(app.clientSecret !== undefined ? { clientSecret: app.clientSecret } : {}), createdAt, updatedAt };
  }
  return {
    ...app,
    ...(oidc ? { oidc } : {}),
    metadata: options.withDocument ? app.metadata : { ...metadata, hasDocument: xml !== null },
    externalAwsAccount: app.externalAwsAccount && { ...app.externalAwsAccount, samlProviderArn: providerArnFor(app.externalAwsAccount) },
  };
}

const isMetadataUpload = (req: Request) => typeof req.is(METADATA_CONTENT_TYPES) === "string";

const previewQuery = z.object({ userId: z.string().min(1).max(128) });

export interface ApplicationRoutesDeps {
  applications: ApplicationService;
  /** What a user would receive from an app now (GET /applications/{id}/preview). */
  applicationPreview: Pick<ApplicationPreview, 'preview'>;
}

export function applicationRoutes(services: ApplicationRoutesDeps): Router {
  const router = Router();
  const applications = services.applications;
  router.use(express.json({ limit: '4mb', type: ['application/json', 'application/*+json'] }));
  router.use(express.raw({ limit: '2mb', type: METADATA_CONTENT_TYPES }));

  router.get('/', async (req, res) => {
    const page = await applications.list(listQuery(req.query));
    res.json({ ...page, items: page.items.map((a) => applicationView(a, { withDocument: false })) });
  });
  router.post('/', async (req, res) => {
    const app = isMetadataUpload(req)
      ? await applications.createFromUpload(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), req.query, actorOf(res))
      : await applications.create(req.body, actorOf(res));
    res.status(201).json(applicationView(app, { withDocument: true }));
  });
  router.get('/:id', async (req, res) => {
    res.json(applicationView(await applications.get(req.params.id), { withDocument: true }));
  });
  router.patch('/:id', async (req, res) => {
    res.json(applicationView(await applications.update(req.params.id, req.body, actorOf(res)), { withDocument: true }));
  });
  router.delete('/:id', async (req, res) => {
    await applications.delete(req.params.id, cascadeParam(req.query as Record<string, unknown>), actorOf(res));
    res.status(204).end();
  });
  router.post('/:id/client-secret', async (req, res) => {
    res.json(applicationView(await applications.rotateClientSecret(req.params.id, actorOf(res)), { withDocument: false }));
  });
  router.post('/:id/refresh-metadata', async (req, res) => {
    const { outcome, error, application } = await applications.refreshMetadata(req.params.id, actorOf(res));
    res.json({ outcome, error, application: applicationView(application, { withDocument: false }) });
  });

  // Exactly what that user would receive from the application right now (docs/saml-applications.md).
  router.get('/:id/preview', async (req, res) => {
    const { userId } = parseInput(previewQuery, req.query, 'query');
    res.json(await services.applicationPreview.preview(req.params.id, userId));
  });

  router.get('/:id/assignments', async (req, res) => {
    const q = listQuery(req.query);
    res.json(await applications.listAssignments(req.params.id, { limit: q.limit, nextToken: q.nextToken }));
  });
  router.post('/:id/assignments', async (req, res) => {
    res.status(201).json(await applications.assign(req.params.id, req.body, actorOf(res)));
  });
  // DELETE names the principal in the query (or the body, for clients that send one).
  router.delete('/:id/assignments', async (req, res) => {
    const key = req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body) && Object.keys(req.body as object).length ? req.body : req.query;
    await applications.unassign(req.params.id, key, actorOf(res));
    res.status(204).end();
  });
  return router;
}
