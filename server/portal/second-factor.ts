// The second step of portal sign-in (docs/mfa.md): GET /start/mfa shows what the pending sign-in
// needs (a code, registering an app, or a refusal); POST /start/mfa completes it with a TOTP or
// recovery code; POST /start/mfa/register registers the app offered and shows the recovery codes
// once; POST /start/mfa/passkey and /start/mfa/passkey/register do the same with a passkey or
// security key (WebAuthn, views/webauthn.ts). The pending sign-in is named by its own cookie and
// its forms carry its CSRF token.
import { Router, type Request, type Response } from 'express';
import { SECOND_FACTOR_FAILED } from '../../access/mfa/mfa-service.ts';
import { PENDING_SIGN_IN_SECONDS } from '../../access/mfa/pending-sign-ins.ts';
import { SIGN_IN_EXPIRED, type SecondFactorStage, type SignInService } from '../../access/sign-in.ts';
import { isDomainError, ThrottledError } from '../../model/errors.ts';
import { PASSKEY_FAILED } from '../../access/mfa/webauthn-service.ts';
import { noDevicePage, recoveryCodesPage, registerAppPage, secondFactorPage } from '../../views/mfa.ts';
import { passkeyForm, passkeySection, registerPasskeyPage } from '../../views/webauthn.ts';
import { qrCodeSvg } from '../../views/qr-code.ts';
import { clearCookie, LOGIN_CSRF_COOKIE, MFA_PENDING_COOKIE, readCookie, setCookie } from '../http/cookies.ts';
import { nonceOf } from '../http/page-security.ts';
import { formField, sameSecret } from '../http/portal-session.ts';
import { showSignIn } from '../http/sign-in-page.ts';
import { giveSession, type SessionCookieDeps } from './session-cookie.ts';

export interface SecondFactorDeps extends SessionCookieDeps {
  signIn: Pick<SignInService, 'secondFactor' | 'completeWithCode' | 'completeWithRegistration' | 'passkeyCeremony' | 'completeWithPasskey' | 'completeWithPasskeyRegistration'>;
}

/** After the password step: the browser holds the pending sign-in and goes to /start/mfa. */
export function toSecondFactor(res: Response, secure: boolean, pendingId: string): void {
  setCookie(res, MFA_PENDING_COOKIE, pendingId, { secure, maxAgeSeconds: PENDING_SIGN_IN_SECONDS });
  clearCookie(res, LOGIN_CSRF_COOKIE, secure);
  res.redirect(303, '/start/mfa');
}

const tooManyAttempts = (e: ThrottledError) =>
  `Too many attempts. Wait ${Math.max(1, Math.ceil((e.retryAfterSeconds ?? 900) / 60))} minutes and sign in again, or ask an administrator.`;

