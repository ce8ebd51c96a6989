// Adding a passkey or security key from the signed-in portal (docs/mfa.md, "Passkeys and security
// keys"): GET shows the page with a WebAuthn challenge bound to this session, POST registers what
// the browser created and shows it (with the recovery codes when it is the first device). The
// form carries the session's CSRF token (ASVS V3.5.1).
import express, { Router } from 'express';
import type { MfaService } from '../../access/mfa/mfa-service.ts';
import type { WebauthnService } from '../../access/mfa/webauthn-service.ts';
import type { SignedInPerson } from '../../access/sessions/signed-in-person.ts';
import { isDomainError } from '../../model/errors.ts';
import { addPasskeyPage, passkeyAddedPage, passkeyForm } from '../../views/webauthn.ts';
import { answerOtherMethodsWith405 } from '../http/method-not-allowed.ts';
import { nonceOf, pageSecurity } from '../http/page-security.ts';
import { formField, signedInPerson, signedInPersonForPost, toSignIn, type PortalSessionDeps } from '../http/portal-session.ts';
import { portalErrorHandler } from './errors.ts';

export const ADD_PASSKEY_PATH = '/start/passkeys/add';

export interface PortalPasskeyRouterDeps extends PortalSessionDeps {
  webauthn: Pick<WebauthnService, 'allowed' | 'registrationOptions' | 'register'>;
  mfa: Pick<MfaService, 'devices'>;
}

export function portalPasskeyRouter(deps: PortalPasskeyRouterDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 10 });

  const show = async (res: express.Response, person: SignedInPerson, status = 200, error?: string) => {
    const signedIn = { userName: person.user.userName, csrfToken: person.session.csrfToken };
    const options = (await deps.webauthn.allowed()) ? await deps.webauthn.registrationOptions(person.user, person.sessionId) : null;
    const passkey = options && passkeyForm({ action: ADD_PASSKEY_PATH, csrfToken: person.session.csrfToken, ceremony: 'create', options, buttonLabel: 'Add a passkey', nameField: true });
    const devices = (await deps.mfa.devices(person.user.id)).length;
    res.status(status).type('html').send(addPasskeyPage({ nonce: nonceOf(res), signedIn, error, form: passkey, devices }));
  };

  router.get(ADD_PASSKEY_PATH, pageSecurity, async (req, res) => {
    const person = await signedInPerson(deps, req, res);
    if (!person) return toSignIn(deps, req, res, ADD_PASSKEY_PATH);
    await show(res, person);
  });

  router.post(ADD_PASSKEY_PATH, pageSecurity, form, async (req, res) => {
    const person = await signedInPersonForPost(deps, req, res);
    if (!person) return toSignIn(deps, req, res, ADD_PASSKEY_PATH);
    try {
      const { device, recoveryCodes } = await deps.webauthn.register(person.user, person.sessionId, { response: formField(req, 'credential'), name: formField(req, 'name') }, req.ip ?? 'unknown');
      const signedIn = { userName: person.user.userName, csrfToken: person.session.csrfToken };
      res.status(200).type('html').send(passkeyAddedPage({ nonce: nonceOf(res), signedIn, name: device.name, recoveryCodes }));
    } catch (e) {
      if (!isDomainError(e) || e.kind !== 'validation') throw e;
      await show(res, person, 400, e.message);
    }
  });

  router.use(ADD_PASSKEY_PATH, portalErrorHandler);
  return answerOtherMethodsWith405(router);
}
