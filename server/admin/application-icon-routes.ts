// /api/v1/applications/{id}/icon: the image the portal's Applications tab shows for an app
// (access/applications/application-icons.ts). PUT takes the image itself as the body.
import express, { Router } from 'express';
import type { ApplicationIcons } from '../../access/applications/application-icons.ts';
import { NotFoundError } from '../../model/errors.ts';
import { actorOf } from './auth.ts';

export const ICON_CONTENT_TYPES = ['image/png', 'image/jpeg', 'image/webp'];

export interface ApplicationIconRoutesDeps {
  applicationIcons: Pick<ApplicationIcons, 'set' | 'remove' | 'get'>;
}

export function applicationIconRoutes(services: ApplicationIconRoutesDeps): Router {
  const router = Router();
  // A little over the 64 KB the use case takes, so that it (not the parser) says what is wrong.
  const image = express.raw({ limit: '80kb', type: ICON_CONTENT_TYPES });

  router.put('/:id/icon', image, async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    res.json(await services.applicationIcons.set(req.params.id, body, actorOf(res)));
  });
  router.get('/:id/icon', async (req, res) => {
    const icon = await services.applicationIcons.get(req.params.id);
    if (!icon) throw new NotFoundError('Icon of application', req.params.id);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.type(icon.contentType).send(icon.bytes);
  });
  router.delete('/:id/icon', async (req, res) => {
    await services.applicationIcons.remove(req.params.id, actorOf(res));
    res.status(204).end();
  });
  return router;
}