export function secondFactorRouter(deps: SecondFactorDeps): Router {
  const router = Router();
  const secure = deps.secureCookies;
  const pendingIdOf = (req: Request) => readCookie(req, MFA_PENDING_COOKIE, secure);

  /** The second step is done: the portal session replaces the pending sign-in's cookie. */
  const signedIn = async (req: Request, res: Response, opened: Parameters<typeof giveSession>[3]) => {
    await giveSession(deps, req, res, opened);
    clearCookie(res, MFA_PENDING_COOKIE, secure);
  };

  const expired = (res: Response) => {
    clearCookie(res, MFA_PENDING_COOKIE, secure);
    showSignIn(res, secure, 401, { error: SIGN_IN_EXPIRED });
  };

  /** The page for the stage; `failed` says which form the error is about (a code or a passkey). */
  const render = async (req: Request, res: Response, stage: SecondFactorStage, status = 200, error?: string, failed: 'code' | 'passkey' = 'code') => {
    const common = { nonce: nonceOf(res), csrfToken: stage.pending.csrfToken, error, userName: stage.user.userName };
    if (stage.stage === 'refused') return res.status(403).type('html').send(noDevicePage(common));
    // Every page shown gets a new WebAuthn challenge, bound to this pending sign-in.
    const ceremony = await deps.signIn.passkeyCeremony(pendingIdOf(req)!, stage);
    if (stage.stage === 'code') {
      const passkey = ceremony && passkeyForm({ action: '/start/mfa/passkey', csrfToken: stage.pending.csrfToken, ceremony: ceremony.kind, options: ceremony.options, buttonLabel: 'Use a passkey or security key' });
      return res.status(status).type('html').send(secondFactorPage({ ...common, passkey: passkey ?? undefined, app: stage.app }));
    }
    const form = ceremony && passkeyForm({ action: '/start/mfa/passkey/register', csrfToken: stage.pending.csrfToken, ceremony: ceremony.kind, options: ceremony.options, buttonLabel: 'Register a passkey and sign in', nameField: true });
    if (!stage.enrolment) return res.status(status).type('html').send(registerPasskeyPage({ nonce: common.nonce, userName: common.userName, error, form }));
    const passkey = form ? passkeySection({ userName: common.userName, error: failed === 'passkey' ? error : undefined, form }) : undefined;
    const qrCode = await qrCodeSvg(stage.enrolment.uri, 'QR code of the authenticator app key');
    return res.status(status).type('html').send(registerAppPage({ ...common, error: failed === 'code' ? error : undefined, secret: stage.enrolment.secret, qrCode, passkey }));
  };

  /** The pending sign-in of a form post whose CSRF token matches, or null (and an answer sent). */
  const stageForPost = async (req: Request, res: Response): Promise<SecondFactorStage | null> => {
    const stage = await deps.signIn.secondFactor(pendingIdOf(req));
    if (!stage) {
      expired(res);
      return null;
    }
    if (!sameSecret(formField(req, 'csrf'), stage.pending.csrfToken)) {
      await render(req, res, stage, 403, 'This form expired. Enter the code again.');
      return null;
    }
    return stage;
  };

  const refused = async (req: Request, res: Response, stage: SecondFactorStage, e: unknown, fallback: string, failed: 'code' | 'passkey' = 'code') => {
    if (e instanceof ThrottledError) {
      if (e.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(Math.ceil(e.retryAfterSeconds)));
      return render(req, res, stage, 429, tooManyAttempts(e), failed);
    }
    if (isDomainError(e) && e.kind === 'unauthenticated' && e.message === SIGN_IN_EXPIRED) return expired(res);
    if (isDomainError(e) && (e.kind === 'unauthenticated' || e.kind === 'validation')) return render(req, res, stage, e.kind === 'validation' ? 400 : 401, e.kind === 'validation' ? e.message : fallback, failed);
    throw e;
  };

  router.get('/start/mfa', async (req, res) => {
    const stage = await deps.signIn.secondFactor(pendingIdOf(req));
    if (!stage) return expired(res);
    await render(req, res, stage);
  });

  router.post('/start/mfa', async (req, res) => {
    const stage = await stageForPost(req, res);
    if (!stage) return;
    try {
      const opened = await deps.signIn.completeWithCode(pendingIdOf(req)!, formField(req, 'code'), req.ip ?? 'unknown');
      await signedIn(req, res, opened);
      res.redirect(303, opened.returnTo);
    } catch (e) {
      await refused(req, res, stage, e, SECOND_FACTOR_FAILED);
    }
  });

  router.post('/start/mfa/register', async (req, res) => {
    const stage = await stageForPost(req, res);
    if (!stage) return;
    try {
      const opened = await deps.signIn.completeWithRegistration(pendingIdOf(req)!, { code: formField(req, 'code'), name: formField(req, 'name') }, req.ip ?? 'unknown');
      await signedIn(req, res, opened);
      res.status(200).type('html').send(recoveryCodesPage({ nonce: nonceOf(res), codes: opened.recoveryCodes, continueTo: opened.returnTo }));
    } catch (e) {
      await refused(req, res, stage, e, SECOND_FACTOR_FAILED);
    }
  });

  router.post('/start/mfa/passkey', async (req, res) => {
    const stage = await stageForPost(req, res);
    if (!stage) return;
    try {
      const opened = await deps.signIn.completeWithPasskey(pendingIdOf(req)!, formField(req, 'credential'), req.ip ?? 'unknown');
      await signedIn(req, res, opened);
      res.redirect(303, opened.returnTo);
    } catch (e) {
      await refused(req, res, stage, e, PASSKEY_FAILED, 'passkey');
    }
  });

  router.post('/start/mfa/passkey/register', async (req, res) => {
    const stage = await stageForPost(req, res);
    if (!stage) return;
    try {
      const opened = await deps.signIn.completeWithPasskeyRegistration(pendingIdOf(req)!, { response: formField(req, 'credential'), name: formField(req, 'name') }, req.ip ?? 'unknown');
      await signedIn(req, res, opened);
      res.status(200).type('html').send(recoveryCodesPage({ nonce: nonceOf(res), codes: opened.recoveryCodes, continueTo: opened.returnTo }));
    } catch (e) {
      await refused(req, res, stage, e, PASSKEY_FAILED, 'passkey');
    }
  });

  return router;
}
