// /admin/api-token: the signed-in administrator mints an admin API token from their console session
// (docs/mfa.md "Admin API tokens"). The POST carries the session's CSRF token (console-auth.ts);
// the token is shown in the answer only, never in a URL.
import { Router } from 'express';
import type { AdminTokenService } from '../../access/admin-tokens.ts';
import type { Config } from '../config.ts';
import { apiTokenPage } from '../../views/console/api-token.ts';
import { adminOf } from './console-auth.ts';
import { render } from './render.ts';

export interface ApiTokenPagesDeps {
  adminTokens: Pick<AdminTokenService, 'issueForSession'>;
  config: Pick<Config, 'baseUrl' | 'adminTokenTtlMinutes'>;
}

export function apiTokenPages(deps: ApiTokenPagesDeps): Router {
  const router = Router();
  const page = (csrfToken: string, issued?: { token: string; expiresAt: Date; role: string }) =>
    apiTokenPage({ csrfToken, baseUrl: deps.config.baseUrl, ttlMinutes: deps.config.adminTokenTtlMinutes, issued });

  router.get('/', (_req, res) => {
    render(res, page(adminOf(res).csrfToken));
  });

  router.post('/', async (req, res) => {
    const admin = adminOf(res);
    const issued = await deps.adminTokens.issueForSession(admin.user, req.ip ?? 'unknown');
    res.setHeader('Cache-Control', 'no-store');
    render(res, page(admin.csrfToken, issued));
  });
  return router;
}
