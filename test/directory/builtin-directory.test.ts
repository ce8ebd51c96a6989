// The identity-source contract, run for the built-in directory (LDAP runs it in ldap-sign-in).
import { startGatehouse } from '../support/gatehouse.ts';
import { seedOrganization } from '../support/seed.ts';
import { identitySourceContract } from './identity-source.contract.ts';

identitySourceContract('built-in directory', async () => {
  const gh = await startGatehouse();
  const org = await seedOrganization(gh.services, {
    users: [{ userName: 'Known.User', password: 'known-user-password' }],
    groups: [{ name: 'Known Group', members: ['Known.User'] }],
  });
  return {
    source: gh.services.builtinDirectory,
    knownUser: { userName: org.users['Known.User']!.userName, password: 'known-user-password' },
    knownUserGroup: 'Known Group',
    close: () => gh.close(),
  };
});
