// /admin/users/{id}/mfa: an administrator lists a user's sign-in devices, removes one, or resets
// the user's MFA (access/mfa/mfa-service.ts; every change audited). Mounted beside the users pages;
// it answers only its own paths.
import { Router, type Response } from 'express';
import type { MfaService } from '../../access/mfa/mfa-service.ts';
import type { UserService } from '../../directory/users.ts';
import { isDomainError } from '../../model/errors.ts';
import { userMfaPage } from '../../views/console/user-mfa.ts';
import { actorOf, adminOf } from './console-auth.ts';
import { queryParam, render } from './render.ts';

export interface UserMfaPagesDeps {
  users: Pick<UserService, 'get'>;
  mfa: Pick<MfaService, 'devicesOfUser' | 'removeForUser' | 'reset' | 'policy'>;
}

const NOTICES: Record<string, string> = { removed: 'The device is removed.', reset: 'MFA is reset: every device and recovery code of this user is gone.' };

export function userMfaPages(deps: UserMfaPagesDeps): Router {
  const router = Router();
  const show = async (res: Response, userId: string, o: { notice?: string; error?: string } = {}, status = 200) => {
    const user = await deps.users.get(userId);
    const { devices, recoveryCodesLeft } = await deps.mfa.devicesOfUser(user.id);
    render(res, userMfaPage({ user, devices, recoveryCodesLeft, policy: await deps.mfa.policy(), csrfToken: adminOf(res).csrfToken, ...o }), status);
  };

  router.get('/:id/mfa', async (req, res) => show(res, req.params.id, { notice: NOTICES[queryParam(req, 'done', 16)] }));

  router.post('/:id/mfa/devices/:deviceId/remove', async (req, res) => {
    try {
      await deps.mfa.removeForUser(req.params.id, req.params.deviceId, actorOf(res));
      res.redirect(303, `/admin/users/${encodeURIComponent(req.params.id)}/mfa?done=removed`);
    } catch (e) {
      if (!isDomainError(e) || e.kind !== 'not-found') throw e;
      await show(res, req.params.id, { error: 'That device is already gone.' }, 404);
    }
  });

  router.post('/:id/mfa/reset', async (req, res) => {
    await deps.mfa.reset(req.params.id, actorOf(res));
    res.redirect(303, `/admin/users/${encodeURIComponent(req.params.id)}/mfa?done=reset`);
  });
  return router;
}
