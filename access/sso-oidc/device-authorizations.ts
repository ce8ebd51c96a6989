// The device authorization grant (RFC 8628) as SSO OIDC serves it: StartDeviceAuthorization hands
// out a device code (for the client) and a user code (for the person); the person approves or
// denies on the verification page; CreateToken polls with the device code (docs/aws-cli.md,
// "Device-code polling").
//
// Store layout (ephemeral store, shared by every node):
//   oidc-device:<sha256(deviceCode)>  the authorization; kept one extra lifetime after expiry so a
//                                     late poll gets ExpiredTokenException, not "unknown"
//   oidc-user-code:<XXXX-XXXX>        → the device key's hash; lives exactly the lifetime
//   oidc-poll:<sha256(deviceCode)>    SET NX with a TTL of `interval`: a poll finding it is too fast
// Single use (docs/security.md: "Codes"): the user code is taken (GETDEL) by the one approval or denial; the
// device code is taken by the one CreateToken that collects the outcome.
//
// Every user code a person enters on the verification page, typed into the form or posted by the
// Approve and Deny buttons, goes through one guess limit (guess-limit.ts) per person, whichever
// portal session they use, and per client address (RFC 8628 §5.1).
import { systemClock, type Clock } from '../../model/clock.ts';
import type { User } from '../../model/types.ts';
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';
import type { ClientRegistration } from './client-registrations.ts';
import { isHttpUrl } from './input.ts';
import { OAuthError } from './oauth-errors.ts';
import { GuessLimit, type GuessSubject } from './guess-limit.ts';
import { RateLimit } from './rate-limit.ts';
import { grantedScopes } from './scopes.ts';
import { newSecret, secondsUntil, sha256 } from './secrets.ts';
import type { SsoOidcSettings } from './settings.ts';
import { newUserCode, normalizeUserCode } from './user-codes.ts';

/** Who approved a device or authorization code: the token will be bound to this portal session. */
export interface Approval {
  userId: string;
  userName: string;
  source: User['source'];
  /** hashSessionId() of the approving portal session. */
  portalSessionHash: string;
}

export interface DeviceAuthorization {
  clientId: string;
  clientName: string;
  startUrl: string;
  scopes: string[];
  userCode: string;
  expiresAt: string;
  status: 'pending' | 'approved' | 'denied';
  approval: Approval | null;
}

export interface StartDeviceAuthorizationResult {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string;
  expiresIn: number;
  interval: number;
}

/** What the verification page shows about a pending request. */
export interface PendingDevice {
  clientId: string;
  userCode: string;
  clientName: string;
  startUrl: string;
  expiresAt: string;
}

/** Who enters a user code on the verification page. */
export interface CodeEntrant {
  /** The signed-in person's user id. */
  personId: string;
  /** The client address the page saw. */
  address: string;
}

const deviceKey = (hash: string) => `oidc-device:${hash}`;
const userCodeKey = (userCode: string) => `oidc-user-code:${userCode}`;
const pollKey = (hash: string) => `oidc-poll:${hash}`;

export class DeviceAuthorizationService {
  readonly #starts: RateLimit;
  readonly #guesses: GuessLimit;

  constructor(
    private readonly store: EphemeralStore,
    private readonly settings: SsoOidcSettings,
    private readonly clock: Clock = systemClock,
  ) {
    this.#starts = new RateLimit(store, 'device-start', settings.deviceStartsPerMinute, 60);
    this.#guesses = new GuessLimit(store, 'user-code', 15 * 60, clock);
  }

