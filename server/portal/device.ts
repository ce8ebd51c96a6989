// The device verification page of the SSO OIDC device flow (docs/aws-cli.md StartDeviceAuthorization:
// `verificationUri` = <base>/device, `verificationUriComplete` = <base>/device?user_code=XXXX-XXXX).
// A signed-in person sees the user code and the requesting client's name and approves or denies;
// the approval records their portal session, to which the resulting tokens are bound.
import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { Approval, CodeEntrant } from '../../access/sso-oidc/device-authorizations.ts';
import { normalizeUserCode } from '../../access/sso-oidc/user-codes.ts';
import { hashSessionId } from '../../access/portal-sessions.ts';
import { ThrottledError } from '../../model/errors.ts';
import { deviceCodeEntryPage, deviceConfirmPage, deviceDecidedPage } from '../../views/device.ts';
import type { Services } from '../services.ts';
import { portalErrorHandler } from './errors.ts';
import { nonceOf, pageSecurity } from './page-security.ts';
import { currentSession, sessionForPost, type PortalContext } from '../http/portal-session.ts';

export interface SignedInPerson {
  ctx: PortalContext;
  approval: Approval;
}

/**
 * The person behind a portal session, re-read from their directory: a session whose user has been
 * disabled or deleted since sign-in is ended here and counts as not signed in.
 */
export async function personOf(services: Services, ctx: PortalContext | null): Promise<SignedInPerson | null> {
  if (!ctx) return null;
  const user = await services.identitySourceFor(ctx.session.source).getUser(ctx.session.userId);
  if (!user || !user.enabled) {
    await services.portalSessions.destroy(ctx.id);
    return null;
  }
  return {
    ctx,
    approval: { userId: user.id, userName: ctx.session.userName, source: ctx.session.source, portalSessionHash: hashSessionId(ctx.id) },
  };
}

/** To the sign-in page, coming back to `returnTo` (one of our paths; see safeReturnTo) afterwards. */
export function toSignIn(res: Response, returnTo: string): void {
  res.redirect(303, `/start?returnTo=${encodeURIComponent(returnTo)}`);
}

/** Who is entering a code: wrong codes are counted per person and per address (RFC 8628 §5.1). */
const entrant = (req: Request, person: SignedInPerson): CodeEntrant => ({ personId: person.approval.userId, address: req.ip ?? 'unknown' });

const field = (req: Request, name: string) => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
};

export function deviceRouter(services: Services): Router {
  const router = Router();
  // Scoped to /device: this router sits at the root next to the AWS APIs.
  router.use('/device', pageSecurity, express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 }));

  const frame = (res: Response, p: SignedInPerson) => ({ nonce: nonceOf(res), userName: p.ctx.session.userName, csrfToken: p.ctx.session.csrfToken });
  // Only a well-formed code is carried through sign-in, so the return path stays simple.
  const returnPath = (typed: string) => {
    const code = normalizeUserCode(typed);
    return code ? `/device?user_code=${code}` : '/device';
  };

  router.get('/device', async (req, res) => {
    const typed = typeof req.query.user_code === 'string' ? req.query.user_code : '';
    const person = await personOf(services, await currentSession(services, req));
    if (!person) return toSignIn(res, returnPath(typed));
    if (!typed) return res.type('html').send(deviceCodeEntryPage(frame(res, person)));
    const pending = await services.ssoOidc.devices.findPending(typed, entrant(req, person));
    if (!pending) {
      return res.status(404).type('html').send(
        deviceCodeEntryPage({ ...frame(res, person), typed: typed.slice(0, 32), error: 'That code was not recognised. It may have expired (codes last 10 minutes) or already been used. Check the code in your terminal, or start the sign-in again.' }),
      );
    }
    res.type('html').send(deviceConfirmPage({ ...frame(res, person), userCode: pending.userCode, clientName: pending.clientName, startUrl: pending.startUrl }));
  });

  const decide = (decision: 'approve' | 'deny') => async (req: Request, res: Response) => {
    const typed = field(req, 'user_code');
    const person = await personOf(services, await sessionForPost(services, req));
    if (!person) return toSignIn(res, returnPath(typed));
    const decided = await services.ssoOidc.devices.decide(typed, decision, person.approval, entrant(req, person));
    if (!decided) {
      return res.status(404).type('html').send(
        deviceCodeEntryPage({ ...frame(res, person), error: 'This request is no longer waiting for you: it expired or was already approved or denied. Start the sign-in again from your terminal if you still need it.' }),
      );
    }
    await services.audit.append({
      actor: person.approval.userId,
      action: decision === 'approve' ? 'sso-oidc.device.approve' : 'sso-oidc.device.deny',
      target: `sso-oidc-client/${decided.clientId}`,
      detail: { userCode: decided.userCode, clientName: decided.clientName },
    });
    res.type('html').send(deviceDecidedPage({ ...frame(res, person), approved: decision === 'approve', clientName: decided.clientName }));
  };
  router.post('/device/approve', decide('approve'));
  router.post('/device/deny', decide('deny'));

  // Too many wrong codes (RFC 8628 §5.1): the page says when to come back, and so does Retry-After.
  router.use('/device', ((error, req, res, next) => {
    if (error instanceof ThrottledError) {
      req.log.warn({ reason: error.message }, 'device verification page: user code refused, too many wrong codes');
      if (error.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(error.retryAfterSeconds));
    }
    next(error);
  }) satisfies ErrorRequestHandler);
  router.use('/device', portalErrorHandler);
  return router;
}
