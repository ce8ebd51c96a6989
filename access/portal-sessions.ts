// Access-portal sessions, kept in the ephemeral store so any node can serve them (DESIGN.md
// "State"). The cookie holds a random id; the store holds only its SHA-256, so a dump of Redis
// yields no usable cookie. A fresh id is issued at every sign-in (OWASP ASVS V7.2.4).
import { createHash, randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../model/clock.ts';
import type { AuthenticationMethod } from '../model/mfa.ts';
import type { User } from '../model/types.ts';
import type { EphemeralStore } from '../store/ephemeral/ephemeral-store.ts';

export interface PortalSession {
  userId: string;
  userName: string;
  source: User['source'];
  /** When the person authenticated (SAML AuthnInstant). */
  authnInstant: string;
  expiresAt: string;
  /** SAML AuthnStatement SessionIndex: names this session to apps without revealing its id. */
  sessionIndex: string;
  /** Synchronizer token for every form posted within this session. */
  csrfToken: string;
  /** Entity ids of SAML apps used in this session (for single logout). */
  apps: string[];
  /** How the person authenticated (RFC 8176); absent in sessions from before MFA: a password. */
  amr?: AuthenticationMethod[];
}

/** Whether a session was opened with a second factor. */
export const signedInWithMfa = (session: Pick<PortalSession, 'amr'>) => session.amr?.includes('mfa') ?? false;

/** The store key of a session, by hashSessionId() of its id (SSO tokens read it with their own checks). */
export const portalSessionKey = (hash: string) => `session:${hash}`;
const userIndexKey = (userId: string) => `user-sessions:${userId}`;
export const hashSessionId = (id: string) => createHash('sha256').update(id).digest('base64url');

export class PortalSessionService {
  constructor(
    private readonly store: EphemeralStore,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Returns the new session id (for the cookie) and the session. */
  async create(user: User, durationMinutes: number, now = new Date(this.clock.now()), amr: AuthenticationMethod[] = ['pwd']): Promise<{ id: string; session: PortalSession }> {
    const id = randomBytes(32).toString('base64url');
    const ttl = durationMinutes * 60;
    const session: PortalSession = {
      userId: user.id,
      userName: user.userName,
      source: user.source,
      authnInstant: now.toISOString(),
      expiresAt: new Date(now.getTime() + ttl * 1000).toISOString(),
      sessionIndex: `_${randomBytes(16).toString('hex')}`,
      csrfToken: randomBytes(24).toString('base64url'),
      apps: [],
      amr,
    };
    const hash = hashSessionId(id);
    await this.store.set(portalSessionKey(hash), JSON.stringify(session), ttl);
    await this.store.addToSet(userIndexKey(user.id), hash, ttl);
    return { id, session };
  }

  /** The live session for a cookie value, or null. Throws UnavailableError when the store is down. */
  async get(id: string | undefined): Promise<PortalSession | null> {
    if (!id || id.length > 128) return null;
    const raw = await this.store.get(portalSessionKey(hashSessionId(id)));
    if (!raw) return null;
    const session = JSON.parse(raw) as PortalSession;
    return Date.parse(session.expiresAt) > this.clock.now() ? session : null;
  }

  /** The live session by its stored hash (for tokens bound to a session), or null. */
  async getByHash(hash: string): Promise<PortalSession | null> {
    const raw = await this.store.get(portalSessionKey(hash));
    if (!raw) return null;
    const session = JSON.parse(raw) as PortalSession;
    return Date.parse(session.expiresAt) > this.clock.now() ? session : null;
  }

  /** Records use of a SAML app in the session, keeping its expiry. */
  async noteApp(id: string, entityId: string): Promise<void> {
    const key = portalSessionKey(hashSessionId(id));
    const raw = await this.store.get(key);
    if (!raw) return;
    const session = JSON.parse(raw) as PortalSession;
    if (session.apps.includes(entityId)) return;
    session.apps.push(entityId);
    const ttl = Math.max(1, Math.floor((Date.parse(session.expiresAt) - this.clock.now()) / 1000));
    await this.store.set(key, JSON.stringify(session), ttl);
  }

  async destroy(id: string): Promise<PortalSession | null> {
    return this.destroyByHash(hashSessionId(id));
  }

  /** Ends a session known by its stored hash (single logout names sessions that way), on every node. */
  async destroyByHash(hash: string): Promise<PortalSession | null> {
    const raw = await this.store.take(portalSessionKey(hash));
    if (!raw) return null;
    const session = JSON.parse(raw) as PortalSession;
    await this.store.removeFromSet(userIndexKey(session.userId), hash);
    return session;
  }

  /** Ends every session of a user (disabled, deleted): docs/security.md: "Tokens and sessions". Returns how many. */
  async destroyAllForUser(userId: string): Promise<number> {
    const hashes = await this.store.setMembers(userIndexKey(userId));
    if (hashes.length) await this.store.delete(...hashes.map(portalSessionKey), userIndexKey(userId));
    return hashes.length;
  }
}
