// Who may use the admin console (/admin), and with which admin role: the same answer the admin API
// gives a bearer token (access/admin-tokens.ts), from AdminRoleLookup (access/admin/admin-roles.ts).
// A person with no admin role now gets no console page; a delegated administrator gets the console
// with the delegated administrator's limits (access/admin/admin-policy.ts), as on the API.
import type { User } from '../../model/types.ts';
import type { AuditStore } from '../../store/stores.ts';
import type { AdminActor } from './admin-policy.ts';
import type { AdminRoleLookup } from './admin-roles.ts';

export class ConsoleAccess {
  constructor(
    private readonly deps: {
      roles: Pick<AdminRoleLookup, 'adminRoleOf'>;
      /** The user's group ids, from the source that holds the user. */
      groupIdsOf(user: User): Promise<string[]>;
      audit: Pick<AuditStore, 'append'>;
    },
  ) {}

  /** The person as an admin actor, or null when they hold no admin role now. */
  async actorOf(person: User | null | undefined): Promise<(AdminActor & { user: User }) | null> {
    if (!person || !person.enabled) return null;
    const role = await this.deps.roles.adminRoleOf(person, await this.deps.groupIdsOf(person));
    return role === null ? null : { user: person, role };
  }

  /** Records that a signed-in person with no admin role was refused a console page (outcome 'refused'). */
  async refused(person: User, path: string): Promise<void> {
    await this.deps.audit.append({
      actor: person.id,
      actorName: person.userName,
      action: 'admin.refused',
      target: 'admin-console',
      outcome: 'refused',
      detail: { reason: 'no admin role', path: path.slice(0, 256) },
    });
  }
}
