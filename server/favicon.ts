// The site icon every page names (<link rel="icon"> in views/layout.ts and views/console/layout.ts).
// Browsers also ask /favicon.ico on their own; one small SVG answers both, so no page logs a 404 for it.
import { Router } from 'express';

export const FAVICON_PATH = '/favicon.ico';

const ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#232f3e"/><path d="M8 26V12l8-6 8 6v14h-5v-8h-6v8z" fill="#ff9900"/></svg>';

export function faviconRouter(): Router {
  const router = Router();
  router.get(FAVICON_PATH, (_req, res) => {
    res.type('image/svg+xml').setHeader('Cache-Control', 'public, max-age=86400');
    res.send(ICON);
  });
  return router;
}
