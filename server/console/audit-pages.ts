// /admin/audit: the audit log, newest first, filtered by action and actor (a user name or id).
import { Router } from 'express';
import type { AuditLog } from '../../access/audit/audit-log.ts';
import type { UserService } from '../../directory/users.ts';
import { isDomainError } from '../../model/errors.ts';
import { auditPage } from '../../views/console/audit.ts';
import { queryParam, render } from './render.ts';

export interface AuditPagesDeps {
  auditLog: AuditLog;
  users: UserService;
}

export function auditPages(deps: AuditPagesDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const action = queryParam(req, 'action', 128).trim();
    const actor = queryParam(req, 'actor', 128).trim();
    const nextToken = queryParam(req, 'nextToken', 512) || undefined;
    let actorId: string | undefined;
    let error: string | undefined;
    if (actor) {
      // A user name is looked up; anything else is taken as an id (or 'system').
      const matches = (await deps.users.list({ limit: 100, nameContains: actor })).items.filter((u) => u.userName.toLowerCase() === actor.toLowerCase());
      actorId = matches[0]?.id ?? actor;
    }
    const page = await deps.auditLog.list({ limit: 50, nextToken, ...(action ? { action } : {}), ...(actorId ? { actor: actorId } : {}) });
    const names = new Map<string, string>();
    for (const e of page.items) {
      if (names.has(e.actor)) continue;
      names.set(e.actor, e.actor);
      try {
        names.set(e.actor, `${(await deps.users.get(e.actor)).userName}`);
      } catch (err) {
        if (!isDomainError(err)) throw err;
      }
    }
    if (actor && page.items.length === 0 && actorId === actor && !/^[\w-]+$/.test(actor)) error = 'No user has this name.';
    render(res, auditPage({ items: page.items, action, actor, actorName: (id) => names.get(id) ?? id, nextToken: page.nextToken, firstPage: !nextToken, error }));
  });
  return router;
}
