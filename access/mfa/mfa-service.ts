// Second factors (docs/mfa.md): registering an authenticator app, checking a code at sign-in,
// recovery codes, and managing devices, by the user themself or by an administrator. TOTP secrets
// are sealed under a key derived from the server secret (crypto/secret-box.ts), with the device id
// as associated data. Wrong codes count toward the same throttle as wrong passwords
// (access/sign-in-throttle.ts), per user and per address.
import { randomUUID } from 'node:crypto';
import { open, seal } from '../../crypto/secret-box.ts';
import { base32Decode, base32Encode } from '../../idp/otp/base32.ts';
import { matchTotp, newTotpSecret, totpUri } from '../../idp/otp/totp.ts';
import { systemClock, type Clock } from '../../model/clock.ts';
import { ConflictError, NotFoundError, ThrottledError, UnauthenticatedError, ValidationError } from '../../model/errors.ts';
import type { AuthenticationMethod, MfaDevice, MfaPolicy } from '../../model/mfa.ts';
import type { User } from '../../model/types.ts';
import type { TransactionalStores } from '../../store/stores.ts';
import type { SignInThrottle } from '../sign-in-throttle.ts';
import { looksLikeRecoveryCode, newRecoveryCodes, recoveryCodeHash } from './recovery-codes.ts';

/** The one message for a wrong, reused or unknown code: it says nothing about which. */
export const SECOND_FACTOR_FAILED = 'That code did not work. Enter the current code from your authenticator app, or one of your recovery codes.';

export interface TotpEnrolment {
  /** Base32, as authenticator apps take it typed in. */
  secret: string;
  /** otpauth:// URI, for the QR code. */
  uri: string;
}

export interface MfaServiceDeps {
  stores: TransactionalStores<'mfa' | 'instance' | 'audit' | 'directory'>;
  throttle: Pick<SignInThrottle, 'refusal' | 'recordFailure' | 'recordSuccess'>;
  /** 32 bytes derived from the server secret for this purpose alone. */
  sealKey: Buffer;
  /** The issuer name authenticator apps show next to the code. */
  issuer: string;
  clock?: Clock;
}

const DEVICE_NAME_MAX = 64;

