// Custom SAML applications and their assignments over SQL (docs/saml-applications.md). Nested parts of a record
// (endpoints, certificates, mappings, the external AWS account) are JSON text that comes back
// exactly as given; the metadata source is flattened into columns so the refresher can find what is
// due with an index.
//
// Entity ids are unique through `entity_key` (see entityKey below): AWS uses one SP entity id,
// `urn:amazon:webservices`, for every account, so external AWS account apps are keyed by entity id
// and account id, and getByEntityId never returns them (AWS sign-in is IdP-initiated only: no
// AuthnRequest ever names them).

import type { Kysely, Updateable } from 'kysely';
import { ConflictError, NotFoundError } from '../../model/errors.ts';
import type {
  Application,
  ApplicationAssignment,
  ApplicationMetadataTrust,
  AttributeMapping,
  ExternalAwsAccount,
  NameIdSource,
  PrincipalType,
  SamlEndpoint,
} from '../../model/types.ts';
import type { OidcClientSettings } from '../../model/oidc.ts';
import type { ApplicationPatch, ApplicationStore, ListQuery, NewApplication, Page } from '../stores.ts';
import { compareKeys, nameKey, readBool, readDate, readJson, writeJson, type Codec } from './codec.ts';
import type { SqlContext } from './context.ts';
import { translated } from './errors.ts';
import { keyBeyond, keyContains } from './fragments.ts';
import { decodeToken, pageLimit, toPage } from './pagination.ts';
import type { ApplicationAssignmentRow, ApplicationRow, Schema } from './schema.ts';
import { atomically } from './transaction.ts';

/**
 * The unique key of an app's entity id: the entity id itself, except for external AWS account apps,
 * which all share AWS's entity id and are told apart by their account id, and OIDC apps, whose
 * client id is kept apart from SAML entity ids.
 */
export function entityKey(app: Pick<Application, 'kind' | 'entityId' | 'externalAwsAccount'>): string {
  if (app.kind === 'oidc') return `oidc#${app.entityId}`;
  return app.kind === 'external-aws-account' && app.externalAwsAccount
    ? `${app.entityId}#${app.externalAwsAccount.accountId}`
    : app.entityId;
}

/** An application that says nothing of its own follows the instance's metadata trust. */
const INHERITED_METADATA_TRUST: ApplicationMetadataTrust = { requireSignature: null, requireValidUntil: null, signingCertificates: [] };

const optionalDate = (v: ApplicationRow['metadata_fetched_at']): Date | null => (v === null ? null : readDate(v));
const optionalInt = (v: number | string | null): number | null => (v === null ? null : Number(v));

function readApplication(row: ApplicationRow): Application {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    kind: row.kind as Application['kind'],
    entityId: row.entity_id,
    acs: readJson<SamlEndpoint[]>(row.acs_json),
    slo: row.slo_json === null ? null : readJson<{ url: string; binding: string }>(row.slo_json),
    signingCertificates: readJson<string[]>(row.signing_certificates_json),
    encryptionCertificates: readJson<string[]>(row.encryption_certificates_json),
    authnRequestsSigned: readBool(row.authn_requests_signed),
    metadata: {
      source: row.metadata_source as Application['metadata']['source'],
      url: row.metadata_url,
      xml: row.metadata_xml,
      fetchedAt: optionalDate(row.metadata_fetched_at),
      validUntil: optionalDate(row.metadata_valid_until),
      cacheDurationSeconds: optionalInt(row.metadata_cache_duration_seconds),
      lastError: row.metadata_last_error,
      nextFetchAt: optionalDate(row.metadata_next_fetch_at),
    },
    metadataTrust: row.metadata_trust_json === null ? { ...INHERITED_METADATA_TRUST } : readJson<ApplicationMetadataTrust>(row.metadata_trust_json),
    nameIdFormat: row.name_id_format,
    nameIdSource: row.name_id_source as NameIdSource,
    attributeMappings: readJson<AttributeMapping[]>(row.attribute_mappings_json),
    signResponse: readBool(row.sign_response),
    signAssertion: readBool(row.sign_assertion),
    encryptAssertion: readBool(row.encrypt_assertion),
    sessionDurationSeconds: optionalInt(row.session_duration_seconds),
    defaultRelayState: row.default_relay_state,
    externalAwsAccount: row.external_aws_account_json === null ? null : readJson<ExternalAwsAccount>(row.external_aws_account_json),
    // SAML apps have no OIDC settings, and their records carry no field for them.
    ...(row.oidc_client_json === null ? {} : { oidc: readJson<OidcClientSettings>(row.oidc_client_json) }),
    createdAt: readDate(row.created_at),
    updatedAt: readDate(row.updated_at),
  };
}

