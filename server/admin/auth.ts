// Every admin API call needs `Authorization: Bearer <token>` of an enabled administrator.
import type { RequestHandler } from 'express';
import type { AdminTokenService } from '../../access/admin-tokens.ts';

export function requireAdmin(tokens: Pick<AdminTokenService, 'authenticate'>): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    res.locals.admin = await tokens.authenticate(match?.[1]);
    next();
  };
}

/** The acting administrator's id, for the audit log. */
export const actorOf = (res: { locals: Record<string, unknown> }) => (res.locals.admin as { id: string }).id;
