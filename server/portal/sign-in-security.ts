// The portal's "Sign-in security" tab (docs/mfa.md "Managing your devices"): GET /start/security
// lists the person's devices; /start/security/add-app offers an authenticator app (its secret
// sealed into the form, bound to this session, so nothing is stored until a code confirms it);
// posts rename, remove, add and renew recovery codes, each with the session's CSRF token. The
// use cases are access/mfa/mfa-service.ts.
import express, { Router, type Request, type Response } from 'express';
import type { MfaService } from '../../access/mfa/mfa-service.ts';
import { hashSessionId } from '../../access/portal-sessions.ts';
import type { SignedInPerson } from '../../access/sessions/signed-in-person.ts';
import { isDomainError } from '../../model/errors.ts';
import { recoveryCodesPage } from '../../views/mfa.ts';
import { qrCodeSvg } from '../../views/qr-code.ts';
import { addAppPage, securityPage } from '../../views/sign-in-security.ts';
import { addPasskeyCard } from '../../views/webauthn.ts';
import { answerOtherMethodsWith405 } from '../http/method-not-allowed.ts';
import { nonceOf, pageSecurity } from '../http/page-security.ts';
import { formField, signedInPerson, signedInPersonForPost, toSignIn, type PortalSessionDeps } from '../http/portal-session.ts';
import { portalErrorHandler } from './errors.ts';

export const SECURITY_PATH = '/start/security';

export interface SignInSecurityRouterDeps extends PortalSessionDeps {
  mfa: Pick<
    MfaService,
    'policy' | 'devices' | 'unusedRecoveryCodes' | 'newTotpEnrolment' | 'totpEnrolment' | 'sealOffer' | 'openOffer' | 'confirmTotp' | 'rename' | 'removeOwn' | 'regenerateRecoveryCodes'
  >;
}

/** Notices after a redirect, by key (never text from the query string). */
const NOTICES: Record<string, string> = {
  added: 'The authenticator app is added.',
  renamed: 'The device is renamed.',
  removed: 'The device is removed.',
};

