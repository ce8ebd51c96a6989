// Row shapes of the SQL tables, as Kysely sees them. Column names are snake_case; the stores map
// rows to the camelCase records of model/types.ts. Dates are `timestamptz` on PostgreSQL and epoch
// milliseconds on SQLite; booleans are native on PostgreSQL and 0/1 on SQLite; JSON fields are text
// on both (jsonb would reorder keys, and the contract wants them back exactly as given).

import type { Generated } from 'kysely';

/** A timestamp as the driver hands it over: a Date from pg, epoch milliseconds from SQLite. */
export type DbDate = Date | number;
/** A boolean as the driver hands it over: boolean from pg, 0/1 from SQLite. */
export type DbBool = boolean | number;
/** pg returns bigint columns as strings. */
export type DbBigint = number | string;

export interface UserRow {
  id: string;
  user_name: string;
  /** userName lower-cased: the unique key that makes userName unique case-insensitively. */
  user_name_key: string;
  display_name: string;
  display_name_key: string;
  name_json: string;
  emails_json: string;
  attributes_json: string;
  enabled: DbBool;
  is_admin: DbBool;
  source: string;
  external_id: string | null;
  created_at: DbDate;
  updated_at: DbDate;
}

export interface GroupRow {
  id: string;
  display_name: string;
  display_name_key: string;
  description: string;
  source: string;
  external_id: string | null;
  created_at: DbDate;
  updated_at: DbDate;
}

export interface GroupMemberRow {
  group_id: string;
  user_id: string;
  created_at: DbDate;
}

export interface UserPasswordRow {
  user_id: string;
  hash: string;
  updated_at: DbDate;
}

export interface AccountRow {
  account_id: string;
  name: string;
  name_key: string;
  email: string;
  kind: string;
  saml_provider_name: string;
  sign_in_endpoint: string;
  created_at: DbDate;
  updated_at: DbDate;
}

export interface PermissionSetRow {
  id: string;
  arn: string;
  name: string;
  name_key: string;
  description: string | null;
  session_duration: string;
  relay_state: string | null;
  managed_policies_json: string;
  customer_managed_policies_json: string;
  inline_policy: string | null;
  permissions_boundary_json: string | null;
  tags_json: string;
  version: number;
  created_at: DbDate;
  updated_at: DbDate;
}

export interface AssignmentRow {
  account_id: string;
  permission_set_id: string;
  principal_type: string;
  principal_id: string;
  created_at: DbDate;
}

export interface AuditEventRow {
  /** Insertion order, to break ties between events of the same millisecond (newest first). */
  seq: Generated<DbBigint>;
  id: string;
  at: DbDate;
  actor: string;
  action: string;
  target: string;
  detail_json: string;
  actor_name: string | null;
  address: string | null;
  outcome: string;
}

export interface ApiTokenRow {
  hash: string;
  /** Null only for a token issued before ids existed and not yet backfilled (the migration fills them). */
  id: string | null;
  role: string;
  user_id: string;
  created_at: DbDate;
  expires_at: DbDate;
}

export interface InstanceRow {
  /** Always 1: the primary key that makes the instance a singleton. */
  singleton: number;
  id: string;
  arn: string;
  management_account_id: string | null;
  session_duration_minutes: number;
  access_control_attributes_json: string;
  /** MetadataTrust as JSON; null: nothing required. */
  metadata_trust_json: string | null;
  /** MfaPolicy as JSON; null: MFA off (an instance from before MFA existed). */
  mfa_policy_json: string | null;
  created_at: DbDate;
  updated_at: DbDate;
}

export interface MfaDeviceRow {
  id: string;
  user_id: string;
  kind: string;
  name: string;
  secret_sealed: string;
  /** A bigint: node-postgres reads it as a string. */
  last_step: number | string | null;
  created_at: DbDate;
  last_used_at: DbDate | null;
}

export interface MfaRecoveryCodeRow {
  user_id: string;
  code_sha256: string;
  used_at: DbDate | null;
}

export interface SettingRow {
  name: string;
  value_json: string;
  updated_at: DbDate;
}

