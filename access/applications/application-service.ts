// Custom SAML 2.0 applications as data: made from uploaded SP metadata, a metadata URL or fields
// typed by hand, or from the external AWS account template; their per-app settings; their user
// and group assignments; and what a person reaches now (the portal's Applications tab). A refused
// input says why and stores nothing: every check runs before the first write. Every way in holds
// the SP to the same rules (metadata-intake.ts), including the names reserved for AWS sign-in and
// the metadata trust the application and the instance require (metadata-trust.ts).

import { applicationIconDocument } from './application-icons.ts';
import type { AccessEvent, AccessEventPublisher } from '../../model/access-events.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../model/errors.ts';
import { newApplicationId } from '../../model/ids.ts';
import type { Application, ApplicationAssignment, ApplicationMetadataSource, ApplicationMetadataTrust, Group, MetadataTrust, PrincipalType, User } from '../../model/types.ts';
import { parseInput } from '../../model/validate.ts';
import type { ApplicationPatch, ApplicationStore, DirectoryStore, ListQuery, NewApplication, Page, SqlStores, UnitOfWork } from '../../store/stores.ts';
import { BINDING_HTTP_POST } from '../../idp/saml/inbound/names.ts';
import {
  assignmentInputSchema,
  customCreateSchema,
  customUpdateSchema,
  externalCreateSchema,
  externalUpdateSchema,
  MANUAL_METADATA,
  SP_FIELD_NAMES,
  unassignInputSchema,
  uploadParamsSchema,
  type Settings,
} from './application-input.ts';
import { assertSettings, defaultSettings, pickSettings, settingsOf } from './application-settings.ts';
import { declaredNameIdSettings } from './declared-name-id.ts';
import { AWS_ENTITY_ID, AWS_SIGNIN_ACS, roleArnProblem } from './external-aws.ts';
import type { FetchedDocument } from './metadata-fetcher.ts';
import { describeFromFields, describeFromXml, spRecordFields, type SpDescription, type TypedSpFields } from './metadata-intake.ts';
import { fetchDescription, goodCopy, refreshApplicationMetadata, type RefreshOutcome } from './metadata-refresh.ts';
import { effectiveTrust, INHERITED_TRUST, mergedApplicationTrust } from './metadata-trust.ts';
import { beforeAfter } from '../../model/audit-diff.ts';
import { newOidcApplication, oidcPatch, rotatedSecret } from '../oidc/oidc-applications.ts';

export interface ApplicationServiceDeps {
  /** For reads; every change and its audit record go through `transaction`. */
  store: ApplicationStore;
  directory: DirectoryStore;
  transaction: SqlStores['transaction'];
  /** Gatehouse's own entity id(s): no application may claim them. */
  ownEntityIds: readonly string[];
  /** The guarded metadata fetcher (metadata-fetcher.ts) with the configured policy. */
  fetch: (url: string) => Promise<FetchedDocument>;
  /** The instance's defaults for what SP metadata must satisfy (instance settings). */
  instanceTrust: () => Promise<MetadataTrust>;
  now?: () => Date;
  /** Tells of application-assignment.changed once a change commits. */
  events: AccessEventPublisher;
}

/** An app a person reaches now, with the AWS roles they have there (external AWS accounts). */
export interface ApplicationAccess {
  application: Application;
  roleArns: string[];
}

type SpSource = { sp: SpDescription; metadata: ApplicationMetadataSource };

const fieldError = (field: string, message: string) => new ValidationError(`Invalid application: ${field}: ${message}`, [{ field, message }]);

export class ApplicationService {
  private readonly now: () => Date;

