// The services registry: opens the stores and builds every service once, in the one direction
// data flows (stores → directory/access → idp). server/app.ts builds HTTP on top of it; tests
// build it with their own configuration.
import path from 'node:path';
import { AccountService } from '../access/accounts.ts';
import { AdminTokenService } from '../access/admin-tokens.ts';
import { AssignmentService } from '../access/assignments.ts';
import { EntitlementService } from '../access/entitlements.ts';
import { InstanceSettingsService } from '../access/instance-settings.ts';
import { PermissionSetService } from '../access/permission-sets.ts';
import { BuiltinDirectory } from '../directory/builtin-directory.ts';
import { GroupService } from '../directory/groups.ts';
import { UserService } from '../directory/users.ts';
import type { EphemeralStore } from '../store/ephemeral/ephemeral-store.ts';
import { openEphemeralStore } from '../store/ephemeral/open.ts';
import { openSqlStores } from '../store/sql/open.ts';
import type { SqlStores } from '../store/stores.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';

export interface Services {
  config: Config;
  logger: Logger;
  sql: SqlStores;
  ephemeral: EphemeralStore;
  builtinDirectory: BuiltinDirectory;
  users: UserService;
  groups: GroupService;
  accounts: AccountService;
  permissionSets: PermissionSetService;
  assignments: AssignmentService;
  entitlements: EntitlementService;
  instanceSettings: InstanceSettingsService;
  adminTokens: AdminTokenService;
  close(): Promise<void>;
}

export async function createServices(config: Config, logger: Logger): Promise<Services> {
  const sql = await openSqlStores(config.database);
  let ephemeral: EphemeralStore;
  try {
    ephemeral = await openEphemeralStore({
      redisUrl: config.redisUrl,
      // Embedded mode keeps short-lived state in the SQLite file too, so a restart loses nothing.
      sqliteFile: config.database.kind === 'sqlite' ? config.database.file : path.join(config.dataDir, 'ephemeral.db'),
      timeoutMs: config.dependencyTimeoutMs,
    });
  } catch (e) {
    await sql.close();
    throw e;
  }

  const builtinDirectory = new BuiltinDirectory(sql.directory);
  const assignments = new AssignmentService(sql.assignments, sql.directory, sql.audit);
  const services: Services = {
    config,
    logger,
    sql,
    ephemeral,
    builtinDirectory,
    users: new UserService(sql.directory, sql.audit, assignments),
    groups: new GroupService(sql.directory, sql.audit, assignments),
    accounts: new AccountService(sql.accounts, sql.instance, sql.audit, config.defaultSignInEndpoint),
    permissionSets: new PermissionSetService(sql.permissionSets, sql.instance, sql.audit),
    assignments,
    entitlements: new EntitlementService(sql.assignments, sql.accounts, sql.permissionSets),
    instanceSettings: new InstanceSettingsService(sql.instance, sql.audit),
    adminTokens: new AdminTokenService(builtinDirectory, sql.directory, sql.apiTokens, sql.audit, config.adminTokenTtlMinutes),
    async close() {
      await Promise.allSettled([ephemeral.close(), sql.close()]);
    },
  };
  return services;
}
