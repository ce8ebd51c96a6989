// Multi-factor authentication: the instance's policy and a user's registered devices (docs/mfa.md).

/** The second factors Gatehouse can check. */
export type MfaFactor = 'totp' | 'webauthn';
export const MFA_FACTORS: readonly MfaFactor[] = ['totp', 'webauthn'];

export interface MfaPolicy {
  /** When a second factor is asked for: at every portal sign-in, or never. */
  mode: 'every-sign-in' | 'never';
  /** Which kinds of device users may register and sign in with. */
  allowedFactors: MfaFactor[];
  /** A user with no device yet: registers one during sign-in, or is refused with a message. */
  withoutDevice: 'register' | 'refuse';
}

/** A new instance asks for a second factor at every sign-in, as Identity Center's default does. */
export const NEW_INSTANCE_MFA_POLICY: MfaPolicy = { mode: 'every-sign-in', allowedFactors: ['totp', 'webauthn'], withoutDevice: 'register' };

/** An instance created before MFA existed keeps signing in as it did until an administrator turns MFA on. */
export const MFA_OFF: MfaPolicy = { mode: 'never', allowedFactors: ['totp', 'webauthn'], withoutDevice: 'register' };

export interface MfaDevice {
  id: string;
  userId: string;
  kind: MfaFactor;
  /** The user's own name for it ("Phone"). */
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** How a portal session was authenticated (RFC 8176 Authentication Method Reference values). */
export type AuthenticationMethod = 'pwd' | 'otp' | 'mfa' | 'hwk';
