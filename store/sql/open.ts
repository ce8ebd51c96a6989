// Opens every durable store at once over one database (DESIGN.md "State"): connects, applies the
// pending migrations, and hands back the stores. A database that does not answer is an
// UnavailableError('sql') here and from every store call later.

import { sql } from 'kysely';
import type { AuditContextSource, SqlStores, StoreSet } from '../stores.ts';
import { SqlAccountStore } from './account-store.ts';
import { SqlAdminRoleStore } from './admin-role-store.ts';
import { SqlApiTokenStore } from './api-token-store.ts';
import { SqlApplicationStore } from './application-store.ts';
import { SqlAssignmentStore } from './assignment-store.ts';
import { SqlAuditStore } from './audit-store.ts';
import { codecFor } from './codec.ts';
import { connectSql, type SqlOptions, type SqlTarget } from './connect.ts';
import type { SqlContext } from './context.ts';
import { SqlDelegatedAdministratorStore } from './delegated-administrator-store.ts';
import { SqlDirectoryStore } from './directory-store.ts';
import { translated } from './errors.ts';
import { SqlInstanceStore } from './instance-store.ts';
import { migrate } from './migrate.ts';
import { SqlPermissionSetStore } from './permission-set-store.ts';
import { SqlProvisioningStore } from './provisioning-store.ts';
import { SqlMfaStore } from './mfa-store.ts';
import { SqlSettingsStore } from './settings-store.ts';
import { SqlSigningKeyStore } from './signing-key-store.ts';
import { UnitsOfWork } from './unit-of-work.ts';

export type { SqlOptions, SqlTarget } from './connect.ts';

export interface OpenOptions extends SqlOptions {
  /** Who is acting in the current request, for the audit events appended while serving it. */
  auditContext?: AuditContextSource;
  /**
   * A read-only replica of the same database (DATABASE_READ_URL) behind `lagTolerant`; without it
   * `lagTolerant` reads the primary. It is never migrated: it follows the primary.
   */
  readTarget?: SqlTarget;
}

export async function openSqlStores(target: SqlTarget, options: OpenOptions = {}): Promise<SqlStores> {
  const { db, dialect } = connectSql(target, options);
  try {
    await translated(() => migrate(db, dialect));
  } catch (e) {
    await db.destroy().catch(() => {});
    throw e;
  }
  const storesOver = storesOverWith(options.auditContext);
  const units = new UnitsOfWork(db, dialect, codecFor(dialect), storesOver);
  const primary = storesOver(units.outsideContext());
  const replica = options.readTarget === undefined ? null : connectSql(options.readTarget, { ...options, readOnly: true });
  let closed: Promise<void> | undefined;
  return {
    dialect,
    ...primary,
    lagTolerant: replica === null ? primary : storesOver(new UnitsOfWork(replica.db, replica.dialect, codecFor(replica.dialect), storesOver).outsideContext()),
    transaction: (work) => units.run(work),
    async ping() {
      await translated(() => sql`select 1`.execute(db));
    },
    close() {
      closed ??= Promise.all([db.destroy(), replica?.db.destroy()]).then(() => undefined);
      return closed;
    },
  };
}

/** Every store over one context: the database itself, or one transaction (unit-of-work.ts). */
const storesOverWith = (auditContext: AuditContextSource | undefined) => (ctx: SqlContext): StoreSet => {
  return {
    directory: new SqlDirectoryStore(ctx),
    accounts: new SqlAccountStore(ctx),
    permissionSets: new SqlPermissionSetStore(ctx),
    assignments: new SqlAssignmentStore(ctx),
    audit: new SqlAuditStore(ctx, auditContext),
    apiTokens: new SqlApiTokenStore(ctx),
    instance: new SqlInstanceStore(ctx),
    settings: new SqlSettingsStore(ctx),
    applications: new SqlApplicationStore(ctx),
    signingKeys: new SqlSigningKeyStore(ctx),
    adminRoles: new SqlAdminRoleStore(ctx),
    delegatedAdministrator: new SqlDelegatedAdministratorStore(ctx),
    provisioning: new SqlProvisioningStore(ctx),
    mfa: new SqlMfaStore(ctx),
  };
};
