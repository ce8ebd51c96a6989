// The portal's sign-in form, wherever a page needs a sign-in first (the portal itself, a pending
// SAML request). The form has no session yet, so its CSRF token is a double-submit cookie
// (ASVS V3.5.1); the portal's /start/login checks it and signs the person in.
import { randomBytes } from 'node:crypto';
import type { Response } from 'express';
import { signInPage } from '../../views/sign-in.ts';
import { LOGIN_CSRF_COOKIE, setCookie } from './cookies.ts';
import { nonceOf } from './page-security.ts';

export interface SignInPageOptions {
  error?: string;
  notice?: string;
  userName?: string;
  /** One of our paths to come back to afterwards. */
  returnTo?: string;
}

export function showSignIn(res: Response, secure: boolean, status: number, o: SignInPageOptions = {}): void {
  const csrfToken = randomBytes(24).toString('base64url');
  setCookie(res, LOGIN_CSRF_COOKIE, csrfToken, { secure, maxAgeSeconds: 3600 });
  res.status(status).type('html').send(signInPage({ nonce: nonceOf(res), csrfToken, ...o }));
}
