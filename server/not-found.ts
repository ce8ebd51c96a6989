// What answers a path no surface serves. Browsers get a small page under the same security headers
// as every portal page (no framing: ASVS V3.4.6); anything under /api/ gets the admin API's problem
// JSON (RFC 9457), as unknown /api/v1 routes already do. Nothing names the framework behind it.
// The bare root is no unknown path: it leads to the portal.
import { Router } from 'express';
import { messagePage } from '../views/message.ts';
import type { Problem } from './admin/problem.ts';
import { nonceOf, pageSecurity } from './http/page-security.ts';

export function notFoundRouter(): Router {
  const router = Router();
  router.use('/api', (_req, res) => {
    const problem: Problem = { type: 'urn:gatehouse:problem:not-found', title: 'Not found', status: 404, detail: 'No such API endpoint' };
    res.status(404).type('application/problem+json').json(problem);
  });
  // The address `npm start` prints: people land on the access portal, not on a 404.
  router.get('/', (_req, res) => res.redirect(302, '/start'));
  router.use(pageSecurity, (_req, res) => {
    const message = 'There is nothing at this address. The access portal is where to start.';
    res.status(404).type('html').send(messagePage({ nonce: nonceOf(res), title: 'Not found', message }));
  });
  return router;
}