export function signInSecurityRouter(deps: SignInSecurityRouterDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 });
  const binding = (person: SignedInPerson) => hashSessionId(person.sessionId);

  const showList = async (res: Response, person: SignedInPerson, status = 200, extra: { notice?: string; error?: string } = {}) => {
    const policy = await deps.mfa.policy();
    res.status(status).type('html').send(
      securityPage({
        nonce: nonceOf(res),
        userName: person.user.userName,
        csrfToken: person.session.csrfToken,
        devices: await deps.mfa.devices(person.user.id),
        recoveryCodesLeft: await deps.mfa.unusedRecoveryCodes(person.user.id),
        lastRemovable: policy.mode === 'never',
        mfaRequired: policy.mode !== 'never',
        totpAllowed: policy.allowedFactors.includes('totp'),
        extraAdd: policy.allowedFactors.includes('webauthn') ? addPasskeyCard() : undefined,
        ...extra,
      }),
    );
  };

  const showAddApp = async (res: Response, person: SignedInPerson, secret: string, status = 200, error?: string, name?: string) => {
    const enrolment = deps.mfa.totpEnrolment(person.user, secret);
    const qrCode = await qrCodeSvg(enrolment.uri, 'QR code of the authenticator app key');
    res.status(status).type('html').send(addAppPage({ nonce: nonceOf(res), userName: person.user.userName, csrfToken: person.session.csrfToken, secret, sealed: deps.mfa.sealOffer(secret, binding(person)), qrCode, error, name }));
  };

  /** The person of a post, or null when not signed in (then sent to sign in, back to the list). */
  const personForPost = async (req: Request, res: Response): Promise<SignedInPerson | null> => {
    const person = await signedInPersonForPost(deps, req, res);
    if (!person) toSignIn(deps, req, res, SECURITY_PATH);
    return person;
  };

  /** A refusal the person can act on is shown on the list; anything else goes to the error page. */
  const refusedOnList = async (res: Response, person: SignedInPerson, e: unknown) => {
    if (isDomainError(e) && (e.kind === 'validation' || e.kind === 'conflict' || e.kind === 'not-found')) return showList(res, person, e.kind === 'not-found' ? 404 : e.kind === 'conflict' ? 409 : 400, { error: e.message });
    throw e;
  };

  router.get(SECURITY_PATH, pageSecurity, async (req, res) => {
    const person = await signedInPerson(deps, req, res);
    if (!person) return toSignIn(deps, req, res, SECURITY_PATH);
    const done = typeof req.query.done === 'string' ? NOTICES[req.query.done] : undefined;
    await showList(res, person, 200, { notice: done });
  });

  router.get(`${SECURITY_PATH}/add-app`, pageSecurity, async (req, res) => {
    const person = await signedInPerson(deps, req, res);
    if (!person) return toSignIn(deps, req, res, `${SECURITY_PATH}/add-app`);
    res.setHeader('Cache-Control', 'no-store');
    await showAddApp(res, person, deps.mfa.newTotpEnrolment(person.user).secret);
  });

  router.post(`${SECURITY_PATH}/apps`, pageSecurity, form, async (req, res) => {
    const person = await personForPost(req, res);
    if (!person) return;
    const secret = deps.mfa.openOffer(formField(req, 'offer'), binding(person));
    if (!secret) return showList(res, person, 400, { error: 'This form expired. Start adding the app again.' });
    res.setHeader('Cache-Control', 'no-store');
    try {
      const { recoveryCodes } = await deps.mfa.confirmTotp(person.user, { secret, code: formField(req, 'code'), name: formField(req, 'name') }, req.ip ?? 'unknown');
      if (!recoveryCodes) return res.redirect(303, `${SECURITY_PATH}?done=added`);
      res.type('html').send(recoveryCodesPage({ nonce: nonceOf(res), codes: recoveryCodes, continueTo: SECURITY_PATH, signedIn: { userName: person.user.userName, csrfToken: person.session.csrfToken } }));
    } catch (e) {
      if (isDomainError(e) && e.kind === 'validation') return showAddApp(res, person, secret, 400, e.message, formField(req, 'name').slice(0, 64));
      if (isDomainError(e) && e.kind === 'throttled') return showAddApp(res, person, secret, 429, 'Too many wrong codes. Wait a few minutes, then try again.', formField(req, 'name').slice(0, 64));
      throw e;
    }
  });

  router.post(`${SECURITY_PATH}/devices/:id/rename`, pageSecurity, form, async (req, res) => {
    const person = await personForPost(req, res);
    if (!person) return;
    try {
      await deps.mfa.rename(person.user, String(req.params.id), formField(req, 'name'));
      res.redirect(303, `${SECURITY_PATH}?done=renamed`);
    } catch (e) {
      await refusedOnList(res, person, e);
    }
  });

  router.post(`${SECURITY_PATH}/devices/:id/remove`, pageSecurity, form, async (req, res) => {
    const person = await personForPost(req, res);
    if (!person) return;
    try {
      await deps.mfa.removeOwn(person.user, String(req.params.id));
      res.redirect(303, `${SECURITY_PATH}?done=removed`);
    } catch (e) {
      await refusedOnList(res, person, e);
    }
  });

  router.post(`${SECURITY_PATH}/recovery-codes`, pageSecurity, form, async (req, res) => {
    const person = await personForPost(req, res);
    if (!person) return;
    try {
      const codes = await deps.mfa.regenerateRecoveryCodes(person.user);
      res.setHeader('Cache-Control', 'no-store');
      res.type('html').send(recoveryCodesPage({ nonce: nonceOf(res), codes, continueTo: SECURITY_PATH, signedIn: { userName: person.user.userName, csrfToken: person.session.csrfToken } }));
    } catch (e) {
      await refusedOnList(res, person, e);
    }
  });

  router.use(SECURITY_PATH, portalErrorHandler);
  return answerOtherMethodsWith405(router);
}