function readAssignment(row: ApplicationAssignmentRow): ApplicationAssignment {
  return {
    applicationId: row.application_id,
    principalType: row.principal_type as PrincipalType,
    principalId: row.principal_id,
    roleArns: readJson<string[]>(row.role_arns_json),
    createdAt: readDate(row.created_at),
  };
}

const writeDate = (codec: Codec, d: Date | null) => (d === null ? null : codec.date(d));

/** The columns a patch sets (only the fields it names), entity_key aside. */
function patchColumns(codec: Codec, patch: ApplicationPatch): Updateable<ApplicationRow> {
  const set: Updateable<ApplicationRow> = {};
  if (patch.name !== undefined) {
    set.name = patch.name;
    set.name_key = nameKey(patch.name);
  }
  if (patch.description !== undefined) set.description = patch.description;
  if (patch.kind !== undefined) set.kind = patch.kind;
  if (patch.entityId !== undefined) set.entity_id = patch.entityId;
  if (patch.acs !== undefined) set.acs_json = writeJson(patch.acs);
  if (patch.slo !== undefined) set.slo_json = patch.slo === null ? null : writeJson(patch.slo);
  if (patch.signingCertificates !== undefined) set.signing_certificates_json = writeJson(patch.signingCertificates);
  if (patch.encryptionCertificates !== undefined) set.encryption_certificates_json = writeJson(patch.encryptionCertificates);
  if (patch.authnRequestsSigned !== undefined) set.authn_requests_signed = codec.bool(patch.authnRequestsSigned);
  if (patch.metadata !== undefined) {
    const m = patch.metadata;
    set.metadata_source = m.source;
    set.metadata_url = m.url;
    set.metadata_xml = m.xml;
    set.metadata_fetched_at = writeDate(codec, m.fetchedAt);
    set.metadata_valid_until = writeDate(codec, m.validUntil);
    set.metadata_cache_duration_seconds = m.cacheDurationSeconds;
    set.metadata_last_error = m.lastError;
    set.metadata_next_fetch_at = writeDate(codec, m.nextFetchAt);
  }
  if (patch.metadataTrust !== undefined) set.metadata_trust_json = writeJson(patch.metadataTrust);
  if (patch.nameIdFormat !== undefined) set.name_id_format = patch.nameIdFormat;
  if (patch.nameIdSource !== undefined) set.name_id_source = patch.nameIdSource;
  if (patch.attributeMappings !== undefined) set.attribute_mappings_json = writeJson(patch.attributeMappings);
  if (patch.signResponse !== undefined) set.sign_response = codec.bool(patch.signResponse);
  if (patch.signAssertion !== undefined) set.sign_assertion = codec.bool(patch.signAssertion);
  if (patch.encryptAssertion !== undefined) set.encrypt_assertion = codec.bool(patch.encryptAssertion);
  if (patch.sessionDurationSeconds !== undefined) set.session_duration_seconds = patch.sessionDurationSeconds;
  if (patch.defaultRelayState !== undefined) set.default_relay_state = patch.defaultRelayState;
  if (patch.externalAwsAccount !== undefined) {
    set.external_aws_account_json = patch.externalAwsAccount === null ? null : writeJson(patch.externalAwsAccount);
  }
  if (patch.oidc !== undefined) set.oidc_client_json = patch.oidc === null ? null : writeJson(patch.oidc);
  return set;
}

const entityConflict = (entityId: string) => new ConflictError(`An application with entity id ${JSON.stringify(entityId)} already exists`);

/** A user in more groups than this is asked about in several queries (bound-parameter limits). */
const GROUP_SLICE = 1000;

/** The assignments of one user and some of their groups, read from the principal index. */
export function applicationsForQuery(db: Kysely<Schema>, userId: string | null, groupIds: string[]) {
  return db
    .selectFrom('application_assignments')
    .select(['application_id', 'role_arns_json'])
    .where((eb) => {
      const clauses = [];
      if (userId !== null) clauses.push(eb.and([eb('principal_type', '=', 'USER'), eb('principal_id', '=', userId)]));
      if (groupIds.length > 0) clauses.push(eb.and([eb('principal_type', '=', 'GROUP'), eb('principal_id', 'in', groupIds)]));
      return eb.or(clauses);
    });
}

export class SqlApplicationStore implements ApplicationStore {
  constructor(private readonly ctx: SqlContext) {}

