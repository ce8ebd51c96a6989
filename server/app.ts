// Builds the express app from the services registry: one router per surface. It serves
// everything but the SSO portal API, behind server/http-server.ts, which has already given the
// request its id, its request-log line and the headers every response carries.
import express, { type Express } from 'express';
import { actingAs } from '../access/audit/audit-context.ts';
import { adminRouter } from './admin/router.ts';
import { oidcRouter } from './aws/oidc/router.ts';
import { healthRouter } from './health.ts';
import { notFoundRouter } from './not-found.ts';
import { portalApplicationsRouter } from './portal/applications.ts';
import { portalCredentialsRouter } from './portal/credentials.ts';
import { authorizeRouter } from './portal/authorize.ts';
import { deviceRouter } from './portal/device.ts';
import { portalRouter } from './portal/router.ts';
import { samlRouter } from './saml/router.ts';
import { exposeRequestContext } from './request-log.ts';
import type { Services } from './services.ts';

export interface AppState {
  /** Set on SIGTERM: /readyz turns 503 so load balancers stop sending traffic first. */
  draining: boolean;
}

export function createApp(services: Services, state: AppState = { draining: false }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', services.config.trustProxy);
  app.set('query parser', 'simple');
  exposeRequestContext(app.request);
  app.use(healthRouter(services, state));
  // Every audit event written while serving a request records the client's address; the admin API
  // names the person too once their token is checked (access/audit/audit-context.ts).
  app.use((req, _res, next) => actingAs({ actorId: null, actorName: null, address: req.ip ?? null }, () => next()));
  app.use('/api/v1', adminRouter(services));
  app.use(samlRouter(services));
  // SSO OIDC API (JSON) and its two browser pages, /device and /authorize; each router keeps to its own paths.
  app.use(oidcRouter(services));
  app.use(deviceRouter(services));
  app.use(authorizeRouter(services));
  app.use(portalCredentialsRouter(services));
  app.use(portalApplicationsRouter(services));
  app.use(portalRouter(services));
  app.use(notFoundRouter());
  return app;
}
