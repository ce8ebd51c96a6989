// Sign-in to the access portal with directory credentials, through the one password check every
// surface shares (access/password-check.ts), then, when the instance's MFA policy asks for it, a
// second factor (access/mfa/, docs/mfa.md). Every password failure looks the same to the person;
// the audit log keeps the reason. A directory or store that does not answer raises
// UnavailableError, is not counted as a failure, and never lets anyone in.
import type { IdentitySource } from '../directory/identity-source.ts';
import { UnauthenticatedError } from '../model/errors.ts';
import type { AuthenticationMethod } from '../model/mfa.ts';
import type { User } from '../model/types.ts';
import type { AuditStore, InstanceStore } from '../store/stores.ts';
import type { MfaService, TotpEnrolment } from './mfa/mfa-service.ts';
import type { PendingSignIn, PendingSignIns } from './mfa/pending-sign-ins.ts';
import type { WebauthnService } from './mfa/webauthn-service.ts';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { PasswordCheck } from './password-check.ts';
import type { PortalSession, PortalSessionService } from './portal-sessions.ts';
import { activeUser } from './sessions/signed-in-person.ts';

/** The one message people see for a wrong password, an unknown user, a disabled or throttled account. */
export const SIGN_IN_FAILED = 'Sign-in failed. Check your user name and password, or try again later.';
/** A second-factor step that timed out, was finished in another tab, or whose user was disabled meanwhile. */
export const SIGN_IN_EXPIRED = 'Your sign-in took too long or has already been completed. Sign in again.';

export interface OpenedSession {
  id: string;
  session: PortalSession;
  user: User;
}

export type SignInStep = ({ kind: 'signed-in' } & OpenedSession) | { kind: 'second-factor'; pendingId: string };

/** What the second-factor page shows for a pending sign-in. */
export type SecondFactorStage =
  /** `passkey`: the user has a passkey or security key to sign in with; `app`: an authenticator app. */
  | { stage: 'code'; user: User; pending: PendingSignIn; passkey?: boolean; app?: boolean }
  /** `enrolment`: null when authenticator apps are not allowed; `passkey`: whether passkeys are. */
  | { stage: 'register'; user: User; pending: PendingSignIn; enrolment: TotpEnrolment | null; passkey?: boolean }
  | { stage: 'refused'; user: User; pending: PendingSignIn };

export interface SignInDeps {
  identitySource: () => IdentitySource;
  passwords: PasswordCheck;
  sessions: PortalSessionService;
  instance: InstanceStore;
  audit: AuditStore;
  mfa: MfaService;
  pending: PendingSignIns;
  webauthn: WebauthnService;
}

/** What the page hands navigator.credentials: create() to register a passkey, get() to sign in with one. */
export type PasskeyCeremony = { kind: 'create'; options: PublicKeyCredentialCreationOptionsJSON } | { kind: 'get'; options: PublicKeyCredentialRequestOptionsJSON };

/**
 * What a throttled attempt is told: to wait, and for how long. The throttle counts failures per
 * user name whether or not the name exists (sign-in-throttle.ts), so this says nothing about the
 * name either.
 */
export function throttledMessage(retryAfterSeconds: number | undefined): string {
  const minutes = Math.ceil((retryAfterSeconds ?? 60) / 60);
  const wait = minutes <= 1 ? 'a minute' : `${minutes} minutes`;
  return `Too many failed sign-ins. Wait ${wait}, then try again. If it still fails, ask your administrator.`;
}

export class SignInService {
  constructor(private readonly deps: SignInDeps) {}

  /** Checks credentials; throws UnauthenticatedError or ThrottledError (both shown as SIGN_IN_FAILED). */
  async verify(userName: string, password: string, address: string, secondFactorFollows = false): Promise<User> {
    return this.deps.passwords.verify(this.deps.identitySource(), { userName, password, address, surface: 'portal', refusedMessage: SIGN_IN_FAILED, secondFactorFollows });
  }