export class MfaService {
  private readonly clock: Clock;
  constructor(private readonly deps: MfaServiceDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  async policy(): Promise<MfaPolicy> {
    return (await this.deps.stores.instance.getOrCreate()).mfa;
  }

  /** Whether signing in now asks this user for a second factor. */
  async required(): Promise<boolean> {
    return (await this.policy()).mode === 'every-sign-in';
  }

  devices(userId: string): Promise<MfaDevice[]> {
    return this.deps.stores.mfa.listDevices(userId);
  }

  unusedRecoveryCodes(userId: string): Promise<number> {
    return this.deps.stores.mfa.countUnusedRecoveryCodes(userId);
  }

  /** A new secret to show the user; nothing is stored until they confirm it with a code. */
  newTotpEnrolment(user: User): TotpEnrolment {
    return this.totpEnrolment(user, base32Encode(newTotpSecret()));
  }

  /**
   * A secret offered on a page to a signed-in person, sealed for a hidden form field and bound to
   * `binding` (their session), so the server keeps nothing until the app is confirmed.
   */
  sealOffer(secret: string, binding: string): string {
    return seal(this.deps.sealKey, secret, `totp-offer:${binding}`);
  }

  /** The secret of a sealed offer, or null when it was altered or sealed for another session. */
  openOffer(sealed: string, binding: string): string | null {
    if (sealed.length > 512) return null;
    return open(this.deps.sealKey, sealed, `totp-offer:${binding}`);
  }

  /** The registration details of a secret already offered (Base32). */
  totpEnrolment(user: User, secret: string): TotpEnrolment {
    const bytes = base32Decode(secret) ?? Buffer.alloc(0);
    return { secret, uri: totpUri(bytes, { issuer: this.deps.issuer, accountName: user.userName }) };
  }

  /**
   * Registers an authenticator app once the user proves they set it up, with a current code for
   * `secret`. The first device also gets recovery codes, returned once.
   */
  async confirmTotp(user: User, input: { secret: string; code: string; name?: string }, address: string): Promise<{ device: MfaDevice; recoveryCodes: string[] | null }> {
    if ((await this.policy()).allowedFactors.indexOf('totp') < 0) throw new ValidationError('Authenticator apps are not allowed on this instance', [{ field: 'kind', message: 'not allowed' }]);
    const secret = base32Decode(input.secret);
    if (!secret || secret.length < 16) throw new ValidationError('The secret is not valid', [{ field: 'secret', message: 'must be the Base32 secret shown' }]);
    const name = (input.name ?? '').trim().slice(0, DEVICE_NAME_MAX) || 'Authenticator app';
    await this.#notThrottled(user, address);
    const step = matchTotp(secret, input.code.trim(), this.clock.now());
    if (step === null) {
      await this.#failed(user, address, 'registration');
      throw new ValidationError('That code did not match. Check the time on your phone and enter the code it shows now.', [{ field: 'code', message: 'did not match' }]);
    }
    const id = `mfa-${randomUUID()}`;
    const now = new Date(this.clock.now());
    await this.deps.throttle.recordSuccess(user.userName);
    return this.deps.stores.transaction(async (tx) => {
      const first = (await tx.mfa.listDevices(user.id)).length === 0;
      const device = await tx.mfa.createDevice({ id, userId: user.id, kind: 'totp', name, secretSealed: seal(this.deps.sealKey, base32Encode(secret), id), lastStep: step, createdAt: now });
      const recoveryCodes = first ? newRecoveryCodes() : null;
      if (recoveryCodes) await tx.mfa.replaceRecoveryCodes(user.id, recoveryCodes.map(recoveryCodeHash));
      await tx.audit.append({ actor: user.id, actorName: user.userName, address, action: 'mfa.device-register', target: `user/${user.id}`, detail: { deviceId: id, kind: 'totp', name } });
      return { device, recoveryCodes };
    });
  }

  /**
   * Checks a second factor at sign-in: a TOTP code from any of the user's apps (each time step
   * good once), or an unused recovery code. Returns how the user authenticated; throws
   * ThrottledError before looking when the user or address is throttled, UnauthenticatedError
   * (SECOND_FACTOR_FAILED) otherwise.
   */
  async verify(user: User, code: string, address: string): Promise<AuthenticationMethod[]> {
    await this.#notThrottled(user, address);
    const typed = code.trim();
    const now = this.clock.now();
    // A kind of device the policy no longer allows signs in no more (docs/mfa.md "The policy").
    const totpAllowed = (await this.policy()).allowedFactors.includes('totp');
    if (/^\d{6}$/.test(typed) && totpAllowed) {
      for (const device of (await this.deps.stores.mfa.listDevices(user.id)).filter((d) => d.kind === 'totp')) {
        const stored = await this.deps.stores.mfa.getDevice(user.id, device.id);
        const secretText = stored && open(this.deps.sealKey, stored.secretSealed, device.id);
        const secret = secretText ? base32Decode(secretText) : null;
        const step = secret ? matchTotp(secret, typed, now) : null;
        if (step === null) continue;
        // RFC 6238 §5.2: the verifier must not accept the second attempt of the same OTP.
        if (await this.deps.stores.mfa.useTotpStep(device.id, step, new Date(now))) {
          await this.deps.stores.audit.append({ actor: user.id, actorName: user.userName, address, action: 'mfa.success', target: `user/${user.id}`, detail: { deviceId: device.id, kind: 'totp' } });
          await this.deps.throttle.recordSuccess(user.userName);
          return ['pwd', 'otp', 'mfa'];
        }
        await this.#failed(user, address, 'replayed-code');
        throw new UnauthenticatedError(SECOND_FACTOR_FAILED);
      }
    } else if (looksLikeRecoveryCode(typed) && (await this.deps.stores.mfa.useRecoveryCode(user.id, recoveryCodeHash(typed), new Date(now)))) {
      const left = await this.deps.stores.mfa.countUnusedRecoveryCodes(user.id);
      await this.deps.stores.audit.append({ actor: user.id, actorName: user.userName, address, action: 'mfa.success', target: `user/${user.id}`, detail: { kind: 'recovery-code', recoveryCodesLeft: left } });
      await this.deps.throttle.recordSuccess(user.userName);
      return ['pwd', 'mfa'];
    }
    await this.#failed(user, address, 'wrong-code');
    throw new UnauthenticatedError(SECOND_FACTOR_FAILED);
  }

  /**
   * Checks a current authenticator-app code alone (no recovery code), as the admin API's token
   * exchange asks for it (docs/mfa.md "Admin API tokens"): the same throttle, the same
   * single use of each time step, the same message for every refusal.
   */
  async verifyTotp(user: User, code: string, address: string): Promise<AuthenticationMethod[]> {
    if (!/^\d{6}$/.test(code.trim())) {
      await this.#notThrottled(user, address);
      await this.#failed(user, address, 'wrong-code');
      throw new UnauthenticatedError(SECOND_FACTOR_FAILED);
    }
    return this.verify(user, code, address);
  }

  async rename(user: User, deviceId: string, name: string): Promise<MfaDevice> {
    const clean = name.trim().slice(0, DEVICE_NAME_MAX);
    if (!clean) throw new ValidationError('Give the device a name', [{ field: 'name', message: 'is required' }]);
    return this.deps.stores.transaction(async (tx) => {
      const device = await tx.mfa.renameDevice(user.id, deviceId, clean);
      await tx.audit.append({ actor: user.id, actorName: user.userName, action: 'mfa.device-rename', target: `user/${user.id}`, detail: { deviceId, name: clean } });
      return device;
    });
  }

  /**
   * The user removes one of their own devices. The last one goes only while MFA is off: otherwise
   * whoever holds a session could strip the account of its second factor (an administrator's
   * reset is the way out for a lost phone).
   */
  async removeOwn(user: User, deviceId: string): Promise<void> {
    const policy = await this.policy();
    await this.deps.stores.transaction(async (tx) => {
      const devices = await tx.mfa.listDevices(user.id);
      if (!devices.some((d) => d.id === deviceId)) throw new NotFoundError('MFA device', deviceId);
      if (devices.length === 1 && policy.mode !== 'never') {
        throw new ConflictError('This is your only sign-in device and sign-in requires one: add another device first, or ask an administrator to reset your MFA.');
      }
      await tx.mfa.deleteDevice(user.id, deviceId);
      if (devices.length === 1) await tx.mfa.replaceRecoveryCodes(user.id, []);
      await tx.audit.append({ actor: user.id, actorName: user.userName, action: 'mfa.device-remove', target: `user/${user.id}`, detail: { deviceId, by: 'self' } });
    });
  }

  /** New recovery codes replace all the old ones; returned once. Only for a user with a device. */
  async regenerateRecoveryCodes(user: User): Promise<string[]> {
    const codes = newRecoveryCodes();
    await this.deps.stores.transaction(async (tx) => {
      if ((await tx.mfa.listDevices(user.id)).length === 0) throw new ConflictError('Register a device first: recovery codes stand in for a device.');
      await tx.mfa.replaceRecoveryCodes(user.id, codes.map(recoveryCodeHash));
      await tx.audit.append({ actor: user.id, actorName: user.userName, action: 'mfa.recovery-codes-regenerate', target: `user/${user.id}`, detail: {} });
    });
    return codes;
  }

  /** A user's devices and unused recovery codes, for an administrator; NotFoundError for an unknown user. */
  async devicesOfUser(userId: string): Promise<{ devices: MfaDevice[]; recoveryCodesLeft: number }> {
    if (!(await this.deps.stores.directory.getUser(userId))) throw new NotFoundError('user', userId);
    return { devices: await this.deps.stores.mfa.listDevices(userId), recoveryCodesLeft: await this.deps.stores.mfa.countUnusedRecoveryCodes(userId) };
  }

  /** An administrator removes one device of a user (the last one takes the recovery codes with it). */
  async removeForUser(userId: string, deviceId: string, actor: string): Promise<void> {
    await this.deps.stores.transaction(async (tx) => {
      const devices = await tx.mfa.listDevices(userId);
      await tx.mfa.deleteDevice(userId, deviceId);
      if (devices.length === 1) await tx.mfa.replaceRecoveryCodes(userId, []);
      await tx.audit.append({ actor, action: 'mfa.device-remove', target: `user/${userId}`, detail: { deviceId, by: 'administrator' } });
    });
  }

  /** An administrator resets a user's MFA: every device and recovery code goes; the next sign-in registers anew. */
  async reset(userId: string, actor: string): Promise<number> {
    if (!(await this.deps.stores.directory.getUser(userId))) throw new NotFoundError('user', userId);
    return this.deps.stores.transaction(async (tx) => {
      const removed = await tx.mfa.deleteAllForUser(userId);
      await tx.audit.append({ actor, action: 'mfa.reset', target: `user/${userId}`, detail: { devicesRemoved: removed } });
      return removed;
    });
  }

  async #notThrottled(user: User, address: string): Promise<void> {
    const refusal = await this.deps.throttle.refusal(user.userName, address);
    if (refusal) throw new ThrottledError(undefined, refusal.retryAfterSeconds);
  }

  async #failed(user: User, address: string, reason: string): Promise<void> {
    await this.deps.throttle.recordFailure(user.userName, address);
    await this.deps.stores.audit.append({ actor: user.id, actorName: user.userName, address, action: 'mfa.failure', target: `user/${user.id}`, outcome: 'failure', detail: { reason } });
  }
}
