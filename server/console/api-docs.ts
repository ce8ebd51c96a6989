// /api/v1/docs: the admin API's OpenAPI document (/api/v1/openapi.json) in Swagger UI, served
// from the swagger-ui-dist package on this server (no CDN), under a CSP of its own that allows
// only our own scripts, styles and fetches. Public, like the document it shows.
import { createRequire } from 'node:module';
import path from 'node:path';
import express, { Router } from 'express';
import { apiDocsPage, API_DOCS_CSS, API_DOCS_INIT } from '../../views/console/api-docs.ts';

const ASSETS = ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png'];

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export function apiDocsRouter(): Router {
  const router = Router();
  const dist = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  router.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Frame-Options', 'DENY');
    next();
  });
  router.get('/', (req, res) => {
    // Relative asset URLs need the trailing slash.
    if (!req.originalUrl.split('?')[0]!.endsWith('/')) return res.redirect(301, '/api/v1/docs/');
    res.type('html').send(apiDocsPage());
  });
  router.get('/init.js', (_req, res) => {
    res.type('text/javascript').send(API_DOCS_INIT);
  });
  router.get('/docs.css', (_req, res) => {
    res.type('text/css').send(API_DOCS_CSS);
  });
  const assets = express.static(dist, { index: false, fallthrough: false, maxAge: '1d' });
  router.get(ASSETS.map((a) => `/${a}`), assets);
  return router;
}
