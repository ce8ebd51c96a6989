// A known page asked with a method it does not take (DELETE /start, GET /start/logout) answers 405
// with an Allow header (RFC 9110 §15.5.6) and the portal's own page, not a misleading 404.
// Called last in a router factory: it reads the routes already declared, so no list is kept twice.
import type { Router } from 'express';
import { messagePage } from '../../views/message.ts';
import { nonceOf, pageSecurity } from './page-security.ts';

interface DeclaredRoute { path: unknown; methods: Record<string, boolean> }

export function answerOtherMethodsWith405(router: Router): Router {
  const allowed = new Map<string, Set<string>>();
  for (const layer of router.stack as Array<{ route?: DeclaredRoute }>) {
    if (!layer.route || typeof layer.route.path !== 'string') continue;
    const methods = allowed.get(layer.route.path) ?? new Set<string>();
    for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') methods.add(method.toUpperCase());
    allowed.set(layer.route.path, methods);
  }
  for (const [path, methods] of allowed) {
    if (methods.has('GET')) methods.add('HEAD');
    const allow = [...methods].sort().join(', ');
    router.all(path, pageSecurity, (_req, res) => {
      res.status(405).setHeader('Allow', allow);
      const message = 'This page cannot be used that way. The access portal is where to start.';
      res.type('html').send(messagePage({ nonce: nonceOf(res), title: 'Not allowed here', message }));
    });
  }
  return router;
}
