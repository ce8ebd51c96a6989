// /admin: the dashboard.
import { Router } from 'express';
import type { AccountService } from '../../access/accounts.ts';
import type { ApplicationService } from '../../access/applications/application-service.ts';
import type { PermissionSetService } from '../../access/permission-sets.ts';
import type { GroupService } from '../../directory/groups.ts';
import type { IdentitySourceConfig } from '../../directory/identity-source-config.ts';
import type { UserService } from '../../directory/users.ts';
import type { Page } from '../../store/stores.ts';
import { homePage, type Tally } from '../../views/console/home.ts';
import { render } from './render.ts';

export interface HomePagesDeps {
  accounts: AccountService;
  users: UserService;
  groups: GroupService;
  permissionSets: PermissionSetService;
  applications: ApplicationService;
  identitySourceConfig: IdentitySourceConfig;
}

const SHOWN = 100;

export function homePages(deps: HomePagesDeps): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    const tally = async (label: string, href: string, list: Promise<Page<unknown>>): Promise<Tally> => {
      const page = await list;
      return { label, href, count: page.items.length, more: page.nextToken !== undefined };
    };
    const q = { limit: SHOWN };
    const tallies = await Promise.all([
      tally('AWS accounts', '/admin/accounts', deps.accounts.list(q)),
      tally('Permission sets', '/admin/permission-sets', deps.permissionSets.list(q)),
      tally('Users', '/admin/users', deps.users.list(q)),
      tally('Groups', '/admin/groups', deps.groups.list(q)),
      tally('Applications', '/admin/applications', deps.applications.list(q)),
    ]);
    const source = await deps.identitySourceConfig.describe();
    render(res, homePage({ tallies, identitySource: source.kind === 'ldap' ? `LDAP (${source.settings?.url ?? ''})` : 'the built-in directory' }));
  });
  return router;
}