  /**
   * The password step: opens a portal session (a fresh id every time: no fixation), or, when MFA
   * applies, starts a pending sign-in that the second factor completes.
   */
  async begin(userName: string, password: string, address: string, returnTo: string): Promise<SignInStep> {
    const required = await this.deps.mfa.required();
    const user = await this.verify(userName, password, address, required);
    if (required) return { kind: 'second-factor', pendingId: await this.deps.pending.create(user, returnTo) };
    return { kind: 'signed-in', ...(await this.#open(user, address, ['pwd'])) };
  }

  /** Where a pending sign-in stands; null when it expired, was completed, or its user is gone or disabled. */
  async secondFactor(pendingId: string | undefined): Promise<SecondFactorStage | null> {
    const found = await this.#pending(pendingId);
    if (!found) return null;
    const { pending, user } = found;
    const devices = await this.deps.mfa.devices(user.id);
    const policy = await this.deps.mfa.policy();
    const passkey = policy.allowedFactors.includes('webauthn');
    if (devices.length > 0) return { stage: 'code', user, pending, passkey: passkey && devices.some((d) => d.kind === 'webauthn'), app: devices.some((d) => d.kind === 'totp') };
    if (policy.withoutDevice === 'refuse') return { stage: 'refused', user, pending };
    if (!policy.allowedFactors.includes('totp')) return { stage: 'register', user, pending, enrolment: null, passkey };
    const offered = this.deps.pending.enrolmentSecret(pendingId!, pending);
    const enrolment = offered ? this.deps.mfa.totpEnrolment(user, offered) : this.deps.mfa.newTotpEnrolment(user);
    if (!offered) await this.deps.pending.offerEnrolment(pendingId!, pending, enrolment.secret);
    return { stage: 'register', user, pending, enrolment, passkey };
  }

  /**
   * The WebAuthn ceremony the second-factor page offers, with a new challenge bound to this
   * pending sign-in; null when it offers none.
   */
  async passkeyCeremony(pendingId: string, stage: SecondFactorStage): Promise<PasskeyCeremony | null> {
    if (stage.stage === 'refused' || !stage.passkey) return null;
    if (stage.stage === 'code') return { kind: 'get', options: await this.deps.webauthn.authenticationOptions(stage.user, pendingId) };
    return { kind: 'create', options: await this.deps.webauthn.registrationOptions(stage.user, pendingId) };
  }

  /** Completes a sign-in with a passkey or security key. Throws UnauthenticatedError or ThrottledError. */
  async completeWithPasskey(pendingId: string, response: string, address: string): Promise<OpenedSession & { returnTo: string }> {
    const found = await this.#pending(pendingId);
    if (!found) throw new UnauthenticatedError(SIGN_IN_EXPIRED);
    const amr = await this.deps.webauthn.authenticate(found.user, pendingId, response, address);
    return this.#finish(pendingId, found.user, address, amr);
  }

  /** Completes a sign-in by registering a passkey (policy "register at sign-in"); returns the recovery codes to show once. */
  async completeWithPasskeyRegistration(pendingId: string, input: { response: string; name?: string }, address: string): Promise<OpenedSession & { returnTo: string; recoveryCodes: string[] }> {
    const stage = await this.secondFactor(pendingId);
    if (!stage || stage.stage !== 'register' || !stage.passkey) throw new UnauthenticatedError(SIGN_IN_EXPIRED);
    const { recoveryCodes } = await this.deps.webauthn.register(stage.user, pendingId, input, address);
    const opened = await this.#finish(pendingId, stage.user, address, ['pwd', 'hwk', 'mfa']);
    return { ...opened, recoveryCodes: recoveryCodes ?? [] };
  }

  /** Completes a sign-in with a TOTP or recovery code. Throws UnauthenticatedError or ThrottledError. */
  async completeWithCode(pendingId: string, code: string, address: string): Promise<OpenedSession & { returnTo: string }> {
    const found = await this.#pending(pendingId);
    if (!found) throw new UnauthenticatedError(SIGN_IN_EXPIRED);
    const amr = await this.deps.mfa.verify(found.user, code, address);
    return this.#finish(pendingId, found.user, address, amr);
  }

  /**
   * Completes a sign-in by registering the authenticator app offered on the page (policy
   * "register at sign-in"); returns the recovery codes to show once.
   */
  async completeWithRegistration(pendingId: string, input: { code: string; name?: string }, address: string): Promise<OpenedSession & { returnTo: string; recoveryCodes: string[] }> {
    const stage = await this.secondFactor(pendingId);
    if (!stage || stage.stage !== 'register' || !stage.enrolment) throw new UnauthenticatedError(SIGN_IN_EXPIRED);
    const { recoveryCodes } = await this.deps.mfa.confirmTotp(stage.user, { secret: stage.enrolment.secret, code: input.code, name: input.name }, address);
    const opened = await this.#finish(pendingId, stage.user, address, ['pwd', 'otp', 'mfa']);
    return { ...opened, recoveryCodes: recoveryCodes ?? [] };
  }

  async #pending(pendingId: string | undefined): Promise<{ pending: PendingSignIn; user: User } | null> {
    const pending = await this.deps.pending.get(pendingId);
    if (!pending) return null;
    const user = await activeUser(this.deps.identitySource(), pending.userId);
    return user ? { pending, user } : null;
  }

  async #finish(pendingId: string, user: User, address: string, amr: AuthenticationMethod[]): Promise<OpenedSession & { returnTo: string }> {
    // Taken once: a second tab finishing the same sign-in gets SIGN_IN_EXPIRED, not a second session.
    const pending = await this.deps.pending.take(pendingId);
    if (!pending) throw new UnauthenticatedError(SIGN_IN_EXPIRED);
    return { ...(await this.#open(user, address, amr)), returnTo: pending.returnTo };
  }

  async #open(user: User, address: string, amr: AuthenticationMethod[]): Promise<OpenedSession> {
    const { sessionDurationMinutes } = await this.deps.instance.getOrCreate();
    const { id, session } = await this.deps.sessions.create(user, sessionDurationMinutes, undefined, amr);
    await this.deps.audit.append({ actor: user.id, actorName: user.userName, address, action: 'signin.success', target: 'portal', detail: { userName: user.userName, address, amr } });
    return { id, session, user };
  }
}