  async create(app: NewApplication): Promise<Application> {
    const { codec } = this.ctx;
    const now = codec.date(new Date());
    const row: ApplicationRow = {
      id: app.id,
      name: app.name,
      name_key: nameKey(app.name),
      description: app.description,
      kind: app.kind,
      entity_id: app.entityId,
      entity_key: entityKey(app),
      acs_json: writeJson(app.acs),
      slo_json: app.slo === null ? null : writeJson(app.slo),
      signing_certificates_json: writeJson(app.signingCertificates),
      encryption_certificates_json: writeJson(app.encryptionCertificates),
      authn_requests_signed: codec.bool(app.authnRequestsSigned),
      metadata_source: app.metadata.source,
      metadata_url: app.metadata.url,
      metadata_xml: app.metadata.xml,
      metadata_fetched_at: writeDate(codec, app.metadata.fetchedAt),
      metadata_valid_until: writeDate(codec, app.metadata.validUntil),
      metadata_cache_duration_seconds: app.metadata.cacheDurationSeconds,
      metadata_last_error: app.metadata.lastError,
      metadata_next_fetch_at: writeDate(codec, app.metadata.nextFetchAt),
      metadata_trust_json: writeJson(app.metadataTrust),
      name_id_format: app.nameIdFormat,
      name_id_source: app.nameIdSource,
      attribute_mappings_json: writeJson(app.attributeMappings),
      sign_response: codec.bool(app.signResponse),
      sign_assertion: codec.bool(app.signAssertion),
      encrypt_assertion: codec.bool(app.encryptAssertion),
      session_duration_seconds: app.sessionDurationSeconds,
      default_relay_state: app.defaultRelayState,
      external_aws_account_json: app.externalAwsAccount === null ? null : writeJson(app.externalAwsAccount),
      oidc_client_json: app.oidc ? writeJson(app.oidc) : null,
      created_at: now,
      updated_at: now,
    };
    await translated(() => this.ctx.db.insertInto('applications').values(row).execute(), {
      unique: (columns) =>
        columns.includes('entity_key')
          ? app.kind === 'external-aws-account'
            ? new ConflictError(`External AWS account ${app.externalAwsAccount?.accountId ?? ''} is already set up as an application`)
            : entityConflict(app.entityId)
          : new ConflictError(`Application ${JSON.stringify(app.id)} already exists`),
    });
    return readApplication(row);
  }

  async get(id: string): Promise<Application | null> {
    const row = await translated(() => this.ctx.db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst());
    return row ? readApplication(row) : null;
  }

  /** The custom app with this entity id (external AWS account apps are keyed apart; see entityKey). */
  async getByEntityId(entityId: string): Promise<Application | null> {
    const row = await translated(() =>
      this.ctx.db.selectFrom('applications').selectAll().where('entity_key', '=', entityId).where('kind', '=', 'custom').executeTakeFirst(),
    );
    return row ? readApplication(row) : null;
  }

  async list(query: ListQuery = {}): Promise<Page<Application>> {
    const limit = pageLimit(query.limit);
    let q = this.ctx.db.selectFrom('applications').selectAll();
    if (query.nameContains) q = q.where(keyContains('name_key', query.nameContains));
    if (query.nextToken) q = q.where(keyBeyond(['name_key', 'id'], decodeToken(query.nextToken, ['string', 'string']), '>'));
    const rows = await translated(() => q.orderBy('name_key').orderBy('id').limit(limit + 1).execute());
    return toPage(rows, limit, (r) => [r.name_key, r.id], readApplication);
  }

  async update(id: string, patch: ApplicationPatch): Promise<Application> {
    const { codec } = this.ctx;
    const set = patchColumns(codec, patch);
    set.updated_at = codec.date(new Date());
    const touchesKey = patch.kind !== undefined || patch.entityId !== undefined || patch.externalAwsAccount !== undefined;
    const row = await translated(
      () =>
        atomically(this.ctx, async (trx) => {
          if (touchesKey) {
            // The key depends on three fields; read the others as they are now, in the same transaction.
            const current = await trx.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst();
            if (!current) return undefined;
            const merged = { ...readApplication(current), ...patch };
            set.entity_key = entityKey(merged);
          }
          return trx.updateTable('applications').set(set).where('id', '=', id).returningAll().executeTakeFirst();
        }),
      { unique: () => entityConflict(patch.entityId ?? '') },
    );
    if (!row) throw new NotFoundError('application', id);
    return readApplication(row);
  }

