// The second step of portal sign-in (docs/mfa.md): GET /start/mfa shows what the pending sign-in
// needs (a code, registering an app, or a refusal); POST /start/mfa completes it with a TOTP or
// recovery code; POST /start/mfa/register registers the app offered and shows the recovery codes
// once. The pending sign-in is named by its own cookie and its forms carry its CSRF token.
import { Router, type Request, type Response } from 'express';
import { SECOND_FACTOR_FAILED } from '../../access/mfa/mfa-service.ts';
import { PENDING_SIGN_IN_SECONDS } from '../../access/mfa/pending-sign-ins.ts';
import { SIGN_IN_EXPIRED, type SecondFactorStage, type SignInService } from '../../access/sign-in.ts';
import { isDomainError, ThrottledError } from '../../model/errors.ts';
import { noDevicePage, recoveryCodesPage, registerAppPage, secondFactorPage } from '../../views/mfa.ts';
import { qrCodeSvg } from '../../views/qr-code.ts';
import { clearCookie, LOGIN_CSRF_COOKIE, MFA_PENDING_COOKIE, readCookie, setCookie } from '../http/cookies.ts';
import { nonceOf } from '../http/page-security.ts';
import { formField, sameSecret } from '../http/portal-session.ts';
import { showSignIn } from '../http/sign-in-page.ts';
import { giveSession, type SessionCookieDeps } from './session-cookie.ts';

export interface SecondFactorDeps extends SessionCookieDeps {
  signIn: Pick<SignInService, 'secondFactor' | 'completeWithCode' | 'completeWithRegistration'>;
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

  const expired = (res: Response) => {
    clearCookie(res, MFA_PENDING_COOKIE, secure);
    showSignIn(res, secure, 401, { error: SIGN_IN_EXPIRED });
  };

  const render = async (res: Response, stage: SecondFactorStage, status = 200, error?: string) => {
    const common = { nonce: nonceOf(res), csrfToken: stage.pending.csrfToken, error, userName: stage.user.userName };
    if (stage.stage === 'code') return res.status(status).type('html').send(secondFactorPage(common));
    if (stage.stage === 'refused') return res.status(403).type('html').send(noDevicePage(common));
    const qrCode = await qrCodeSvg(stage.enrolment.uri, 'QR code of the authenticator app key');
    return res.status(status).type('html').send(registerAppPage({ ...common, secret: stage.enrolment.secret, qrCode }));
  };

  /** The pending sign-in of a form post whose CSRF token matches, or null (and an answer sent). */
  const stageForPost = async (req: Request, res: Response): Promise<SecondFactorStage | null> => {
    const stage = await deps.signIn.secondFactor(pendingIdOf(req));
    if (!stage) {
      expired(res);
      return null;
    }
    if (!sameSecret(formField(req, 'csrf'), stage.pending.csrfToken)) {
      await render(res, stage, 403, 'This form expired. Enter the code again.');
      return null;
    }
    return stage;
  };

  const refused = async (res: Response, stage: SecondFactorStage, e: unknown, fallback: string) => {
    if (e instanceof ThrottledError) {
      if (e.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(Math.ceil(e.retryAfterSeconds)));
      return render(res, stage, 429, tooManyAttempts(e));
    }
    if (isDomainError(e) && e.kind === 'unauthenticated' && e.message === SIGN_IN_EXPIRED) return expired(res);
    if (isDomainError(e) && (e.kind === 'unauthenticated' || e.kind === 'validation')) return render(res, stage, e.kind === 'validation' ? 400 : 401, e.kind === 'validation' ? e.message : fallback);
    throw e;
  };

  router.get('/start/mfa', async (req, res) => {
    const stage = await deps.signIn.secondFactor(pendingIdOf(req));
    if (!stage) return expired(res);
    await render(res, stage);
  });

  router.post('/start/mfa', async (req, res) => {
    const stage = await stageForPost(req, res);
    if (!stage) return;
    try {
      const opened = await deps.signIn.completeWithCode(pendingIdOf(req)!, formField(req, 'code'), req.ip ?? 'unknown');
      await giveSession(deps, req, res, opened);
      clearCookie(res, MFA_PENDING_COOKIE, secure);
      res.redirect(303, opened.returnTo);
    } catch (e) {
      await refused(res, stage, e, SECOND_FACTOR_FAILED);
    }
  });

  router.post('/start/mfa/register', async (req, res) => {
    const stage = await stageForPost(req, res);
    if (!stage) return;
    try {
      const opened = await deps.signIn.completeWithRegistration(pendingIdOf(req)!, { code: formField(req, 'code'), name: formField(req, 'name') }, req.ip ?? 'unknown');
      await giveSession(deps, req, res, opened);
      clearCookie(res, MFA_PENDING_COOKIE, secure);
      res.status(200).type('html').send(recoveryCodesPage({ nonce: nonceOf(res), codes: opened.recoveryCodes, continueTo: opened.returnTo }));
    } catch (e) {
      await refused(res, stage, e, SECOND_FACTOR_FAILED);
    }
  });

  return router;
}