export interface ApplicationRow {
  id: string;
  name: string;
  name_key: string;
  description: string;
  kind: string;
  entity_id: string;
  /** Unique: entity_id for custom apps, entity_id#accountId for external AWS accounts (they share AWS's entity id). */
  entity_key: string;
  acs_json: string;
  slo_json: string | null;
  signing_certificates_json: string;
  encryption_certificates_json: string;
  authn_requests_signed: DbBool;
  metadata_source: string;
  metadata_url: string | null;
  metadata_xml: string | null;
  metadata_fetched_at: DbDate | null;
  metadata_valid_until: DbDate | null;
  metadata_cache_duration_seconds: number | null;
  metadata_last_error: string | null;
  metadata_next_fetch_at: DbDate | null;
  name_id_format: string;
  name_id_source: string;
  attribute_mappings_json: string;
  sign_response: DbBool;
  sign_assertion: DbBool;
  encrypt_assertion: DbBool;
  session_duration_seconds: number | null;
  default_relay_state: string | null;
  external_aws_account_json: string | null;
  /** ApplicationMetadataTrust as JSON; null: follow the instance. */
  metadata_trust_json: string | null;
  /** OidcClientSettings as JSON (kind 'oidc'); null for SAML apps. */
  oidc_client_json: string | null;
  created_at: DbDate;
  updated_at: DbDate;
}

export interface ApplicationAssignmentRow {
  application_id: string;
  principal_type: string;
  principal_id: string;
  role_arns_json: string;
  created_at: DbDate;
}

export interface SigningKeyRow {
  id: string;
  status: string;
  origin: string;
  certificate_pem: string;
  fingerprint_sha256: string;
  private_key_sealed: string | null;
  created_at: DbDate;
  promoted_at: DbDate | null;
  retired_at: DbDate | null;
}

export interface AdminRoleGrantRow {
  principal_type: string;
  principal_id: string;
  role: string;
  granted_at: DbDate;
  granted_by: string;
}

export interface DelegatedAdminAccountRow {
  /** Always 1: at most one delegated administrator account. */
  singleton: number;
  account_id: string;
  registered_at: DbDate;
  registered_by: string;
}

export interface Schema {
  directory_users: UserRow;
  directory_groups: GroupRow;
  group_members: GroupMemberRow;
  user_passwords: UserPasswordRow;
  accounts: AccountRow;
  permission_sets: PermissionSetRow;
  account_assignments: AssignmentRow;
  audit_events: AuditEventRow;
  api_tokens: ApiTokenRow;
  instance: InstanceRow;
  settings: SettingRow;
  applications: ApplicationRow;
  application_assignments: ApplicationAssignmentRow;
  signing_keys: SigningKeyRow;
  admin_role_grants: AdminRoleGrantRow;
  delegated_admin_account: DelegatedAdminAccountRow;
  provisioning_jobs: ProvisioningJobRow;
  provisioned_roles: ProvisionedRoleRow;
  provisioned_providers: ProvisionedProviderRow;
  organization_accounts: OrganizationAccountRow;
  ou_assignments: OuAssignmentRow;
  ou_assignment_members: OuAssignmentMemberRow;
  mfa_devices: MfaDeviceRow;
  mfa_recovery_codes: MfaRecoveryCodeRow;
}

export interface OuAssignmentRow {
  id: string;
  ou_path: string;
  permission_set_id: string;
  principal_type: string;
  principal_id: string;
  created_at: DbDate;
}

export interface OuAssignmentMemberRow {
  ou_assignment_id: string;
  account_id: string;
}

export interface OrganizationAccountRow {
  account_id: string;
  ou_path: string;
  status: string;
  imported_at: DbDate;
}

export interface ProvisioningJobRow {
  id: string;
  account_id: string;
  permission_set_id: string | null;
  trigger: string;
  status: string;
  failure_reason: string | null;
  created_at: DbDate;
  updated_at: DbDate;
  lease_expires_at: DbDate | null;
}

export interface ProvisionedRoleRow {
  account_id: string;
  permission_set_id: string;
  role_name: string;
  role_arn: string;
  version: DbBigint;
  provisioned_at: DbDate;
}

export interface ProvisionedProviderRow {
  account_id: string;
  name: string;
  arn: string;
  metadata_sha256: string;
  provisioned_at: DbDate;
}