  async delete(id: string): Promise<void> {
    // The foreign key cascades too; deleting explicitly keeps that true whatever the pragma says.
    const deleted = await translated(() =>
      atomically(this.ctx, async (trx) => {
        await trx.deleteFrom('application_assignments').where('application_id', '=', id).execute();
        return Number((await trx.deleteFrom('applications').where('id', '=', id).executeTakeFirst()).numDeletedRows);
      }),
    );
    if (deleted === 0) throw new NotFoundError('application', id);
  }

  async assign(assignment: Omit<ApplicationAssignment, 'createdAt'>): Promise<ApplicationAssignment> {
    const roleArns = [...new Set(assignment.roleArns)];
    const row: ApplicationAssignmentRow = {
      application_id: assignment.applicationId,
      principal_type: assignment.principalType,
      principal_id: assignment.principalId,
      role_arns_json: writeJson(roleArns),
      created_at: this.ctx.codec.date(new Date()),
    };
    const stored = await translated(
      () =>
        this.ctx.db
          .insertInto('application_assignments')
          .values(row)
          // Replacing keeps the first createdAt: the principal has been assigned since then.
          .onConflict((oc) => oc.columns(['application_id', 'principal_type', 'principal_id']).doUpdateSet({ role_arns_json: row.role_arns_json }))
          .returningAll()
          .executeTakeFirstOrThrow(),
      { foreignKey: () => new NotFoundError('application', assignment.applicationId) },
    );
    return readAssignment(stored);
  }

  async unassign(applicationId: string, principalType: PrincipalType, principalId: string): Promise<void> {
    const result = await translated(() =>
      this.ctx.db
        .deleteFrom('application_assignments')
        .where('application_id', '=', applicationId)
        .where('principal_type', '=', principalType)
        .where('principal_id', '=', principalId)
        .executeTakeFirst(),
    );
    if (Number(result.numDeletedRows) === 0) {
      throw new NotFoundError('application assignment', `${applicationId}/${principalType}/${principalId}`);
    }
  }

  async listAssignments(applicationId: string, query: Omit<ListQuery, 'nameContains'> = {}): Promise<Page<ApplicationAssignment>> {
    const limit = pageLimit(query.limit);
    let q = this.ctx.db.selectFrom('application_assignments').selectAll().where('application_id', '=', applicationId);
    if (query.nextToken) {
      q = q.where(keyBeyond(['principal_type', 'principal_id'], decodeToken(query.nextToken, ['string', 'string']), '>'));
    }
    const rows = await translated(() => q.orderBy('principal_type').orderBy('principal_id').limit(limit + 1).execute());
    return toPage(rows, limit, (r) => [r.principal_type, r.principal_id], readAssignment);
  }

  async deleteAssignmentsForPrincipal(principalType: PrincipalType, principalId: string): Promise<number> {
    const result = await translated(() =>
      this.ctx.db
        .deleteFrom('application_assignments')
        .where('principal_type', '=', principalType)
        .where('principal_id', '=', principalId)
        .executeTakeFirst(),
    );
    return Number(result.numDeletedRows);
  }

  /** Sorted by application id; role ARNs unioned over the user's own and their groups' assignments, sorted. */
  async applicationsFor(userId: string, groupIds: string[]): Promise<{ applicationId: string; roleArns: string[] }[]> {
    const groups = [...new Set(groupIds)];
    const reached = new Map<string, Set<string>>();
    for (let i = 0; i === 0 || i < groups.length; i += GROUP_SLICE) {
      const rows = await translated(() => applicationsForQuery(this.ctx.db, i === 0 ? userId : null, groups.slice(i, i + GROUP_SLICE)).execute());
      for (const row of rows) {
        let arns = reached.get(row.application_id);
        if (!arns) reached.set(row.application_id, (arns = new Set()));
        for (const arn of readJson<string[]>(row.role_arns_json)) arns.add(arn);
      }
    }
    return [...reached.keys()].sort(compareKeys).map((applicationId) => ({
      applicationId,
      roleArns: [...reached.get(applicationId)!].sort(compareKeys),
    }));
  }

  /** Oldest due first, so a backlog is worked off in order. */
  async dueForMetadataRefresh(now: Date, limit: number): Promise<Application[]> {
    const rows = await translated(() =>
      this.ctx.db
        .selectFrom('applications')
        .selectAll()
        .where('metadata_source', '=', 'url')
        .where('metadata_next_fetch_at', '<=', this.ctx.codec.date(now))
        .orderBy('metadata_next_fetch_at')
        .orderBy('id')
        .limit(Math.max(1, Math.floor(limit)))
        .execute(),
    );
    return rows.map(readApplication);
  }
}
