// Every admin API call needs `Authorization: Bearer <token>` of a person who holds an admin role
// now; what they may then do is the admin policy's answer (access/admin/admin-policy.ts).
import type { RequestHandler, Response } from 'express';
import type { AdminPolicy } from '../../access/admin/admin-policy.ts';
import type { AdminPrincipal, AdminTokenService } from '../../access/admin-tokens.ts';
import { actingAs } from '../../access/audit/audit-context.ts';
import { adminActionFor } from './admin-actions.ts';

export function requireAdmin(tokens: Pick<AdminTokenService, 'authenticate'>): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const principal = await tokens.authenticate(match?.[1]);
    res.locals.admin = principal.user;
    res.locals.adminPrincipal = principal;
    // Every audit event written while serving this request names the person and their address.
    actingAs({ actorId: principal.user.id, actorName: principal.user.userName, address: req.ip ?? null }, () => next());
  };
}

/**
 * Refuses (403, audited) what the caller's role may not do, before any route runs; a change that
 * passes runs with the same check repeated inside each of its transactions (AdminPolicy.guardWrites).
 */
export function enforceAdminPolicy(policy: Pick<AdminPolicy, 'authorize' | 'guardWrites'>): RequestHandler {
  return async (req, res, next) => {
    const action = adminActionFor({ method: req.method, path: req.path, body: req.body, query: req.query as Record<string, unknown> });
    await policy.authorize(principalOf(res), action);
    if (action.kind === 'read') return next();
    const writes = policy.guardWrites(principalOf(res), [action]);
    res.once('close', () => writes.end());
    writes.run(() => next());
  };
}

/** The acting administrator's id, for the audit log. */
export const actorOf = (res: { locals: Record<string, unknown> }) => (res.locals.admin as { id: string }).id;

/** The person a request acts for, with their role. */
export const principalOf = (res: Response | { locals: Record<string, unknown> }) => res.locals.adminPrincipal as AdminPrincipal;
