// Who may sign in to an OIDC application, and what it is told about them (docs/oidc-applications.md).
// The same rule as SAML applications: only users assigned to the app, directly or through a
// group, reach it, decided at the moment of each authorization, token refresh and userinfo call;
// every read goes to the user's identity source, so a user disabled since sign-in gets nothing.
import type { IdentitySource } from '../../directory/identity-source.ts';
import type { AuthenticationMethod } from '../../model/mfa.ts';
import type { Application, Group, User } from '../../model/types.ts';
import type { ApplicationStore, AuditStore, DirectoryStore } from '../../store/stores.ts';
import { activeUser } from '../sessions/signed-in-person.ts';
import { resolveMapping } from '../app-sso/decisions.ts';
import type { PortalSession } from '../portal-sessions.ts';

/** The acr values Gatehouse asserts (OpenID Connect Core §2): a password alone, or with a second factor. */
export const ACR_PASSWORD = 'urn:gatehouse:acr:password';
export const ACR_MFA = 'urn:gatehouse:acr:mfa';

export interface OidcPerson {
  user: User;
  groups: Group[];
}

/** What the provider records of the sign-in (OpenID Connect Core §2: auth_time, amr, acr). */
export interface OidcLogin {
  accountId: string;
  amr: AuthenticationMethod[];
  acr: string;
  /** Seconds since the epoch. */
  ts: number;
}

export type OidcSignInDecision =
  | { status: 'allowed'; login: OidcLogin }
  | { status: 'denied'; applicationName: string };

export class OidcAccess {
  constructor(
    private readonly deps: {
      applications: Pick<ApplicationStore, 'get' | 'applicationsFor' | 'list'>;
      directory: Pick<DirectoryStore, 'getUser'>;
      identitySourceFor: (source: User['source']) => IdentitySource;
      audit: AuditStore;
    },
  ) {}

  /** The OIDC application behind a client id, or null. */
  async application(clientId: string): Promise<Application | null> {
    const app = await this.deps.applications.get(clientId);
    return app && app.kind === 'oidc' && app.oidc ? app : null;
  }

  /** The user behind a subject, re-read from their identity source, with their groups; null when gone or disabled. */
  async person(userId: string): Promise<OidcPerson | null> {
    const stored = await this.deps.directory.getUser(userId);
    const source = this.deps.identitySourceFor(stored?.source ?? 'builtin');
    const user = await activeUser(source, userId);
    return user ? { user, groups: await source.groupsOf(user) } : null;
  }

  /** Whether the person is assigned to the app now, directly or through a group. */
  async reaches(person: OidcPerson, clientId: string): Promise<boolean> {
    const rows = await this.deps.applications.applicationsFor(person.user.id, person.groups.map((g) => g.id));
    return rows.some((r) => r.applicationId === clientId);
  }

  /** Every custom claim name of every OIDC application: the provider releases only claims it knows. */
  async customClaimNames(): Promise<string[]> {
    const names = new Set<string>();
    let nextToken: string | undefined;
    do {
      const page = await this.deps.applications.list({ limit: 1000, nextToken });
      for (const app of page.items) if (app.kind === 'oidc') for (const m of app.attributeMappings) names.add(m.name);
      nextToken = page.nextToken;
    } while (nextToken);
    return [...names].sort();
  }

  /** The person, when they are active and reach the app now; else null (the token request is refused). */
  async personFor(userId: string, clientId: string | undefined): Promise<OidcPerson | null> {
    const person = await this.person(userId);
    if (!person) return null;
    if (clientId !== undefined && !(await this.reaches(person, clientId))) return null;
    return person;
  }

  /**
   * The interaction's decision for a person signed in to the portal: the app's login, or a
   * refusal (audited) when they are not assigned to it.
   */
  async signIn(session: PortalSession, person: OidcPerson, clientId: string): Promise<OidcSignInDecision> {
    const app = await this.application(clientId);
    if (!app || !(await this.reaches(person, clientId))) {
      await this.deps.audit.append({
        actor: person.user.id,
        action: 'oidc.sign-in',
        target: `application/${clientId}`,
        outcome: 'refused',
        detail: { reason: app ? 'not assigned' : 'no such application' },
      });
      return { status: 'denied', applicationName: app?.name ?? 'this application' };
    }
    const amr: AuthenticationMethod[] = session.amr ?? ['pwd'];
    return {
      status: 'allowed',
      login: { accountId: person.user.id, amr, acr: amr.includes('mfa') ? ACR_MFA : ACR_PASSWORD, ts: Math.floor(Date.parse(session.authnInstant) / 1000) },
    };
  }
}

/**
 * The claims of a person (OpenID Connect Core §5.1), `groups` as their group names, and the app's
 * custom claims (its mappings, resolved as SAML attributes are: a single placeholder of several
 * values, `${user:groups}`, gives an array).
 */
export function claimsOf({ user, groups }: OidcPerson, app?: Pick<Application, 'attributeMappings'> | null): Record<string, unknown> {
  const custom: Record<string, unknown> = {};
  for (const mapping of app?.attributeMappings ?? []) {
    const { attribute } = resolveMapping(mapping, user, groups);
    if (!attribute) continue;
    const many = /^\$\{user:groups\}$/.test(mapping.value);
    custom[mapping.name] = many ? attribute.values : attribute.values.join(',');
  }
  const email = user.emails.find((e) => e.primary) ?? user.emails[0];
  return {
    sub: user.id,
    name: user.displayName,
    preferred_username: user.userName,
    ...(user.name.givenName ? { given_name: user.name.givenName } : {}),
    ...(user.name.familyName ? { family_name: user.name.familyName } : {}),
    ...(email ? { email: email.value, email_verified: false } : {}),
    groups: groups.map((g) => g.displayName).sort(),
    updated_at: Math.floor(user.updatedAt.getTime() / 1000),
    ...custom,
  };
}
