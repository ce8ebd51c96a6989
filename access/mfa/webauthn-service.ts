// Passkeys and security keys (docs/mfa.md, "Passkeys and security keys"): WebAuthn registration
// and authentication ceremonies through @simplewebauthn/server. A credential is an MFA device of
// kind 'webauthn': its id, public key and transports sealed under the server key with the device
// id as associated data, its signature counter in the device's last step. The relying party is the
// portal: RP ID its host, the expected origin its configured public URL, both checked at
// registration and at authentication (WebAuthn L3 §7.1, §7.2).
// Failed assertions count toward the same throttle as wrong passwords and codes.
import { randomUUID } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { open, seal } from '../../crypto/secret-box.ts';
import { systemClock, type Clock } from '../../model/clock.ts';
import { ThrottledError, UnauthenticatedError, ValidationError } from '../../model/errors.ts';
import type { AuthenticationMethod, MfaDevice } from '../../model/mfa.ts';
import type { User } from '../../model/types.ts';
import type { TransactionalStores } from '../../store/stores.ts';
import type { SignInThrottle } from '../sign-in-throttle.ts';
import { newRecoveryCodes, recoveryCodeHash } from './recovery-codes.ts';
import { WEBAUTHN_CHALLENGE_SECONDS, type WebauthnChallenges } from './webauthn-challenges.ts';

/** The one message for any assertion refused: it says nothing about why (the audit log does). */
export const PASSKEY_FAILED = 'That passkey or security key could not sign you in. Try again, or use another of your devices or a recovery code.';
export const PASSKEY_REGISTRATION_FAILED = 'That passkey or security key could not be registered. Try again.';

/** Where a refused counter is logged: the slice of a pino logger this needs. */
export interface WebauthnLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface RelyingParty {
  /** The portal's host name (WebAuthn L3 §5.1.3 RP ID). */
  id: string;
  /** The configured public URL's origin: the only origin a response may come from. */
  origin: string;
  name: string;
}

/** The relying party of a Gatehouse served at `baseUrl`. */
export function relyingPartyOf(baseUrl: string): RelyingParty {
  const url = new URL(baseUrl);
  return { id: url.hostname, origin: url.origin, name: 'Gatehouse' };
}

export interface WebauthnServiceDeps {
  stores: TransactionalStores<'mfa' | 'instance' | 'audit'>;
  challenges: WebauthnChallenges;
  throttle: Pick<SignInThrottle, 'refusal' | 'recordFailure'>;
  sealKey: Buffer;
  rp: RelyingParty;
  log: WebauthnLog;
  clock?: Clock;
}

interface SealedCredential {
  credentialId: string;
  /** COSE public key, base64url. */
  publicKey: string;
  transports: string[];
}

const DEVICE_NAME_MAX = 64;
const TIMEOUT_MS = WEBAUTHN_CHALLENGE_SECONDS * 1000;

/** A response as the page posts it: JSON text of the credential, base64url fields. */
function parsed<T>(text: string): T | null {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string' ? (value as T) : null;
  } catch {
    return null;
  }
}

