// The signed-in person, re-checked: a portal session only says who signed in, and when. Whoever
// acts on it is re-read from their identity source first, so a user disabled or removed since
// sign-in (in Gatehouse, or in an LDAP directory behind its back) gets nothing, and their session
// ends here (docs/security.md: "Tokens and sessions"). Every surface that acts for a person asks
// this file; server/http/portal-session.ts adds the cookie and the CSRF check around it.
import type { IdentitySource } from '../../directory/identity-source.ts';
import type { Group, User } from '../../model/types.ts';
import type { PortalSession, PortalSessionService } from '../portal-sessions.ts';

/** Which identity source holds a user (the built-in directory, or LDAP). */
export type IdentitySourceFor = (source: User['source']) => IdentitySource;

/** The user as their identity source has them now: null when removed or disabled since. */
export async function activeUser(source: Pick<IdentitySource, 'getUser'>, userId: string): Promise<User | null> {
  const user = await source.getUser(userId);
  return user && user.enabled ? user : null;
}

export interface SignedInPerson {
  /** The session's id (the cookie value). */
  sessionId: string;
  session: PortalSession;
  /** The user as their identity source has them now, enabled. */
  user: User;
  /** The user's groups, read from their identity source on first use and kept for this request. */
  groups(): Promise<Group[]>;
}

export type PersonCheck =
  | { status: 'signed-in'; person: SignedInPerson }
  /** No live session. */
  | { status: 'signed-out' }
  /** There was a session, but its user is disabled or gone: it has just been ended. */
  | { status: 'ended' };

export class SignedInPeople {
  constructor(
    private readonly deps: {
      sessions: Pick<PortalSessionService, 'get' | 'destroy'>;
      identitySourceFor: IdentitySourceFor;
    },
  ) {}

  /** The live session behind a cookie value, not yet re-checked (a form's CSRF token is checked before). */
  session(sessionId: string | undefined): Promise<PortalSession | null> {
    return this.deps.sessions.get(sessionId);
  }

  /** The person behind a cookie value, re-read from their identity source. */
  async resolve(sessionId: string | undefined): Promise<PersonCheck> {
    const session = await this.session(sessionId);
    if (!session || !sessionId) return { status: 'signed-out' };
    return this.recheck(sessionId, session);
  }

  /** Re-reads the session's user: disabled or gone ends the session on every node. */
  async recheck(sessionId: string, session: PortalSession): Promise<PersonCheck> {
    const source = this.deps.identitySourceFor(session.source);
    const user = await activeUser(source, session.userId);
    if (!user) {
      await this.deps.sessions.destroy(sessionId);
      return { status: 'ended' };
    }
    let groups: Promise<Group[]> | undefined;
    return {
      status: 'signed-in',
      person: { sessionId, session, user, groups: () => (groups ??= source.groupsOf(user)) },
    };
  }
}
