// The HTTP server: every request is begun here (request id, request-log line, the headers every
// response carries), then the SSO portal API takes its four routes and express the rest.
//
// The portal API is served by plain node:http code, not through express: GetRoleCredentials is
// the hot path of every SDK credential refresh, and express's routing and response helpers cost
// several times what the cached call itself does (bench/role-credentials). Its paths collide with
// no other surface's, and nothing of express (sessions, pages, body parsers) applies to it.
import http, { type Server } from 'node:http';
import { createApp, type AppState } from './app.ts';
import { portalApiHandler } from './aws/portal-api/handler.ts';
import { requestLog } from './request-log.ts';
import type { Services } from './services.ts';

export function createHttpServer(services: Services, state: AppState = { draining: false }): Server {
  const app = createApp(services, state);
  const portalApi = portalApiHandler({ ssoAccessTokens: services.ssoAccessTokens, roleCredentials: services.roleCredentials, ssoLogout: services.ssoLogout });
  const beginRequest = requestLog(services.logger);
  // Served over https, browsers are told to use nothing else for a year, subdomains included
  // (RFC 6797 §6.1); over plain http the header would be ignored and is not sent (RFC 6797 §7.2).
  const hsts = services.config.baseUrl.startsWith('https://') ? 'max-age=31536000; includeSubDomains' : null;
  return http.createServer((req, res) => {
    const requestId = beginRequest(req, res);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (hsts) res.setHeader('Strict-Transport-Security', hsts);
    // Draining for shutdown (server/shutdown.ts): each answer ends its connection, so kept-alive
    // clients open their next one where the load balancer now sends them (RFC 9112 §9.6).
    if (state.draining) res.setHeader('Connection', 'close');
    if (!portalApi(req, res, requestId)) app(req, res);
  });
}
