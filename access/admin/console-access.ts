// Who may use the admin console (/admin). One function, so that the rule can later be pointed at
// a richer admin-role policy without touching the console's routers: today it is the rule the
// admin API applies to bearer tokens (access/admin-tokens.ts), an enabled user marked isAdmin.
import type { User } from '../../model/types.ts';

export function mayAdminister(person: User | null | undefined): person is User {
  return !!person && person.enabled && person.isAdmin;
}