export class WebauthnService {
  private readonly clock: Clock;
  constructor(private readonly deps: WebauthnServiceDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  async allowed(): Promise<boolean> {
    return (await this.deps.stores.instance.getOrCreate()).mfa.allowedFactors.includes('webauthn');
  }

  /**
   * Options for navigator.credentials.create(), with a new challenge bound to `binding` (the
   * pending sign-in or the session). Discoverable credential and user verification are preferred,
   * any attachment: a phone's or laptop's passkey as well as a USB or NFC key.
   */
  async registrationOptions(user: User, binding: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
    if (!(await this.allowed())) throw new ValidationError('Passkeys are not allowed on this instance', [{ field: 'kind', message: 'not allowed' }]);
    const challenge = await this.deps.challenges.issue('register', binding, user.id);
    return generateRegistrationOptions({
      rpName: this.deps.rp.name,
      rpID: this.deps.rp.id,
      userName: user.userName,
      // The user handle is the opaque user id, never the name or address (WebAuthn L3 §14.6.1).
      userID: new Uint8Array(Buffer.from(user.id, 'utf8')),
      userDisplayName: user.displayName || user.userName,
      challenge: new Uint8Array(Buffer.from(challenge, 'base64url')),
      timeout: TIMEOUT_MS,
      attestationType: 'none',
      excludeCredentials: (await this.#credentials(user.id)).map(({ credential }) => ({ id: credential.credentialId, transports: credential.transports })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    });
  }

  /**
   * Registers the credential the browser created against the challenge issued to `binding`. The
   * first device also gets recovery codes, returned once.
   */
  async register(user: User, binding: string, input: { response: string; name?: string }, address: string): Promise<{ device: MfaDevice; recoveryCodes: string[] | null }> {
    const response = parsed<RegistrationResponseJSON>(input.response);
    const challenge = await this.deps.challenges.take('register', binding, user.id);
    if (!response || !challenge) return this.#registrationRefused(user, address, challenge ? 'malformed-response' : 'no-live-challenge');
    if (!(await this.allowed())) return this.#registrationRefused(user, address, 'factor-not-allowed');
    let verified;
    try {
      verified = await verifyRegistrationResponse({ response, expectedChallenge: challenge, expectedOrigin: this.deps.rp.origin, expectedRPID: this.deps.rp.id, requireUserVerification: false });
    } catch (e) {
      return this.#registrationRefused(user, address, 'invalid-attestation', (e as Error).message);
    }
    if (!verified.verified) return this.#registrationRefused(user, address, 'invalid-attestation');
    const { credential } = verified.registrationInfo;
    const id = `mfa-${randomUUID()}`;
    // Unnamed: a synced credential, or one kept by the device itself or a phone, is a passkey to people.
    const passkeyLike = verified.registrationInfo.credentialDeviceType === 'multiDevice' || (credential.transports ?? []).some((t) => t === 'internal' || t === 'hybrid');
    const name = (input.name ?? '').trim().slice(0, DEVICE_NAME_MAX) || (passkeyLike ? 'Passkey' : 'Security key');
    const sealed: SealedCredential = { credentialId: credential.id, publicKey: Buffer.from(credential.publicKey).toString('base64url'), transports: credential.transports ?? [] };
    const now = new Date(this.clock.now());
    return this.deps.stores.transaction(async (tx) => {
      const existing = await tx.mfa.listDevices(user.id);
      const device = await tx.mfa.createDevice({ id, userId: user.id, kind: 'webauthn', name, secretSealed: seal(this.deps.sealKey, JSON.stringify(sealed), id), lastStep: credential.counter, createdAt: now });
      const recoveryCodes = existing.length === 0 ? newRecoveryCodes() : null;
      if (recoveryCodes) await tx.mfa.replaceRecoveryCodes(user.id, recoveryCodes.map(recoveryCodeHash));
      await tx.audit.append({ actor: user.id, actorName: user.userName, address, action: 'mfa.device-register', target: `user/${user.id}`, detail: { deviceId: id, kind: 'webauthn', name } });
      return { device, recoveryCodes };
    });
  }

  /** Options for navigator.credentials.get() naming the user's credentials, with a new challenge bound to `binding`. */
  async authenticationOptions(user: User, binding: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const challenge = await this.deps.challenges.issue('authenticate', binding, user.id);
    return generateAuthenticationOptions({
      rpID: this.deps.rp.id,
      challenge: new Uint8Array(Buffer.from(challenge, 'base64url')),
      timeout: TIMEOUT_MS,
      userVerification: 'preferred',
      allowCredentials: (await this.#credentials(user.id)).map(({ credential }) => ({ id: credential.credentialId, transports: credential.transports })),
    });
  }

  /**
   * Checks an assertion at sign-in against the challenge issued to `binding` and the user's
   * registered credentials. A signature counter that does not move forward (a cloned
   * authenticator, WebAuthn L3 §6.1.1) is refused and logged. Throws ThrottledError before looking
   * when throttled, UnauthenticatedError (PASSKEY_FAILED) otherwise.
   */
  async authenticate(user: User, binding: string, responseText: string, address: string): Promise<AuthenticationMethod[]> {
    const refusal = await this.deps.throttle.refusal(user.userName, address);
    if (refusal) throw new ThrottledError(undefined, refusal.retryAfterSeconds);
    const challenge = await this.deps.challenges.take('authenticate', binding, user.id);
    const response = parsed<AuthenticationResponseJSON>(responseText);
    if (!challenge) return this.#refused(user, address, 'no-live-challenge');
    if (!response) return this.#refused(user, address, 'malformed-response');
    if (!(await this.allowed())) return this.#refused(user, address, 'factor-not-allowed');
    const found = (await this.#credentials(user.id)).find(({ credential }) => credential.credentialId === response.id);
    if (!found) return this.#refused(user, address, 'unknown-credential');
    const { device, credential, counter } = found;
    let received: number;
    try {
      // The counter is checked below, against the stored one, so that a regression is told apart.
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.deps.rp.origin,
        expectedRPID: this.deps.rp.id,
        credential: { id: credential.credentialId, publicKey: new Uint8Array(Buffer.from(credential.publicKey, 'base64url')), counter: 0, transports: credential.transports },
        requireUserVerification: false,
      });
      if (!result.verified) return this.#refused(user, address, 'invalid-assertion', { deviceId: device.id });
      received = result.authenticationInfo.newCounter;
    } catch (e) {
      return this.#refused(user, address, 'invalid-assertion', { deviceId: device.id, error: (e as Error).message });
    }
    const regressed = (received > 0 || counter > 0) && received <= counter;
    if (regressed || !(await this.deps.stores.mfa.useWebauthnCounter(device.id, received, new Date(this.clock.now())))) {
      this.deps.log.warn({ userId: user.id, userName: user.userName, deviceId: device.id, storedCounter: counter, receivedCounter: received }, 'WebAuthn signature counter did not increase: possible cloned authenticator, sign-in refused');
      return this.#refused(user, address, 'counter-regression', { deviceId: device.id, storedCounter: counter, receivedCounter: received });
    }
    await this.deps.stores.audit.append({ actor: user.id, actorName: user.userName, address, action: 'mfa.success', target: `user/${user.id}`, detail: { deviceId: device.id, kind: 'webauthn' } });
    return ['pwd', 'hwk', 'mfa'];
  }

  async #credentials(userId: string): Promise<{ device: MfaDevice; credential: SealedCredential; counter: number }[]> {
    const found = [];
    for (const device of await this.deps.stores.mfa.listDevices(userId)) {
      if (device.kind !== 'webauthn') continue;
      const stored = await this.deps.stores.mfa.getDevice(userId, device.id);
      const text = stored && open(this.deps.sealKey, stored.secretSealed, device.id);
      if (text) found.push({ device, credential: JSON.parse(text) as SealedCredential, counter: stored.lastStep ?? 0 });
    }
    return found;
  }

  async #refused(user: User, address: string, reason: string, detail: Record<string, unknown> = {}): Promise<never> {
    await this.deps.throttle.recordFailure(user.userName, address);
    await this.deps.stores.audit.append({ actor: user.id, actorName: user.userName, address, action: 'mfa.failure', target: `user/${user.id}`, outcome: 'failure', detail: { kind: 'webauthn', reason, ...detail } });
    throw new UnauthenticatedError(PASSKEY_FAILED);
  }

  async #registrationRefused(user: User, address: string, reason: string, error?: string): Promise<never> {
    await this.deps.stores.audit.append({ actor: user.id, actorName: user.userName, address, action: 'mfa.failure', target: `user/${user.id}`, outcome: 'failure', detail: { kind: 'webauthn', reason, stage: 'registration', ...(error ? { error } : {}) } });
    throw new ValidationError(PASSKEY_REGISTRATION_FAILED, [{ field: 'credential', message: 'was not accepted' }]);
  }
}