  constructor(private readonly deps: ApplicationServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** POST /applications with a JSON body: a custom app (metadataXml | metadataUrl | typed fields) or an external AWS account. */
  async create(input: unknown, actor: string): Promise<Application & { clientSecret?: string | null }> {
    const kind = (input as { kind?: unknown } | null)?.kind;
    if (kind === 'external-aws-account') return this.createExternal(input, actor);
    if (kind === 'oidc') return this.createOidc(input, actor);
    const data = parseInput(customCreateSchema, input, 'application');
    const typed = SP_FIELD_NAMES.filter((f) => data[f] !== undefined);
    const sources = [data.metadataXml !== undefined, data.metadataUrl !== undefined, typed.length > 0].filter(Boolean).length;
    if (sources !== 1) {
      throw fieldError('metadataXml', 'give exactly one of metadataXml (the SP metadata document), metadataUrl, or the SP fields (entityId, acs, ...)');
    }
    const ownTrust = data.metadataTrust ? mergedApplicationTrust(INHERITED_TRUST, data.metadataTrust, 'metadataTrust') : INHERITED_TRUST;
    const trust = effectiveTrust(ownTrust, await this.deps.instanceTrust());
    let source: SpSource;
    if (data.metadataXml !== undefined) source = this.fromDocument(data.metadataXml, 'metadataXml', trust);
    else if (data.metadataUrl !== undefined) source = await this.fromUrl(data.metadataUrl, trust);
    else source = this.fromTyped(requireTyped(data), trust, typed[0]!);
    return this.insertCustom(data.name, source, pickSettings(data), ownTrust, actor);
  }

  /** POST /applications with the metadata document itself as the body (a file upload). */
  async createFromUpload(document: string | Uint8Array, params: unknown, actor: string): Promise<Application> {
    const { name, description } = parseInput(uploadParamsSchema, params, 'query');
    const trust = effectiveTrust(INHERITED_TRUST, await this.deps.instanceTrust());
    return this.insertCustom(name, this.fromDocument(document, 'metadataXml', trust), description === undefined ? {} : { description }, INHERITED_TRUST, actor);
  }

  async get(id: string): Promise<Application> {
    const app = await this.deps.store.get(id);
    if (!app) throw new NotFoundError('application', id);
    return app;
  }

  list(query: ListQuery): Promise<Page<Application>> {
    return this.deps.store.list(query);
  }

  async update(id: string, input: unknown, actor: string): Promise<Application & { clientSecret?: string | null }> {
    const app = await this.get(id);
    if (app.kind === 'oidc') {
      const { patch, clientSecret } = oidcPatch(app, input);
      return { ...(await this.saveOidc(app, patch, Object.keys(input as object), actor)), ...(clientSecret ? { clientSecret } : {}) };
    }
    // Everything that reads input or fetches metadata happens first: a transaction holds the
    // database while it is open.
    const { patch, offeredRoles } = app.kind === 'external-aws-account' ? await this.externalPatch(app, input) : { patch: await this.customPatch(app, input), offeredRoles: null };
    return this.deps.transaction(async (tx) => {
      if (offeredRoles) {
        const pruned = await pruneWithdrawnRoles(tx, id, offeredRoles);
        this.deps.events.afterCommit(tx, ...pruned.map((a) => assignmentChanged(id, a)));
      }
      const updated = await tx.applications.update(id, patch);
      await tx.audit.append({ actor, action: 'application.update', target: `application/${id}`, detail: { fields: Object.keys(input as object), ...beforeAfter(app, updated, Object.keys(patch)) } });
      return updated;
    });
  }

  /** An OIDC application's new client secret, shown once; the old one stops working at once. */
  async rotateClientSecret(id: string, actor: string): Promise<Application & { clientSecret: string }> {
    const app = await this.get(id);
    const { patch, clientSecret } = rotatedSecret(app);
    return { ...(await this.saveOidc(app, patch, ['clientSecret'], actor)), clientSecret };
  }

  private async createOidc(input: unknown, actor: string): Promise<Application & { clientSecret: string | null }> {
    const { app, clientSecret } = newOidcApplication(input);
    const created = await this.deps.transaction(async (tx) => {
      const made = await tx.applications.create(app);
      await tx.audit.append({ actor, action: 'application.create', target: `application/${made.id}`, detail: { name: made.name, kind: 'oidc', redirectUris: made.oidc?.redirectUris } });
      return made;
    });
    return { ...created, clientSecret };
  }

  private async saveOidc(app: Application, patch: ApplicationPatch, fields: string[], actor: string): Promise<Application> {
    return this.deps.transaction(async (tx) => {
      const updated = await tx.applications.update(app.id, patch);
      // The secret's hash never goes to the audit log.
      await tx.audit.append({ actor, action: 'application.update', target: `application/${app.id}`, detail: { fields, ...beforeAfter(app, updated, Object.keys(patch).filter((k) => k !== 'oidc')) } });
      return updated;
    });
  }

  /** Its assignments and its icon go in the same transaction. */
  async delete(id: string, _cascade: boolean, actor: string): Promise<void> {
    await this.deps.transaction(async (tx) => {
      const app = await tx.applications.get(id);
      if (!app) throw new NotFoundError('application', id);
      await tx.applications.delete(id);
      await tx.settings.delete(applicationIconDocument(id));
      await tx.audit.append({ actor, action: 'application.delete', target: `application/${id}`, detail: { name: app.name, entityId: app.entityId } });
      this.deps.events.afterCommit(tx, { type: 'application-assignment.changed', applicationId: id, principal: null });
    });
  }

  /** Fetches a URL-sourced app's metadata now; the last good copy stays when that fails. */
  async refreshMetadata(id: string, actor: string): Promise<RefreshOutcome> {
    const app = await this.get(id);
    if (app.metadata.source !== 'url') {
      throw new ConflictError(`Application ${id} takes its metadata from ${app.metadata.source === 'upload' ? 'an upload' : 'typed fields'}; only metadata from a URL is refreshed`);
    }
    return refreshApplicationMetadata(app, { ...this.deps, now: this.now }, actor);
  }

  async listAssignments(id: string, query: { limit?: number; nextToken?: string }): Promise<Page<ApplicationAssignment>> {
    await this.get(id);
    return this.deps.store.listAssignments(id, query);
  }

  /** Creates or replaces the principal's assignment. External AWS accounts: roleArns required, from the app's roles. */
  async assign(id: string, input: unknown, actor: string): Promise<ApplicationAssignment> {
    const data = parseInput(assignmentInputSchema, input, 'application assignment');
    const app = await this.get(id);
    let roleArns: string[] = [];
    if (app.kind === 'external-aws-account') {
      if (!data.roleArns || data.roleArns.length === 0) throw fieldError('roleArns', 'an AWS account assignment names at least one of the application\'s roles');
      const offered = new Set(app.externalAwsAccount?.roles.map((r) => r.roleArn) ?? []);
      data.roleArns.forEach((arn, i) => {
        if (!offered.has(arn)) throw fieldError(`roleArns.${i}`, `${arn} is not one of the roles this application offers`);
      });
      roleArns = [...new Set(data.roleArns)];
    } else if (data.roleArns && data.roleArns.length > 0) {
      throw fieldError('roleArns', 'role ARNs apply only to external AWS account applications');
    }
    return this.deps.transaction(async (tx) => {
      const principal = data.principalType === 'USER' ? await tx.directory.getUser(data.principalId) : await tx.directory.getGroup(data.principalId);
      if (!principal) throw new NotFoundError(data.principalType === 'USER' ? 'user' : 'group', data.principalId);
      const assignment = await tx.applications.assign({ applicationId: id, principalType: data.principalType, principalId: data.principalId, roleArns });
      await tx.audit.append({ actor, action: 'application.assign', target: `application/${id}`, detail: { principalType: data.principalType, principalId: data.principalId, roleArns } });
      this.deps.events.afterCommit(tx, assignmentChanged(id, data));
      return assignment;
    });
  }

  async unassign(id: string, input: unknown, actor: string): Promise<void> {
    const data = parseInput(unassignInputSchema, input, 'application assignment');
    await this.get(id);
    await this.deps.transaction(async (tx) => {
      await tx.applications.unassign(id, data.principalType, data.principalId);
      await tx.audit.append({ actor, action: 'application.unassign', target: `application/${id}`, detail: { ...data } });
      this.deps.events.afterCommit(tx, assignmentChanged(id, data));
    });
  }

  /**
   * The apps `user` reaches now, directly or through `groups`, sorted by name (docs/security.md: "Only what is assigned, at that moment":
   * computed at the moment of the call). A disabled user reaches none; an AWS account app counts
   * only with at least one role the app still offers.
   */
  async forUser(user: User, groups: Group[]): Promise<ApplicationAccess[]> {
    if (!user.enabled) return [];
    const rows = await this.deps.store.applicationsFor(user.id, groups.map((g) => g.id));
    const apps = await Promise.all(rows.map((r) => this.deps.store.get(r.applicationId)));
    const result: ApplicationAccess[] = [];
    rows.forEach((row, i) => {
      const application = apps[i];
      if (!application) return;
      if (application.kind === 'external-aws-account') {
        const offered = new Set(application.externalAwsAccount?.roles.map((r) => r.roleArn) ?? []);
        const roleArns = row.roleArns.filter((arn) => offered.has(arn));
        if (roleArns.length > 0) result.push({ application, roleArns });
      } else {
        result.push({ application, roleArns: [] });
      }
    });
    return result.sort((a, b) => a.application.name.localeCompare(b.application.name) || a.application.id.localeCompare(b.application.id));
  }

  // ---- custom apps ----

  private fromDocument(document: string | Uint8Array, field: string, trust: MetadataTrust): SpSource {
    const sp = describeFromXml(document, field, { ownEntityIds: this.deps.ownEntityIds, now: this.now(), trust });
    const xml = typeof document === 'string' ? document : Buffer.from(document).toString('utf8');
    return {
      sp,
      metadata: { ...MANUAL_METADATA, source: 'upload', xml, fetchedAt: this.now(), validUntil: sp.validUntil, cacheDurationSeconds: sp.cacheDurationSeconds },
    };
  }

  private async fromUrl(url: string, trust: MetadataTrust): Promise<SpSource> {
    const now = this.now();
    const fetched = await fetchDescription(url, this.deps, now, trust);
    if (!fetched.ok) throw fieldError('metadataUrl', fetched.error);
    const { metadata } = goodCopy(url, fetched.xml, fetched.sp, now);
    return { sp: fetched.sp, metadata };
  }

  /** Typed fields are no signed document: refused where signed metadata is required. */
  private fromTyped(fields: TypedSpFields, trust: MetadataTrust, field: string): SpSource {
    if (trust.requireSignature) throw typedButSignatureRequired(field);
    return { sp: describeFromFields(fields, { ownEntityIds: this.deps.ownEntityIds, now: this.now() }), metadata: MANUAL_METADATA };
  }

  /**
   * When an application's trust changes without new SP data, the SP data it has must meet the
   * new trust too: its stored document is read again under it (typed fields cannot be signed).
   */
  private assertCurrentSourceTrusted(app: Application, trust: MetadataTrust): void {
    if (!trust.requireSignature && !trust.requireValidUntil) return;
    if (app.metadata.xml === null) {
      if (trust.requireSignature) throw typedButSignatureRequired('metadataTrust.requireSignature');
      return;
    }
    try {
      describeFromXml(app.metadata.xml, 'metadataTrust', { ownEntityIds: this.deps.ownEntityIds, now: this.now(), trust });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const reason = e.problems[0]?.message ?? e.message;
      throw fieldError('metadataTrust', `the application's current metadata does not meet it (${reason}); give the new metadata in the same request`);
    }
  }

  private async insertCustom(name: string, { sp, metadata }: SpSource, given: Partial<Settings>, metadataTrust: ApplicationMetadataTrust, actor: string): Promise<Application> {
    const settings: Settings = { ...defaultSettings('custom', sp.encryptionCertificates), ...declaredNameIdSettings(sp.nameIdFormats, given), ...given };
    assertSettings('custom', settings, sp.encryptionCertificates);
    await this.assertEntityIdFree(sp.entityId, null);
    const app: NewApplication = {
      id: newApplicationId(),
      name,
      kind: 'custom',
      ...spRecordFields(sp),
      metadata,
      metadataTrust,
      externalAwsAccount: null,
      ...settings,
    };
    return this.deps.transaction(async (tx) => {
      const created = await tx.applications.create(app);
      await tx.audit.append({
        actor,
        action: 'application.create',
        target: `application/${created.id}`,
        detail: { name, entityId: created.entityId, metadataSource: metadata.source, ...(metadata.url ? { metadataUrl: metadata.url } : {}) },
      });
      return created;
    });
  }

  private async customPatch(app: Application, input: unknown): Promise<ApplicationPatch> {
    const data = parseInput(customUpdateSchema, input, 'application');
    const typed = SP_FIELD_NAMES.filter((f) => data[f] !== undefined);
    const sources = [data.metadataXml !== undefined, data.metadataUrl !== undefined, typed.length > 0].filter(Boolean).length;
    if (sources > 1) throw fieldError('metadataXml', 'give at most one of metadataXml, metadataUrl, or the SP fields (entityId, acs, ...)');
    const ownTrust = data.metadataTrust ? mergedApplicationTrust(app.metadataTrust, data.metadataTrust, 'metadataTrust') : app.metadataTrust;
    const trust = effectiveTrust(ownTrust, await this.deps.instanceTrust());
    let source: SpSource | null = null;
    if (data.metadataXml !== undefined) source = this.fromDocument(data.metadataXml, 'metadataXml', trust);
    else if (data.metadataUrl !== undefined) source = await this.fromUrl(data.metadataUrl, trust);
    else if (typed.length > 0) {
      if (app.metadata.source !== 'manual' && (data.entityId === undefined || data.acs === undefined)) {
        throw fieldError(typed[0]!, `this application's SP data comes from its metadata (${app.metadata.source}); upload new metadata, or give entityId and acs (and the rest) to type it by hand from now on`);
      }
      const current: TypedSpFields = app.metadata.source === 'manual'
        ? { entityId: app.entityId, acs: app.acs, slo: app.slo, signingCertificates: app.signingCertificates, encryptionCertificates: app.encryptionCertificates, authnRequestsSigned: app.authnRequestsSigned }
        : { entityId: '', acs: [] };
      source = this.fromTyped({ ...current, ...typedFieldsOf(data) }, trust, typed[0]!);
    } else if (data.metadataTrust !== undefined) {
      this.assertCurrentSourceTrusted(app, trust);
    }
    const encryptionCertificates = source ? source.sp.encryptionCertificates : app.encryptionCertificates;
    const settings: Settings = { ...settingsOf(app), ...pickSettings(data) };
    assertSettings('custom', settings, encryptionCertificates);
    if (source && source.sp.entityId !== app.entityId) await this.assertEntityIdFree(source.sp.entityId, app.id);
    const patch: ApplicationPatch = { ...pickSettings(data) };
    if (data.name !== undefined) patch.name = data.name;
    if (data.metadataTrust !== undefined) patch.metadataTrust = ownTrust;
    if (source) {
      Object.assign(patch, { ...spRecordFields(source.sp), metadata: source.metadata } satisfies ApplicationPatch);
    }
    return patch;
  }

  private async assertEntityIdFree(entityId: string, exceptId: string | null): Promise<void> {
    const other = await this.deps.store.getByEntityId(entityId);
    if (other && other.id !== exceptId) {
      throw new ConflictError(`Application ${JSON.stringify(other.name)} (${other.id}) already has the entity id ${JSON.stringify(entityId)}`);
    }
  }

  // ---- external AWS accounts ----

  private async createExternal(input: unknown, actor: string): Promise<Application> {
    const data = parseInput(externalCreateSchema, input, 'application');
    rolesProblem(data.roles, data.accountId);
    const sp = this.externalSp(data.signInEndpoint ?? AWS_SIGNIN_ACS, data.encryptionCertificates ?? []);
    const settings: Settings = { ...defaultSettings('external-aws-account', sp.encryptionCertificates), ...pickSettings(data) };
    assertSettings('external-aws-account', settings, sp.encryptionCertificates);
    const app: NewApplication = {
      id: newApplicationId(),
      name: data.name,
      kind: 'external-aws-account',
      entityId: AWS_ENTITY_ID,
      acs: sp.acs,
      slo: null,
      signingCertificates: [],
      encryptionCertificates: sp.encryptionCertificates,
      authnRequestsSigned: false,
      metadata: MANUAL_METADATA,
      metadataTrust: INHERITED_TRUST,
      externalAwsAccount: { accountId: data.accountId, samlProviderName: data.samlProviderName, roles: data.roles.map(role) },
      ...settings,
    };
    return this.deps.transaction(async (tx) => {
      const created = await tx.applications.create(app);
      await tx.audit.append({ actor, action: 'application.create', target: `application/${created.id}`, detail: { name: data.name, kind: 'external-aws-account', accountId: data.accountId } });
      return created;
    });
  }

  /** The patch, and the roles the app offers from now on when they change (assignments lose the others). */
  private async externalPatch(app: Application, input: unknown): Promise<{ patch: ApplicationPatch; offeredRoles: Set<string> | null }> {
    const data = parseInput(externalUpdateSchema, input, 'application');
    const account = app.externalAwsAccount!;
    if (data.roles) rolesProblem(data.roles, account.accountId);
    const sp = this.externalSp(data.signInEndpoint ?? app.acs[0]?.url ?? AWS_SIGNIN_ACS, data.encryptionCertificates ?? app.encryptionCertificates);
    const settings: Settings = { ...settingsOf(app), ...pickSettings(data) };
    assertSettings('external-aws-account', settings, sp.encryptionCertificates);
    const patch: ApplicationPatch = { ...pickSettings(data) };
    if (data.name !== undefined) patch.name = data.name;
    if (data.signInEndpoint !== undefined) patch.acs = sp.acs;
    if (data.encryptionCertificates !== undefined) patch.encryptionCertificates = sp.encryptionCertificates;
    if (data.roles !== undefined || data.samlProviderName !== undefined) {
      patch.externalAwsAccount = {
        accountId: account.accountId,
        samlProviderName: data.samlProviderName ?? account.samlProviderName,
        roles: data.roles ? data.roles.map(role) : account.roles,
      };
    }
    return { patch, offeredRoles: data.roles ? new Set(data.roles.map((r) => r.roleArn)) : null };
  }

  /** Checks the sign-in endpoint and certificates of an AWS account as any SP's are checked. */
  private externalSp(signInEndpoint: string, encryptionCertificates: string[]): SpDescription {
    try {
      return describeFromFields(
        { entityId: AWS_ENTITY_ID, acs: [{ url: signInEndpoint, binding: BINDING_HTTP_POST, index: 0, isDefault: true }], encryptionCertificates },
        { ownEntityIds: this.deps.ownEntityIds, allowAwsSignInAudience: true },
      );
    } catch (e) {
      if (e instanceof ValidationError && e.problems[0]?.field.startsWith('acs')) throw fieldError('signInEndpoint', e.problems[0].message);
      throw e;
    }
  }

}

/**
 * A role the app no longer offers is withdrawn from every assignment at once (an assignment left
 * with no role goes), so no stored assignment names a role the account does not trust us for. In
 * the transaction of the app's update: the roles and the assignments change together.
 */
async function pruneWithdrawnRoles(tx: UnitOfWork, applicationId: string, offered: Set<string>): Promise<ApplicationAssignment[]> {
  let nextToken: string | undefined;
  const changes: ApplicationAssignment[] = [];
  do {
    const page = await tx.applications.listAssignments(applicationId, { limit: 1000, nextToken });
    changes.push(...page.items.filter((a) => a.roleArns.some((arn) => !offered.has(arn))));
    nextToken = page.nextToken;
  } while (nextToken);
  for (const a of changes) {
    const kept = a.roleArns.filter((arn) => offered.has(arn));
    if (kept.length === 0) await tx.applications.unassign(applicationId, a.principalType, a.principalId);
    else await tx.applications.assign({ applicationId, principalType: a.principalType, principalId: a.principalId, roleArns: kept });
  }
  return changes;
}

function assignmentChanged(applicationId: string, a: { principalType: PrincipalType; principalId: string }): AccessEvent {
  return { type: 'application-assignment.changed', applicationId, principal: { type: a.principalType, id: a.principalId } };
}

function role(r: { roleArn: string; label?: string | undefined }): { roleArn: string; label?: string } {
  return r.label === undefined ? { roleArn: r.roleArn } : { roleArn: r.roleArn, label: r.label };
}

function rolesProblem(roles: { roleArn: string }[], accountId: string): void {
  roles.forEach((r, i) => {
    const problem = roleArnProblem(r.roleArn, accountId);
    if (problem) throw fieldError(`roles.${i}.roleArn`, problem);
  });
}

function typedButSignatureRequired(field: string): ValidationError {
  return fieldError(field, 'signed SP metadata is required for this application, and fields typed by hand carry no signature; give metadataXml or metadataUrl with metadata signed by the configured certificate');
}

function requireTyped(data: Partial<TypedSpFields>): TypedSpFields {
  if (data.entityId === undefined) throw fieldError('entityId', 'is required when the SP is typed by hand');
  if (data.acs === undefined) throw fieldError('acs', 'is required when the SP is typed by hand (at least one HTTP-POST ACS URL)');
  return data as TypedSpFields;
}

/** The typed SP fields that were given (undefined ones would overwrite current values). */
function typedFieldsOf(data: Partial<TypedSpFields>): Partial<TypedSpFields> {
  const out: Record<string, unknown> = {};
  for (const f of SP_FIELD_NAMES) if (data[f] !== undefined) out[f] = data[f];
  return out as Partial<TypedSpFields>;
}
