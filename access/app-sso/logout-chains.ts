// Front-channel Single Logout in progress (SAML Profiles §4.4.3): after the portal session has
// ended, the browser visits each application used in it that has a SingleLogoutService, one at a
// time, carrying our LogoutRequest, and comes back to /saml/slo with the app's LogoutResponse.
// The chain's state lives in the ephemeral store under a random key (the RelayState of every hop),
// so any node can continue it. An app that never answers cannot trap anyone: the session is
// already gone, each hop can be skipped, coming back without an answer moves on, and the whole
// chain has a deadline after which the rest is skipped.
import { randomBytes } from 'node:crypto';
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';

export const LOGOUT_CHAIN_TTL_SECONDS = 10 * 60;
/** After this long, apps not yet visited are skipped and the person goes on. */
export const LOGOUT_CHAIN_DEADLINE_SECONDS = 2 * 60;

export type HopState = 'pending' | 'sent' | 'confirmed' | 'failed' | 'no-answer' | 'skipped' | 'unreachable';

/** How the browser left the hop in flight: came back without an answer (false), skipped it (true), or found the app unreachable. */
export type HopLeft = boolean | 'unreachable';

export interface LogoutHop {
  applicationId: string;
  entityId: string;
  name: string;
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string;
  state: HopState;
  /** Our LogoutRequest's ID once sent: the LogoutResponse must answer exactly it. */
  requestId?: string;
}

/** When an app started the logout (SP-initiated SLO): whom to answer once the others are done. */
export interface LogoutOrigin {
  applicationId: string;
  entityId: string;
  inResponseTo: string;
  relayState?: string;
}

export interface LogoutChain {
  hops: LogoutHop[];
  deadline: number;
  origin?: LogoutOrigin;
  /** Where the person lands at the end when no app started the logout. */
  finalUrl: string;
}

const chainKey = (key: string) => `saml-slo:${key}`;

export class LogoutChains {
  constructor(private readonly store: EphemeralStore) {}

  async start(hops: Omit<LogoutHop, 'state'>[], options: { origin?: LogoutOrigin; finalUrl: string; now?: number }): Promise<string> {
    const key = randomBytes(24).toString('base64url');
    const chain: LogoutChain = {
      hops: hops.map((h) => ({ ...h, state: 'pending' })),
      deadline: (options.now ?? Date.now()) + LOGOUT_CHAIN_DEADLINE_SECONDS * 1000,
      ...(options.origin ? { origin: options.origin } : {}),
      finalUrl: options.finalUrl,
    };
    await this.store.set(chainKey(key), JSON.stringify(chain), LOGOUT_CHAIN_TTL_SECONDS);
    return key;
  }

  async get(key: string): Promise<LogoutChain | null> {
    if (!/^[\w-]{32}$/.test(key)) return null;
    const raw = await this.store.get(chainKey(key));
    return raw ? (JSON.parse(raw) as LogoutChain) : null;
  }

  async save(key: string, chain: LogoutChain): Promise<void> {
    await this.store.set(chainKey(key), JSON.stringify(chain), LOGOUT_CHAIN_TTL_SECONDS);
  }

  async finish(key: string): Promise<void> {
    await this.store.delete(chainKey(key));
  }
}

/**
 * Advances the chain as the person arrives at the progress page: a hop sent earlier that never
 * answered is given up on; past the deadline every remaining hop is skipped. Returns the next hop
 * to visit (now marked 'sent' by the caller once it has its request ID), or null when done.
 */
export function nextHop(chain: LogoutChain, now = Date.now(), skip: HopLeft = false): LogoutHop | null {
  for (const hop of chain.hops) {
    if (hop.state === 'sent') hop.state = skip === 'unreachable' ? 'unreachable' : skip ? 'skipped' : 'no-answer';
  }
  const pastDeadline = now >= chain.deadline;
  for (const hop of chain.hops) {
    if (hop.state !== 'pending') continue;
    if (pastDeadline) hop.state = 'skipped';
    else return hop;
  }
  return null;
}
