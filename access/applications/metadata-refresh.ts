// Re-reading one application's metadata from its URL. A new document replaces the SP data
// (endpoints, certificates, AuthnRequestsSigned) only when it passes every rule a first upload must
// pass (a reserved entity id, a missing or wrong signature, no validUntil where the metadata trust
// requires one, all refused: metadata-trust.ts), still names the same entity id, and still fits the
// app's settings (an app that encrypts keeps an encryption certificate). Otherwise, and when the
// fetch fails, the last good copy stays in force, the reason is kept in metadata.lastError and a
// retry is scheduled.

import type { Application, ApplicationMetadataSource, MetadataTrust } from '../../model/types.ts';
import type { ApplicationPatch, SqlStores } from '../../store/stores.ts';
import { settingsOf, settingsProblems } from './application-settings.ts';
import { describeFromXml, spRecordFields, type SpDescription } from './metadata-intake.ts';
import { MetadataFetchError, type FetchedDocument } from './metadata-fetcher.ts';
import { nextFetchAfterFailure, nextFetchAfterSuccess } from './metadata-schedule.ts';
import { effectiveTrust } from './metadata-trust.ts';

export interface MetadataRefreshDeps {
  /** The app's new metadata and its audit record commit together. */
  transaction: SqlStores['transaction'];
  fetch: (url: string) => Promise<FetchedDocument>;
  ownEntityIds: readonly string[];
  /** The instance's defaults for what SP metadata must satisfy. */
  instanceTrust: () => Promise<MetadataTrust>;
  now: () => Date;
}

export interface RefreshOutcome {
  /** updated: new SP data in force; unchanged: the same document again; failed: the last good copy stays. */
  outcome: 'updated' | 'unchanged' | 'failed';
  error: string | null;
  application: Application;
}

/** Fetches and reads a metadata document: the SP data, or a message saying why not. */
export async function fetchDescription(
  url: string,
  deps: Pick<MetadataRefreshDeps, 'fetch' | 'ownEntityIds'>,
  now: Date,
  trust: MetadataTrust,
): Promise<{ ok: true; xml: string; sp: SpDescription } | { ok: false; error: string }> {
  let document: FetchedDocument;
  try {
    document = await deps.fetch(url);
  } catch (e) {
    if (e instanceof MetadataFetchError) return { ok: false, error: `fetching ${url} failed: ${e.message}` };
    throw e;
  }
  try {
    const sp = describeFromXml(document.body, 'metadataUrl', { ownEntityIds: deps.ownEntityIds, now, trust });
    return { ok: true, xml: document.body.toString('utf8'), sp };
  } catch (e) {
    const problem = (e as { problems?: { message: string }[] }).problems?.[0]?.message;
    if (problem !== undefined) return { ok: false, error: `the document at ${url} was refused: ${problem}` };
    throw e;
  }
}

/** The SP data and metadata record of a good document fetched at `now`. */
export function goodCopy(url: string, xml: string, sp: SpDescription, now: Date): { patch: ApplicationPatch; metadata: ApplicationMetadataSource } {
  const metadata: ApplicationMetadataSource = {
    source: 'url',
    url,
    xml,
    fetchedAt: now,
    validUntil: sp.validUntil,
    cacheDurationSeconds: sp.cacheDurationSeconds,
    lastError: null,
    nextFetchAt: nextFetchAfterSuccess(now, sp),
  };
  return {
    metadata,
    patch: { ...spRecordFields(sp), metadata },
  };
}

export async function refreshApplicationMetadata(app: Application, deps: MetadataRefreshDeps, actor: string): Promise<RefreshOutcome> {
  const url = app.metadata.url;
  if (app.metadata.source !== 'url' || url === null) throw new Error(`application ${app.id} has no metadata URL`);
  const now = deps.now();
  const trust = effectiveTrust(app.metadataTrust, await deps.instanceTrust());
  const fetched = await fetchDescription(url, deps, now, trust);
  let error = fetched.ok ? null : fetched.error;
  if (fetched.ok && fetched.sp.entityId !== app.entityId) {
    error = `the document at ${url} now names entity id ${JSON.stringify(fetched.sp.entityId)}, not ${JSON.stringify(app.entityId)}; change the application's metadata URL or upload to accept it`;
  }
  if (fetched.ok && error === null) {
    const problems = settingsProblems(app.kind, settingsOf(app), fetched.sp.encryptionCertificates);
    if (problems.length > 0) error = `the document at ${url} does not fit the application's settings: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`;
  }

  if (!fetched.ok || error !== null) {
    const metadata: ApplicationMetadataSource = { ...app.metadata, lastError: error, nextFetchAt: nextFetchAfterFailure(now, app.metadata) };
    const application = await deps.transaction(async (tx) => {
      const updated = await tx.applications.update(app.id, { metadata });
      await tx.audit.append({ actor, action: 'application.metadata-refresh', target: `application/${app.id}`, detail: { outcome: 'failed', error } });
      return updated;
    });
    return { outcome: 'failed', error, application };
  }

  const unchanged = fetched.xml === app.metadata.xml;
  const { patch } = goodCopy(url, fetched.xml, fetched.sp, now);
  const application = await deps.transaction(async (tx) => {
    const updated = await tx.applications.update(app.id, patch);
    if (!unchanged) {
      await tx.audit.append({ actor, action: 'application.metadata-refresh', target: `application/${app.id}`, detail: { outcome: 'updated' } });
    }
    return updated;
  });
  return { outcome: unchanged ? 'unchanged' : 'updated', error: null, application };
}
