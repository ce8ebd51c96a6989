// The use cases the admin console adds over the admin API's (docs/admin-console.md): what else a
// deletion takes with it, password reset and unlock, the assertion preview, the assign-access
// batch and the policy-grammar check. Built once by server/services.ts.
import type { UserService } from '../../directory/users.ts';
import type { GroupService } from '../../directory/groups.ts';
import type { SqlStores } from '../../store/stores.ts';
import type { ApplicationService } from '../applications/application-service.ts';
import type { AppSsoService } from '../app-sso/decisions.ts';
import type { AssignmentService } from '../assignments.ts';
import type { UserAccess } from '../org/user-access.ts';
import type { PermissionSetService } from '../permission-sets.ts';
import type { IdentitySourceFor } from '../sessions/signed-in-person.ts';
import { ConsoleAssignAccess } from './console-assign-access.ts';
import { ConsoleCascades } from './console-cascades.ts';
import { ConsolePermissionSets } from './console-permission-sets.ts';
import { ConsolePreview } from './console-preview.ts';
import { ConsoleUserActions } from './console-user-actions.ts';

export interface ConsoleServices {
  cascades: ConsoleCascades;
  userActions: ConsoleUserActions;
  preview: ConsolePreview;
  assignAccess: ConsoleAssignAccess;
  permissionSets: ConsolePermissionSets;
}

export function buildConsoleServices(deps: {
  users: UserService;
  groups: GroupService;
  applications: ApplicationService;
  assignments: AssignmentService;
  permissionSets: PermissionSetService;
  userAccess: Pick<UserAccess, 'unlock' | 'signInStates'>;
  identitySourceFor: IdentitySourceFor;
  decisions: AppSsoService;
  transaction: SqlStores['transaction'];
}): ConsoleServices {
  return {
    cascades: new ConsoleCascades({ assignments: deps.assignments, groups: deps.groups, applications: deps.applications }),
    userActions: new ConsoleUserActions({ users: deps.users, userAccess: deps.userAccess }),
    preview: new ConsolePreview({ applications: deps.applications, users: deps.users, identitySourceFor: deps.identitySourceFor, decisions: deps.decisions }),
    assignAccess: new ConsoleAssignAccess({ assignments: deps.assignments, transaction: deps.transaction }),
    permissionSets: new ConsolePermissionSets(deps.permissionSets),
  };
}
