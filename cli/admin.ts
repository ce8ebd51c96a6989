// `gatehouse admin reset-password <user>` and `gatehouse admin grant <user>`: account recovery on
// the host (docs/operations.md "Account recovery"), on the database the nodes share. Like `keys`,
// it needs the nodes' server secret (GATEHOUSE_SECRET or the key file under CERTS_DIR) and refuses
// without it: holding it is what shows this is the host Gatehouse runs on.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { AccountRecovery } from '../access/admin/account-recovery.ts';
import { AdminPolicy } from '../access/admin/admin-policy.ts';
import { AdminRoleService } from '../access/admin/admin-role-service.ts';
import { AdminRoleLookup } from '../access/admin/admin-roles.ts';
import { loadExistingServerSecret } from '../access/server-secret.ts';
import { SignInThrottle } from '../access/sign-in-throttle.ts';
import { PasswordHasher } from '../directory/passwords.ts';
import { ADMIN_ROLES, type AdminRole } from '../model/types.ts';
import type { Config } from '../server/config.ts';
import { openEphemeralStore } from '../store/ephemeral/open.ts';
import { openSqlStores } from '../store/sql/open.ts';
import type { CliIo } from './io.ts';

export function addAdminCommand(program: Command, config: () => Config, io: CliIo): Command {
  const admin = program.command('admin').description('recover administration: reset a password, give an admin role, mint an admin API token');

  admin
    .command('reset-password')
    .description('set a new password for a built-in user (generated and printed once, or read from standard input), lift a lockout, end their API tokens')
    .argument('<user>', 'userName')
    .option('--password-stdin', 'read the new password from standard input instead of generating one')
    .action((userName: string, opts: { passwordStdin?: boolean }) =>
      withRecovery(config(), async (recovery) => {
        const password = opts.passwordStdin ? (await io.readStdin()).replace(/\r?\n$/, '') : null;
        const { user, generatedPassword } = await recovery.resetPassword(userName, password);
        io.out(generatedPassword === null ? `Password of ${user.userName} reset.\n` : `Password of ${user.userName} reset. New password (shown once):\n${generatedPassword}\n`);
      }),
    );

  admin
    .command('grant')
    .description('give a user an admin role (administrator unless --role says otherwise)')
    .argument('<user>', 'userName')
    .option('--role <role>', `${ADMIN_ROLES.join(' or ')}`, 'administrator')
    .action((userName: string, opts: { role: string }) =>
      withRecovery(config(), async (recovery) => {
        if (!(ADMIN_ROLES as readonly string[]).includes(opts.role)) throw new Error(`--role must be ${ADMIN_ROLES.join(' or ')}`);
        const { user } = await recovery.grant(userName, opts.role as AdminRole);
        io.out(`${user.userName} is now ${opts.role === 'administrator' ? 'an administrator' : 'a delegated administrator'}.\n`);
      }),
    );
  admin
    .command('token')
    .description('mint an admin API token for a user who holds an admin role (printed alone on standard output, for scripts); no password or second factor: access to this host is the trust')
    .argument('<user>', 'userName')
    .action((userName: string) =>
      withRecovery(config(), async (recovery) => {
        const { token, expiresAt, role } = await recovery.issueToken(userName);
        io.out(`${token}\n`);
        io.err(`Admin API token of ${userName} (${role}), valid until ${expiresAt.toISOString()}: send it as Authorization: Bearer <token>\n`);
      }),
    );
  return admin;
}

function actor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

async function withRecovery(config: Config, work: (recovery: AccountRecovery) => Promise<void>): Promise<void> {
  if (config.database.kind === 'sqlite' && !existsSync(config.database.file)) {
    throw new Error(`No database at ${config.database.file}: set DATA_DIR or DATABASE_URL as the Gatehouse nodes have them`);
  }
  // Refuses (before touching the database) where the nodes' secret is not.
  await loadExistingServerSecret({ certsDir: config.certsDir, secret: config.secret });
  const timeouts = { connectTimeoutMs: config.dependencyTimeoutMs, queryTimeoutMs: Math.max(config.dependencyTimeoutMs, 5000) };
  const sql = await openSqlStores(config.database, timeouts);
  try {
    const ephemeral = await openEphemeralStore({
      redis: config.redis,
      sqliteFile: config.database.kind === 'sqlite' ? config.database.file : path.join(config.dataDir, 'ephemeral.db'),
      timeoutMs: config.dependencyTimeoutMs,
    });
    try {
      // The command line is the host's operator: no admin role is asked of it, so the policy is never consulted.
      const policy = new AdminPolicy({
        adminRoles: sql.adminRoles,
        delegatedAdministrator: sql.delegatedAdministrator,
        assignments: sql.assignments,
        instance: sql.instance,
        audit: sql.audit,
        groupIdsOf: (id) => sql.directory.groupIdsOfUser(id),
      });
      await work(
        new AccountRecovery({
          stores: sql,
          hasher: new PasswordHasher(),
          throttle: new SignInThrottle(ephemeral),
          roles: new AdminRoleService(sql, policy),
          by: actor(),
          roleLookup: new AdminRoleLookup({ adminRoles: sql.adminRoles, delegatedAdministrator: sql.delegatedAdministrator }),
          tokenTtlMinutes: config.adminTokenTtlMinutes,
        }),
      );
    } finally {
      await ephemeral.close();
    }
  } finally {
    await sql.close();
  }
}
