// The schema, as one ordered list of migrations shared by SQLite and PostgreSQL. Append new
// migrations at the end; never edit one that has shipped. Where the dialects differ (dates, the
// audit sequence, byte-wise collation of keys) a migration asks `types` rather than branching.

import { sql, type Kysely } from 'kysely';
import type { SqlDialect } from './codec.ts';

export interface ColumnTypes {
  /** Text compared byte by byte on both backends, so keys sort identically everywhere. */
  key: ReturnType<typeof sql>;
  /** timestamptz on PostgreSQL, epoch milliseconds on SQLite. */
  date: 'timestamptz' | 'integer';
}

/**
 * Migrations see the database untyped: they must keep working as written when the row types in
 * schema.ts move on.
 */
export type UntypedDb = Kysely<Record<string, Record<string, unknown>>>;

export interface Migration {
  name: string;
  up(db: UntypedDb, dialect: SqlDialect, types: ColumnTypes): Promise<void>;
}

export function columnTypes(dialect: SqlDialect): ColumnTypes {
  return dialect === 'postgres' ? { key: sql`text collate "C"`, date: 'timestamptz' } : { key: sql`text`, date: 'integer' };
}

const initial: Migration = {
  name: '0001_initial',
  async up(db, dialect, t) {
    // Built-in directory (and the shadow records of LDAP users and groups).
    await db.schema
      .createTable('directory_users')
      .addColumn('id', t.key, (c) => c.primaryKey())
      .addColumn('user_name', 'text', (c) => c.notNull())
      .addColumn('user_name_key', t.key, (c) => c.notNull().unique())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('display_name_key', t.key, (c) => c.notNull())
      .addColumn('name_json', 'text', (c) => c.notNull())
      .addColumn('emails_json', 'text', (c) => c.notNull())
      .addColumn('attributes_json', 'text', (c) => c.notNull())
      .addColumn('enabled', 'boolean', (c) => c.notNull())
      .addColumn('is_admin', 'boolean', (c) => c.notNull())
      .addColumn('source', t.key, (c) => c.notNull())
      .addColumn('external_id', t.key)
      .addColumn('created_at', t.date, (c) => c.notNull())
      .addColumn('updated_at', t.date, (c) => c.notNull())
      .addUniqueConstraint('directory_users_external_id_unique', ['source', 'external_id'])
      .execute();

    await db.schema
      .createTable('directory_groups')
      .addColumn('id', t.key, (c) => c.primaryKey())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('display_name_key', t.key, (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('source', t.key, (c) => c.notNull())
      .addColumn('external_id', t.key)
      .addColumn('created_at', t.date, (c) => c.notNull())
      .addColumn('updated_at', t.date, (c) => c.notNull())
      .addUniqueConstraint('directory_groups_external_id_unique', ['source', 'external_id'])
      .execute();
    await db.schema.createIndex('directory_groups_by_name').on('directory_groups').columns(['display_name_key', 'id']).execute();

    await db.schema
      .createTable('group_members')
      .addColumn('group_id', t.key, (c) => c.notNull())
      .addColumn('user_id', t.key, (c) => c.notNull())
      .addColumn('created_at', t.date, (c) => c.notNull())
      .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
      .addForeignKeyConstraint('group_members_group_fk', ['group_id'], 'directory_groups', ['id'], (fk) => fk.onDelete('cascade'))
      .addForeignKeyConstraint('group_members_user_fk', ['user_id'], 'directory_users', ['id'], (fk) => fk.onDelete('cascade'))
      .execute();
    // groupIdsOfUser, and the cascade when a user is deleted.
    await db.schema.createIndex('group_members_by_user').on('group_members').columns(['user_id', 'group_id']).execute();

    await db.schema
      .createTable('user_passwords')
      .addColumn('user_id', t.key, (c) => c.primaryKey().references('directory_users.id').onDelete('cascade'))
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('updated_at', t.date, (c) => c.notNull())
      .execute();

    // The organization.
    await db.schema
      .createTable('accounts')
      .addColumn('account_id', t.key, (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_key', t.key, (c) => c.notNull())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('saml_provider_name', 'text', (c) => c.notNull())
      .addColumn('sign_in_endpoint', 'text', (c) => c.notNull())
      .addColumn('created_at', t.date, (c) => c.notNull())
      .addColumn('updated_at', t.date, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('accounts_by_name').on('accounts').columns(['name_key', 'account_id']).execute();

    await db.schema
      .createTable('permission_sets')
      .addColumn('id', t.key, (c) => c.primaryKey())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      // Unique case-insensitively: each name becomes an IAM role name in every assigned account,
      // and IAM role names are unique regardless of case.
      .addColumn('name_key', t.key, (c) => c.notNull().unique())
      .addColumn('description', 'text')
      .addColumn('session_duration', 'text', (c) => c.notNull())
      .addColumn('relay_state', 'text')
      .addColumn('managed_policies_json', 'text', (c) => c.notNull())
      .addColumn('customer_managed_policies_json', 'text', (c) => c.notNull())
      .addColumn('inline_policy', 'text')
      .addColumn('permissions_boundary_json', 'text')
      .addColumn('tags_json', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_at', t.date, (c) => c.notNull())
      .addColumn('updated_at', t.date, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('permission_sets_by_name').on('permission_sets').columns(['name_key', 'id']).execute();

    // No ON DELETE here: deleting an account or permission set that still has assignments is
    // refused by the database itself (the stores cascade explicitly when asked to).
    await db.schema
      .createTable('account_assignments')
      .addColumn('account_id', t.key, (c) => c.notNull())
      .addColumn('permission_set_id', t.key, (c) => c.notNull())
      .addColumn('principal_type', t.key, (c) => c.notNull())
      .addColumn('principal_id', t.key, (c) => c.notNull())
      .addColumn('created_at', t.date, (c) => c.notNull())
      .addPrimaryKeyConstraint('account_assignments_pk', ['account_id', 'permission_set_id', 'principal_type', 'principal_id'])
      .addForeignKeyConstraint('account_assignments_account_fk', ['account_id'], 'accounts', ['account_id'])
      .addForeignKeyConstraint('account_assignments_permission_set_fk', ['permission_set_id'], 'permission_sets', ['id'])
      .execute();
    // The entitlements index (DESIGN.md "Core model"): a user's and their groups' assignments are
    // a few index ranges, and the index covers every column the query reads.
    await db.schema
      .createIndex('account_assignments_by_principal')
      .on('account_assignments')
      .columns(['principal_type', 'principal_id', 'account_id', 'permission_set_id'])
      .execute();
    await db.schema.createIndex('account_assignments_by_permission_set').on('account_assignments').columns(['permission_set_id']).execute();

    // Audit log, newest first by (at, seq).
    await db.schema
      .createTable('audit_events')
      .addColumn('seq', dialect === 'postgres' ? 'bigint' : 'integer', (c) =>
        dialect === 'postgres' ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement(),
      )
      .addColumn('id', t.key, (c) => c.notNull().unique())
      .addColumn('at', t.date, (c) => c.notNull())
      .addColumn('actor', t.key, (c) => c.notNull())
      .addColumn('action', t.key, (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('detail_json', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_events_by_time').on('audit_events').columns(['at', 'seq']).execute();
    await db.schema.createIndex('audit_events_by_actor').on('audit_events').columns(['actor', 'at', 'seq']).execute();
    await db.schema.createIndex('audit_events_by_action').on('audit_events').columns(['action', 'at', 'seq']).execute();

    await db.schema
      .createTable('api_tokens')
      .addColumn('hash', t.key, (c) => c.primaryKey())
      .addColumn('user_id', t.key, (c) => c.notNull().references('directory_users.id').onDelete('cascade'))
      .addColumn('created_at', t.date, (c) => c.notNull())
      .addColumn('expires_at', t.date, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('api_tokens_by_user').on('api_tokens').columns(['user_id']).execute();

    await db.schema
      .createTable('instance')
      .addColumn('singleton', 'integer', (c) => c.primaryKey().check(sql`singleton = 1`))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('management_account_id', 'text')
      .addColumn('session_duration_minutes', 'integer', (c) => c.notNull())
      .addColumn('access_control_attributes_json', 'text', (c) => c.notNull())
      .addColumn('created_at', t.date, (c) => c.notNull())
      .addColumn('updated_at', t.date, (c) => c.notNull())
      .execute();
  },
};

const settings: Migration = {
  name: '0002_settings',
  async up(db, _dialect, t) {
    // Named documents of configuration made through the admin API (the identity source, ...).
    await db.schema
      .createTable('settings')
      .addColumn('name', t.key, (c) => c.primaryKey())
      .addColumn('value_json', 'text', (c) => c.notNull())
      .addColumn('updated_at', t.date, (c) => c.notNull())
      .execute();
  },
};

const applications: Migration = {
  name: '0003_applications',
  async up(db, _dialect, t) {
    // Custom SAML 2.0 applications (docs/saml-applications.md). Nested parts of the record are JSON text, like the
    // permission sets' policies. `entity_key` is what makes entity ids unique: the entity id itself
    // for custom apps; for external AWS accounts, which all share AWS's SP entity id
    // `urn:amazon:webservices`, that id + '#' + the account id (one app per external account).
    await db.schema
      .createTable('applications')
      .addColumn('id', t.key, (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_key', t.key, (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('kind', t.key, (c) => c.notNull())
      .addColumn('entity_id', 'text', (c) => c.notNull())
      .addColumn('entity_key', t.key, (c) => c.notNull().unique())
      .addColumn('acs_json', 'text', (c) => c.notNull())
      .addColumn('slo_json', 'text')
      .addColumn('signing_certificates_json', 'text', (c) => c.notNull())
      .addColumn('encryption_certificates_json', 'text', (c) => c.notNull())
      .addColumn('authn_requests_signed', 'boolean', (c) => c.notNull())
      .addColumn('metadata_source', t.key, (c) => c.notNull())
      .addColumn('metadata_url', 'text')
      .addColumn('metadata_xml', 'text')
      .addColumn('metadata_fetched_at', t.date)
      .addColumn('metadata_valid_until', t.date)
      .addColumn('metadata_cache_duration_seconds', 'integer')
      .addColumn('metadata_last_error', 'text')
      .addColumn('metadata_next_fetch_at', t.date)
      .addColumn('name_id_format', 'text', (c) => c.notNull())
      .addColumn('name_id_source', 'text', (c) => c.notNull())
      .addColumn('attribute_mappings_json', 'text', (c) => c.notNull())
      .addColumn('sign_response', 'boolean', (c) => c.notNull())
      .addColumn('sign_assertion', 'boolean', (c) => c.notNull())
      .addColumn('encrypt_assertion', 'boolean', (c) => c.notNull())
      .addColumn('session_duration_seconds', 'integer')
      .addColumn('default_relay_state', 'text')
      .addColumn('external_aws_account_json', 'text')
      .addColumn('created_at', t.date, (c) => c.notNull())
      .addColumn('updated_at', t.date, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('applications_by_name').on('applications').columns(['name_key', 'id']).execute();
    // The metadata refresher's "what is due" query.
    await db.schema
      .createIndex('applications_by_next_fetch')
      .on('applications')
      .columns(['metadata_source', 'metadata_next_fetch_at', 'id'])
      .execute();

    await db.schema
      .createTable('application_assignments')
      .addColumn('application_id', t.key, (c) => c.notNull())
      .addColumn('principal_type', t.key, (c) => c.notNull())
      .addColumn('principal_id', t.key, (c) => c.notNull())
      .addColumn('role_arns_json', 'text', (c) => c.notNull())
      .addColumn('created_at', t.date, (c) => c.notNull())
      .addPrimaryKeyConstraint('application_assignments_pk', ['application_id', 'principal_type', 'principal_id'])
      .addForeignKeyConstraint('application_assignments_application_fk', ['application_id'], 'applications', ['id'], (fk) =>
        fk.onDelete('cascade'),
      )
      .execute();
    // applicationsFor: like the entitlements index, a few ranges per user that cover what is read.
    await db.schema
      .createIndex('application_assignments_by_principal')
      .on('application_assignments')
      .columns(['principal_type', 'principal_id', 'application_id'])
      .execute();
  },
};

const metadataTrust: Migration = {
  name: '0004_metadata_trust',
  async up(db) {
    // What SP metadata must satisfy (signed by a configured certificate, validUntil present), as
    // JSON: the instance's defaults and each application's own. NULL: nothing required (as before).
    await db.schema.alterTable('instance').addColumn('metadata_trust_json', 'text').execute();
    await db.schema.alterTable('applications').addColumn('metadata_trust_json', 'text').execute();
  },
};

const signingKeys: Migration = {
  name: '0005_signing_keys',
  async up(db, _dialect, t) {
    // SAML signing keys and their rollover (docs/operations.md "Signing key rollover"). The
    // partial unique index keeps one next, one current and one previous key however many nodes
    // act at once; retired rows stay (without their private key) so a retired certificate is
    // never imported again.
    await db.schema
      .createTable('signing_keys')
      .addColumn('id', t.key, (c) => c.primaryKey())
      .addColumn('status', t.key, (c) => c.notNull())
      .addColumn('origin', t.key, (c) => c.notNull())
      .addColumn('certificate_pem', 'text', (c) => c.notNull())
      .addColumn('fingerprint_sha256', t.key, (c) => c.notNull().unique())
      .addColumn('private_key_sealed', 'text')
      .addColumn('created_at', t.date, (c) => c.notNull())
      .addColumn('promoted_at', t.date)
      .addColumn('retired_at', t.date)
      .execute();
    await sql`create unique index signing_keys_one_per_status on signing_keys (status) where status <> 'retired'`.execute(db);
  },
};

const adminRolesAndAudit: Migration = {
  name: '0006_admin_roles_and_audit',
  async up(db, _dialect, t) {
    // Admin roles given to groups, and the delegated-administrator role given to users; a user's
    // direct `administrator` role stays the directory_users.is_admin flag (docs/admin-api.md).
    await db.schema
      .createTable('admin_role_grants')
      .addColumn('principal_type', t.key, (c) => c.notNull())
      .addColumn('principal_id', t.key, (c) => c.notNull())
      .addColumn('role', t.key, (c) => c.notNull())
      .addColumn('granted_at', t.date, (c) => c.notNull())
      .addColumn('granted_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('admin_role_grants_pk', ['principal_type', 'principal_id'])
      .execute();
    // The delegated administrator account: at most one row. Deleting the account deregisters it.
    await db.schema
      .createTable('delegated_admin_account')
      .addColumn('singleton', 'integer', (c) => c.primaryKey().check(sql`singleton = 1`))
      .addColumn('account_id', t.key, (c) => c.notNull().references('accounts.account_id').onDelete('cascade'))
      .addColumn('registered_at', t.date, (c) => c.notNull())
      .addColumn('registered_by', 'text', (c) => c.notNull())
      .execute();
    // API tokens get a public id (to list and revoke them) and the role their creator held.
    await db.schema.alterTable('api_tokens').addColumn('id', t.key).execute();
    await db.schema.alterTable('api_tokens').addColumn('role', t.key, (c) => c.notNull().defaultTo('administrator')).execute();
    await sql`update api_tokens set id = 'tok-' || substr(hash, 1, 16) where id is null`.execute(db);
    await db.schema.createIndex('api_tokens_by_id').on('api_tokens').column('id').unique().execute();
    // Who acted by name, from where, and how it ended; and lookups by the object acted on.
    await db.schema.alterTable('audit_events').addColumn('actor_name', 'text').execute();
    await db.schema.alterTable('audit_events').addColumn('address', 'text').execute();
    await db.schema.alterTable('audit_events').addColumn('outcome', t.key, (c) => c.notNull().defaultTo('success')).execute();
    await db.schema.createIndex('audit_events_by_target').on('audit_events').columns(['target', 'at', 'seq']).execute();
  },
};

const provisioning: Migration = {
  name: '0007_provisioning',
  async up(db, _dialect, t) {
    // Provisioning (docs/provisioning.md): jobs, and what the last successful job left in each
    // account. The partial unique index allows one IN_PROGRESS job per account, whatever nodes
    // start one at the same moment: the second insert is a conflict.
    await db.schema
      .createTable('provisioning_jobs')
      .addColumn('id', t.key, (c) => c.primaryKey())
      .addColumn('account_id', t.key, (c) => c.notNull())
      .addColumn('permission_set_id', t.key)
      .addColumn('trigger', 'text', (c) => c.notNull())
      .addColumn('status', t.key, (c) => c.notNull())
      .addColumn('failure_reason', 'text')
      .addColumn('created_at', t.date, (c) => c.notNull())
      .addColumn('updated_at', t.date, (c) => c.notNull())
      .addColumn('lease_expires_at', t.date)
      .execute();
    await sql`create unique index provisioning_jobs_one_running on provisioning_jobs (account_id) where status = 'IN_PROGRESS'`.execute(db);
    await db.schema.createIndex('provisioning_jobs_by_account').on('provisioning_jobs').columns(['account_id', 'created_at']).execute();
    await db.schema
      .createTable('provisioned_roles')
      .addColumn('account_id', t.key, (c) => c.notNull())
      .addColumn('permission_set_id', t.key, (c) => c.notNull())
      .addColumn('role_name', 'text', (c) => c.notNull())
      .addColumn('role_arn', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('provisioned_at', t.date, (c) => c.notNull())
      .addPrimaryKeyConstraint('provisioned_roles_pk', ['account_id', 'permission_set_id'])
      .execute();
    await db.schema.createIndex('provisioned_roles_by_set').on('provisioned_roles').columns(['permission_set_id', 'account_id']).execute();
    await db.schema
      .createTable('provisioned_providers')
      .addColumn('account_id', t.key, (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('metadata_sha256', 'text', (c) => c.notNull())
      .addColumn('provisioned_at', t.date, (c) => c.notNull())
      .execute();
    // What the last import from AWS Organizations said of each account: where it sits and its
    // state there. An account closed or gone from the organization is flagged, never deleted.
    await db.schema
      .createTable('organization_accounts')
      .addColumn('account_id', t.key, (c) => c.primaryKey())
      .addColumn('ou_path', 'text', (c) => c.notNull())
      .addColumn('status', t.key, (c) => c.notNull())
      .addColumn('imported_at', t.date, (c) => c.notNull())
      .execute();
    // Assignments to an OU (by path): expanded into ordinary account assignments for every
    // account in it, now and at each import; ou_assignment_members records the ones the
    // expansion made, so removing the OU assignment removes those and no other.
    await db.schema
      .createTable('ou_assignments')
      .addColumn('id', t.key, (c) => c.primaryKey())
      .addColumn('ou_path', t.key, (c) => c.notNull())
      .addColumn('permission_set_id', t.key, (c) => c.notNull())
      .addColumn('principal_type', t.key, (c) => c.notNull())
      .addColumn('principal_id', t.key, (c) => c.notNull())
      .addColumn('created_at', t.date, (c) => c.notNull())
      .addUniqueConstraint('ou_assignments_key', ['ou_path', 'permission_set_id', 'principal_type', 'principal_id'])
      .execute();
    await db.schema
      .createTable('ou_assignment_members')
      .addColumn('ou_assignment_id', t.key, (c) => c.notNull())
      .addColumn('account_id', t.key, (c) => c.notNull())
      .addPrimaryKeyConstraint('ou_assignment_members_pk', ['ou_assignment_id', 'account_id'])
      .execute();
  },
};

const mfa: Migration = {
  name: '0008_mfa',
  async up(db, _dialect, t) {
    // Second factors (docs/mfa.md). A TOTP secret is sealed under the server key; last_step is
    // the newest time step signed in with, so a code is good once (RFC 6238 §5.2). Recovery
    // codes are kept as SHA-256 only: each is random enough that no slow hash is needed.
    await db.schema
      .createTable('mfa_devices')
      .addColumn('id', t.key, (c) => c.primaryKey())
      .addColumn('user_id', t.key, (c) => c.notNull().references('directory_users.id').onDelete('cascade'))
      .addColumn('kind', t.key, (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('secret_sealed', 'text', (c) => c.notNull())
      .addColumn('last_step', 'bigint')
      .addColumn('created_at', t.date, (c) => c.notNull())
      .addColumn('last_used_at', t.date)
      .execute();
    await db.schema.createIndex('mfa_devices_by_user').on('mfa_devices').columns(['user_id', 'created_at']).execute();
    await db.schema
      .createTable('mfa_recovery_codes')
      .addColumn('user_id', t.key, (c) => c.notNull().references('directory_users.id').onDelete('cascade'))
      .addColumn('code_sha256', t.key, (c) => c.notNull())
      .addColumn('used_at', t.date)
      .addPrimaryKeyConstraint('mfa_recovery_codes_pk', ['user_id', 'code_sha256'])
      .execute();
    // Null for the instance that exists already: it keeps signing in without MFA until an
    // administrator turns it on; a new instance is created with MFA at every sign-in.
    await db.schema.alterTable('instance').addColumn('mfa_policy_json', 'text').execute();
  },
};

const oidc: Migration = {
  name: '0009_oidc',
  async up(db) {
    // OpenID Connect applications are applications of kind 'oidc' (docs/oidc-applications.md):
    // their client settings, the client secret as SHA-256 only, are one JSON column; null for SAML
    // apps. Their signing keys are a settings document (access/oidc/signing-keys.ts).
    await db.schema.alterTable('applications').addColumn('oidc_client_json', 'text').execute();
  },
};

/** Every migration, oldest first. */
export const migrations: readonly Migration[] = [initial, settings, applications, metadataTrust, signingKeys, adminRolesAndAudit, provisioning, mfa, oidc];