  /** StartDeviceAuthorization, for an already authenticated client. */
  async start(client: ClientRegistration, startUrl: string): Promise<StartDeviceAuthorizationResult> {
    if (!isHttpUrl(startUrl)) throw new OAuthError('invalid_request', 'startUrl must be an http(s) URL');
    if (!(await this.#starts.hit(client.clientId))) throw new OAuthError('slow_down', 'Too many device authorizations for this client; try again in a minute');
    const lifetime = this.settings.deviceCodeSeconds;
    const deviceCode = newSecret('ghd-');
    const hash = sha256(deviceCode);
    // A fresh user code must not collide with a live one; with 20^8 codes a retry is already rare.
    let userCode = '';
    for (let attempt = 0; ; attempt++) {
      userCode = newUserCode();
      if (await this.store.setIfAbsent(userCodeKey(userCode), hash, lifetime)) break;
      if (attempt === 5) throw new Error('could not allocate a unique user code');
    }
    const authorization: DeviceAuthorization = {
      clientId: client.clientId,
      clientName: client.clientName,
      startUrl,
      scopes: grantedScopes(client.scopes),
      userCode,
      expiresAt: new Date(this.clock.now() + lifetime * 1000).toISOString(),
      status: 'pending',
      approval: null,
    };
    await this.store.set(deviceKey(hash), JSON.stringify(authorization), lifetime * 2);
    const verificationUri = `${this.settings.baseUrl}/device`;
    return {
      deviceCode,
      userCode,
      verificationUri,
      verificationUriComplete: `${verificationUri}?user_code=${userCode}`,
      expiresIn: lifetime,
      interval: this.settings.pollIntervalSeconds,
    };
  }

  /**
   * The pending request behind a user code a person typed or followed, or null when there is none
   * (unknown, expired, already decided). ThrottledError once too many wrong codes were entered.
   */
  async findPending(input: string, entrant: CodeEntrant): Promise<PendingDevice | null> {
    const found = await this.#guesses.attempt(this.#subjects(entrant), () => this.#pending(input));
    if (!found) return null;
    const { authorization: a } = found;
    return { clientId: a.clientId, userCode: a.userCode, clientName: a.clientName, startUrl: a.startUrl, expiresAt: a.expiresAt };
  }

  /**
   * Records the person's decision and returns what was decided on; null when the code is no longer
   * pending (unknown, expired, already decided). ThrottledError once too many wrong codes were
   * entered: then no code is looked at, and a right one stays pending for its owner.
   */
  async decide(input: string, decision: 'approve' | 'deny', approval: Approval, entrant: CodeEntrant): Promise<PendingDevice | null> {
    return this.#guesses.attempt(this.#subjects(entrant), () => this.#decide(input, decision, approval));
  }

  #subjects(entrant: CodeEntrant): GuessSubject[] {
    return [
      {
        id: `person:${entrant.personId}`,
        limit: this.settings.failedUserCodesPer15Minutes,
        refusal: (minutes) => `Too many codes that were not recognised were entered for your account. For your security, no more codes are accepted for now: try again in ${plural(minutes, 'minute')}, and check the code shown in your terminal.`,
      },
      {
        id: `address:${entrant.address}`,
        limit: this.settings.failedUserCodesPerAddressPer15Minutes,
        refusal: (minutes) => `Too many codes that were not recognised were entered from your network address. For your security, no more codes are accepted from it for now: try again in ${plural(minutes, 'minute')}.`,
      },
    ];
  }

  async #decide(input: string, decision: 'approve' | 'deny', approval: Approval): Promise<PendingDevice | null> {
    const userCode = normalizeUserCode(input);
    if (!userCode) return null;
    // Taking the user code makes the decision single-use: of two concurrent clicks one wins.
    const hash = await this.store.take(userCodeKey(userCode));
    if (!hash) return null;
    const raw = await this.store.get(deviceKey(hash));
    if (!raw) return null;
    const a = JSON.parse(raw) as DeviceAuthorization;
    if (a.status !== 'pending' || Date.parse(a.expiresAt) <= this.clock.now()) return null;
    const decided: DeviceAuthorization = { ...a, status: decision === 'approve' ? 'approved' : 'denied', approval: decision === 'approve' ? approval : null };
    await this.store.set(deviceKey(hash), JSON.stringify(decided), secondsUntil(a.expiresAt, this.clock.now()) + this.settings.deviceCodeSeconds);
    return { clientId: a.clientId, userCode: a.userCode, clientName: a.clientName, startUrl: a.startUrl, expiresAt: a.expiresAt };
  }

  /**
   * CreateToken with the device-code grant: the approval, exactly once. Otherwise the OAuth error
   * the client must see: authorization_pending, slow_down (polled within `interval`),
   * expired_token, access_denied, or invalid_grant (unknown, another client's, already used).
   */
  async redeem(client: ClientRegistration, deviceCode: string): Promise<{ approval: Approval; scopes: string[] }> {
    if (deviceCode.length > 256) throw new OAuthError('invalid_grant', 'Unknown device code');
    const hash = sha256(deviceCode);
    const raw = await this.store.get(deviceKey(hash));
    if (!raw) throw new OAuthError('invalid_grant', 'Unknown or already used device code');
    const authorization = JSON.parse(raw) as DeviceAuthorization;
    if (authorization.clientId !== client.clientId) throw new OAuthError('invalid_grant', 'This device code was issued to another client');
    if (Date.parse(authorization.expiresAt) <= this.clock.now()) throw new OAuthError('expired_token', 'The device code has expired; start the sign-in again');
    // Counted in the store, so polling several nodes in turn is just as "too fast".
    const inTime = await this.store.setIfAbsent(pollKey(hash), '1', this.settings.pollIntervalSeconds);
    if (authorization.status === 'pending') {
      if (!inTime) throw new OAuthError('slow_down', `Polling too fast; wait at least ${this.settings.pollIntervalSeconds} s between requests`);
      throw new OAuthError('authorization_pending', 'The person has not approved this request yet');
    }
    const taken = await this.store.take(deviceKey(hash));
    if (!taken) throw new OAuthError('invalid_grant', 'Unknown or already used device code');
    const outcome = JSON.parse(taken) as DeviceAuthorization;
    if (outcome.status !== 'approved' || !outcome.approval) throw new OAuthError('access_denied', 'The person denied this request');
    return { approval: outcome.approval, scopes: outcome.scopes };
  }

  async #pending(input: string): Promise<{ hash: string; authorization: DeviceAuthorization } | null> {
    const userCode = normalizeUserCode(input);
    if (!userCode) return null;
    const hash = await this.store.get(userCodeKey(userCode));
    if (!hash) return null;
    const raw = await this.store.get(deviceKey(hash));
    if (!raw) return null;
    const authorization = JSON.parse(raw) as DeviceAuthorization;
    if (authorization.status !== 'pending' || Date.parse(authorization.expiresAt) <= this.clock.now()) return null;
    return { hash, authorization };
  }
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
