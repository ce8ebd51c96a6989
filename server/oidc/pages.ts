// oidc-provider's page hooks, rendered with the portal's frame and CSP (server/http/page-security.ts).
import { randomBytes } from 'node:crypto';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { deviceSuccessPage, loggedOutPage, logoutConfirmPage, oidcErrorPage, userCodeConfirmPage, userCodeInputPage } from '../../views/oidc.ts';
import { csp } from '../http/page-security.ts';

function send(ctx: KoaContextWithOIDC, status: number, page: (nonce: string) => string, formTargets: string[] = []): void {
  const nonce = randomBytes(16).toString('base64');
  ctx.set('Content-Security-Policy', csp(nonce, formTargets));
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'html';
  ctx.status = status;
  ctx.body = page(nonce);
}

const USER_CODE_ERRORS: Record<string, string> = {
  NoCodeError: 'Enter the code shown on your device.',
  NotFoundError: 'That code is not valid. Check it and try again.',
  AlreadyUsedError: 'That code has already been used.',
  ExpiredError: 'That code has expired. Start again on your device.',
};

export const oidcPages = {
  async userCodeInput(ctx: KoaContextWithOIDC, form: string, _out?: unknown, err?: Error & { userCode?: string }) {
    const error = err ? (USER_CODE_ERRORS[err.name] ?? 'That code could not be used.') : undefined;
    send(ctx, err ? 400 : 200, (nonce) => userCodeInputPage({ nonce, form, error }));
  },
  async userCodeConfirm(ctx: KoaContextWithOIDC, form: string, client: { clientName?: string; clientId: string }, _info: unknown, userCode: string) {
    send(ctx, 200, (nonce) => userCodeConfirmPage({ nonce, form, clientName: client.clientName ?? client.clientId, userCode }));
  },
  async deviceSuccess(ctx: KoaContextWithOIDC) {
    send(ctx, 200, (nonce) => deviceSuccessPage({ nonce }));
  },
  async logout(ctx: KoaContextWithOIDC, form: string) {
    const client = ctx.oidc.client;
    // The confirmation's post is answered with a redirect to the app's post-logout URI: its origin
    // must be a form target (CSP Level 3 form-action covers redirects after a submission).
    const targets = [...new Set((client?.postLogoutRedirectUris ?? []).map((u) => new URL(u).origin))];
    send(ctx, 200, (nonce) => logoutConfirmPage({ nonce, form, clientName: client ? (client.clientName ?? client.clientId) : null }), targets);
  },
  async loggedOut(ctx: KoaContextWithOIDC) {
    const client = ctx.oidc.client;
    send(ctx, 200, (nonce) => loggedOutPage({ nonce, clientName: client ? (client.clientName ?? client.clientId) : null }));
  },
  async error(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }) {
    send(ctx, ctx.status >= 400 ? ctx.status : 400, (nonce) => oidcErrorPage({ nonce, error: out.error, description: out.error_description }));
  },
};
