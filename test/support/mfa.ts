// Second factors as a person's devices produce them: codes computed from the secret the portal
// showed, with the otpauth library (an independent implementation of RFC 6238, not ours), at the
// time the server's clock says; and the portal's second sign-in step driven through PortalClient.
import * as OTPAuth from 'otpauth';
import type { Clock } from '../../model/clock.ts';
import { NEW_INSTANCE_MFA_POLICY, type MfaPolicy } from '../../model/mfa.ts';
import { hiddenFields, type PageResponse, type PortalClient } from './portal-client.ts';

/** MFA at every sign-in, authenticator apps, register at sign-in: a new instance's policy. */
export const MFA_ON: MfaPolicy = { ...NEW_INSTANCE_MFA_POLICY, allowedFactors: [...NEW_INSTANCE_MFA_POLICY.allowedFactors] };

/** The six-digit code an authenticator app holding `secret` (Base32, spaces allowed) shows at `atMs`. */
export function totpCodeAt(secret: string, atMs: number): string {
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret.replace(/\s/g, '')), algorithm: 'SHA1', digits: 6, period: 30 });
  return totp.generate({ timestamp: atMs });
}

/** An authenticator app: its secret, and the code it shows now by the given clock. */
export class AuthenticatorApp {
  constructor(
    readonly secret: string,
    private readonly clock: Clock,
  ) {}
  code(offsetSteps = 0): string {
    return totpCodeAt(this.secret, this.clock.now() + offsetSteps * 30_000);
  }
}

const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"');

/** The Base32 secret shown as text on a registration page. */
export function secretOnPage(page: string): string {
  const m = /<code id="secret">([^<]+)<\/code>/.exec(page);
  if (!m) throw new Error(`no secret on the page:\n${page.slice(0, 800)}`);
  return decode(m[1]!).replace(/\s/g, '');
}

/** The recovery codes shown once on a page. */
export function recoveryCodesOnPage(page: string): string[] {
  return [...page.matchAll(/<li><code>([a-z2-7]{5}-[a-z2-7]{5})<\/code><\/li>/g)].map((m) => m[1]!);
}

/**
 * Signs in with the password, registers an authenticator app at the second step (policy
 * "register at sign-in"), and returns the app and the recovery codes shown.
 */
export async function signInRegisteringApp(client: PortalClient, userName: string, password: string, clock: Clock, name = 'Phone'): Promise<{ app: AuthenticatorApp; recoveryCodes: string[]; page: PageResponse }> {
  const login = await client.signIn(userName, password);
  if (login.location !== '/start/mfa') throw new Error(`expected the second step, got ${login.status} ${login.location}`);
  const setup = await client.request('GET', '/start/mfa');
  const app = new AuthenticatorApp(secretOnPage(setup.text), clock);
  const page = await client.request('POST', '/start/mfa/register', { csrf: hiddenFields(setup.text).csrf!, code: app.code(), name });
  if (page.status !== 200) throw new Error(`registration refused: ${page.status} ${page.text.slice(0, 500)}`);
  return { app, recoveryCodes: recoveryCodesOnPage(page.text), page };
}

/** Signs in with the password, then the code given at the second step; returns the last answer. */
export async function signInWithCode(client: PortalClient, userName: string, password: string, code: string): Promise<PageResponse> {
  const login = await client.signIn(userName, password);
  if (login.location !== '/start/mfa') throw new Error(`expected the second step, got ${login.status} ${login.location}`);
  const step = await client.request('GET', '/start/mfa');
  return client.request('POST', '/start/mfa', { csrf: hiddenFields(step.text).csrf!, code });
}
