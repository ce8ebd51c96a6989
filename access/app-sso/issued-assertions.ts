// Which portal session each assertion we issued belongs to, for Single Logout (SAML Profiles
// §4.4): an application's LogoutRequest names the person by the NameID we gave it and the
// SessionIndex of our AuthnStatement, so when we issue an assertion we remember
// (SessionIndex, app) → (session, NameID), and (app, NameID) → SessionIndexes for requests that
// carry no SessionIndex. Kept in the ephemeral store shared by every node, for as long as the
// portal session lives; only the session's SHA-256 is stored, never its cookie value.
import { createHash } from 'node:crypto';
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';
import type { PortalSession, PortalSessionService } from '../portal-sessions.ts';

export interface IssuedAssertion {
  sessionIndex: string;
  /** hashSessionId(cookie value): the key the portal session is stored under. */
  sessionHash: string;
  userId: string;
  /** The app's entity id. */
  entityId: string;
  nameId: string;
  nameIdFormat: string;
}

const digest = (...parts: string[]) => createHash('sha256').update(parts.join('\n'), 'utf8').digest('base64url');
const issuedKey = (sessionIndex: string, entityId: string) => `saml-issued:${digest(sessionIndex, entityId)}`;
const nameIdKey = (entityId: string, nameId: string) => `saml-nameid:${digest(entityId, nameId)}`;

export class AppSsoSessions {
  constructor(
    private readonly store: EphemeralStore,
    private readonly portalSessions: PortalSessionService,
  ) {}

  /** Remembers an issued assertion until the portal session ends (`ttlSeconds`). */
  async recordIssued(issued: IssuedAssertion, ttlSeconds: number): Promise<void> {
    const ttl = Math.max(1, Math.ceil(ttlSeconds));
    await this.store.set(issuedKey(issued.sessionIndex, issued.entityId), JSON.stringify(issued), ttl);
    await this.store.addToSet(nameIdKey(issued.entityId, issued.nameId), issued.sessionIndex, ttl);
  }

  async issued(sessionIndex: string, entityId: string): Promise<IssuedAssertion | null> {
    const raw = await this.store.get(issuedKey(sessionIndex, entityId));
    return raw ? (JSON.parse(raw) as IssuedAssertion) : null;
  }

  /**
   * The sessions a LogoutRequest from `entityId` names: those SessionIndexes we issued to that
   * app for exactly that NameID, or, without SessionIndex, every session where it got that NameID.
   */
  async findForLogout(entityId: string, nameId: string, sessionIndexes: readonly string[]): Promise<IssuedAssertion[]> {
    const indexes = sessionIndexes.length > 0 ? [...new Set(sessionIndexes)] : await this.store.setMembers(nameIdKey(entityId, nameId));
    const found: IssuedAssertion[] = [];
    for (const sessionIndex of indexes) {
      const issued = await this.issued(sessionIndex, entityId);
      if (issued && issued.nameId === nameId) found.push(issued);
    }
    return found;
  }

  /** Ends the portal session an assertion belongs to, on every node at once; null when it had already ended. */
  endPortalSession(issued: Pick<IssuedAssertion, 'sessionHash'>): Promise<PortalSession | null> {
    return this.portalSessions.destroyByHash(issued.sessionHash);
  }
}
