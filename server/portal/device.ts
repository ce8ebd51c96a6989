// The device verification page of the SSO OIDC device flow (docs/aws-cli.md StartDeviceAuthorization:
// `verificationUri` = <base>/device, `verificationUriComplete` = <base>/device?user_code=XXXX-XXXX).
// A signed-in person sees the user code and the requesting client's name and approves or denies;
// the approval records their portal session, to which the resulting tokens are bound.
import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { SignedInPerson } from '../../access/sessions/signed-in-person.ts';
import type { BrowserApprovals } from '../../access/sso-oidc/browser-approvals.ts';
import type { DeviceAuthorizationService } from '../../access/sso-oidc/device-authorizations.ts';
import { normalizeUserCode } from '../../access/sso-oidc/user-codes.ts';
import { ThrottledError } from '../../model/errors.ts';
import { deviceCodeEntryPage, deviceConfirmPage, deviceDecidedPage } from '../../views/device.ts';
import { nonceOf, pageSecurity } from '../http/page-security.ts';
import { formField, signedInPerson, signedInPersonForPost, toSignIn, type PortalSessionDeps } from '../http/portal-session.ts';
import { portalErrorHandler } from './errors.ts';
import { answerOtherMethodsWith405 } from '../http/method-not-allowed.ts';

/** Who is entering a code: wrong codes are counted per person and per address (RFC 8628 §5.1). */
const entrant = (req: Request, person: SignedInPerson) => ({ personId: person.user.id, address: req.ip ?? 'unknown' });

export interface DeviceRouterDeps extends PortalSessionDeps {
  devices: Pick<DeviceAuthorizationService, 'findPending'>;
  approvals: Pick<BrowserApprovals, 'decideDevice'>;
}

export function deviceRouter(services: DeviceRouterDeps): Router {
  const router = Router();
  // Scoped to /device: this router sits at the root next to the AWS APIs.
  router.use('/device', pageSecurity, express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 }));

  const frame = (res: Response, p: SignedInPerson) => ({ nonce: nonceOf(res), userName: p.session.userName, csrfToken: p.session.csrfToken });
  // Only a well-formed code is carried through sign-in, so the return path stays simple.
  const returnPath = (typed: string) => {
    const code = normalizeUserCode(typed);
    return code ? `/device?user_code=${code}` : '/device';
  };

  router.get('/device', async (req, res) => {
    const typed = typeof req.query.user_code === 'string' ? req.query.user_code : '';
    const person = await signedInPerson(services, req, res);
    if (!person) return toSignIn(services, req, res, returnPath(typed));
    if (!typed) return res.type('html').send(deviceCodeEntryPage(frame(res, person)));
    const pending = await services.devices.findPending(typed, entrant(req, person));
    if (!pending) {
      return res.status(404).type('html').send(
        deviceCodeEntryPage({ ...frame(res, person), typed: typed.slice(0, 32), error: 'That code was not recognised. It may have expired (codes last 10 minutes) or already been used. Check the code in your terminal, or start the sign-in again.' }),
      );
    }
    res.type('html').send(deviceConfirmPage({ ...frame(res, person), userCode: pending.userCode, clientName: pending.clientName, startUrl: pending.startUrl }));
  });

  const decide = (decision: 'approve' | 'deny') => async (req: Request, res: Response) => {
    const typed = formField(req, 'user_code');
    const person = await signedInPersonForPost(services, req, res);
    if (!person) return toSignIn(services, req, res, returnPath(typed));
    const decided = await services.approvals.decideDevice(person, typed, decision, req.ip ?? 'unknown');
    if (!decided) {
      return res.status(404).type('html').send(
        deviceCodeEntryPage({ ...frame(res, person), error: 'This request is no longer waiting for you: it expired or was already approved or denied. Start the sign-in again from your terminal if you still need it.' }),
      );
    }
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
  return answerOtherMethodsWith405(router);
}
