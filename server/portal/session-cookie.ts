// Handing the browser its new portal session: a previous session in this browser ends (one person,
// one session per browser), and the cookie lives as long as the session.
import type { Request, Response } from 'express';
import type { PortalSessionService } from '../../access/portal-sessions.ts';
import type { OpenedSession } from '../../access/sign-in.ts';
import type { Clock } from '../../model/clock.ts';
import { readCookie, SESSION_COOKIE, setCookie } from '../http/cookies.ts';

export interface SessionCookieDeps {
  secureCookies: boolean;
  portalSessions: Pick<PortalSessionService, 'destroy'>;
  clock: Clock;
}

export async function giveSession(deps: SessionCookieDeps, req: Request, res: Response, opened: OpenedSession): Promise<void> {
  const secure = deps.secureCookies;
  const previous = readCookie(req, SESSION_COOKIE, secure);
  if (previous) await deps.portalSessions.destroy(previous);
  setCookie(res, SESSION_COOKIE, opened.id, { secure, maxAgeSeconds: Math.round((Date.parse(opened.session.expiresAt) - deps.clock.now()) / 1000) });
}
