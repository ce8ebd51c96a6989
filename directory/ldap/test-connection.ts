// "Test connection" for the admin API: walks through what a sign-in needs, one step at a time, and
// reports what it found (N users, N groups, a sample user and their groups) or exactly which step
// failed and why, e.g. "bind as cn=svc,dc=example,dc=org failed: invalid credentials (LDAP result 49)".
// It reads only: nothing is recorded in SQL.

import net from 'node:net';
import tls from 'node:tls';
import type { Filter } from 'ldapts';
import { and, configured, equals } from './filters.ts';
import { groupsOfDn } from './group-membership.ts';
import { describeLdapError } from './ldap-errors.ts';
import { toUserProfile, userAttributes } from './profiles.ts';
import { LdapSession } from './session.ts';
import type { LdapSettings } from './settings.ts';

export type ConnectionStepName = 'connect' | 'starttls' | 'bind' | 'users' | 'groups' | 'sample';

export interface ConnectionStep {
  step: ConnectionStepName;
  ok: boolean;
  detail: string;
}

export interface ConnectionSampleUser {
  dn: string;
  externalId: string;
  userName: string;
  displayName: string;
  email: string | null;
  enabled: boolean;
}

export interface ConnectionReport {
  ok: boolean;
  /** The steps that ran, in order; the last one failed when `ok` is false. */
  steps: ConnectionStep[];
  userCount: number | null;
  groupCount: number | null;
  sampleUser?: ConnectionSampleUser;
  /** Display names of the sample user's groups (nested included). */
  sampleUserGroups?: string[];
}

export interface TestConnectionOptions {
  /** A login name to use as the sample (e.g. the admin's own); otherwise the first user found. */
  sampleLoginName?: string;
}

class StepFailed extends Error {}

export async function testConnection(settings: LdapSettings, options: TestConnectionOptions = {}): Promise<ConnectionReport> {
  const report: ConnectionReport = { ok: false, steps: [], userCount: null, groupCount: null };
  const step = async <T>(name: ConnectionStepName, run: () => Promise<T>, detail: (value: T) => string, failure: string): Promise<T> => {
    try {
      const value = await run();
      report.steps.push({ step: name, ok: true, detail: detail(value) });
      return value;
    } catch (e) {
      report.steps.push({ step: name, ok: false, detail: `${failure} failed: ${describeLdapError(e)}` });
      throw new StepFailed();
    }
  };

  const url = new URL(settings.url);
  const session = new LdapSession(settings);
  try {
    await step('connect', () => probe(settings, url), (d) => d, `connect to ${url.host}`);
    if (settings.startTls) await step('starttls', () => session.startTls(), () => 'connection upgraded to TLS', 'StartTLS');
    await step('bind', () => session.bindService(), () => `bound as ${settings.bindDn}`, `bind as ${settings.bindDn}`);

    const users = await step(
      'users',
      () => session.search(settings.userBaseDn, configured(settings.userFilter), ['1.1'], { paged: true }),
      (entries) => `${entries.length} users under ${settings.userBaseDn} match ${settings.userFilter}`,
      `search for users under ${settings.userBaseDn}`,
    );
    report.userCount = users.length;
    const groups = await step(
      'groups',
      () => session.search(settings.groupBaseDn, configured(settings.groupFilter), ['1.1'], { paged: true }),
      (entries) => `${entries.length} groups under ${settings.groupBaseDn} match ${settings.groupFilter}`,
      `search for groups under ${settings.groupBaseDn}`,
    );
    report.groupCount = groups.length;

    await step(
      'sample',
      async () => {
        const which: Filter = options.sampleLoginName
          ? and(configured(settings.userFilter), equals(settings.loginAttribute, options.sampleLoginName))
          : configured(settings.userFilter);
        const [entry] = await session.search(settings.userBaseDn, which, userAttributes(settings), { sizeLimit: 1 });
        if (!entry) throw new Error(options.sampleLoginName ? `no user has ${settings.loginAttribute} = ${options.sampleLoginName}` : 'no users to sample');
        const profile = toUserProfile(settings, entry);
        if (!profile) {
          throw new Error(`${entry.dn} has no ${settings.attributes.idAttribute} or no ${settings.attributes.userName}: check the attribute mapping`);
        }
        const memberships = await groupsOfDn(session, settings, profile);
        report.sampleUser = {
          dn: profile.dn,
          externalId: profile.externalId,
          userName: profile.userName,
          displayName: profile.displayName,
          email: profile.emails[0]?.value ?? null,
          enabled: profile.enabled,
        };
        report.sampleUserGroups = memberships.map((g) => g.displayName).sort((a, b) => a.localeCompare(b));
        return profile;
      },
      (p) => `${p.userName} (${p.dn}) is in ${report.sampleUserGroups?.length ?? 0} groups`,
      'reading a sample user and their groups',
    );
    report.ok = true;
  } catch (e) {
    if (!(e instanceof StepFailed)) throw e;
  } finally {
    session.close();
  }
  return report;
}

/** A bare TCP (or TLS, for ldaps://) connection, so "cannot reach" and "certificate refused" are told apart from LDAP errors. */
function probe(settings: LdapSettings, url: URL): Promise<string> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const secure = url.protocol === 'ldaps:';
  const port = Number(url.port) || (secure ? 636 : 389);
  return new Promise((resolve, reject) => {
    const socket = secure
      ? tls.connect({
          host,
          port,
          minVersion: 'TLSv1.2',
          rejectUnauthorized: settings.tlsVerify,
          ...(settings.caCertificatePem ? { ca: [settings.caCertificatePem] } : {}),
          ...(net.isIP(host) ? {} : { servername: host }),
        })
      : net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${settings.connectTimeoutMs} ms`));
    }, settings.connectTimeoutMs);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.end();
      const plain = !secure && !settings.startTls;
      resolve(
        `reached ${host}:${port}${secure ? ' over TLS' : ''}` +
          (plain ? '; warning: plain LDAP without StartTLS sends passwords unencrypted' : '') +
          (!settings.tlsVerify && (secure || settings.startTls) ? '; warning: certificate checks are off' : ''),
      );
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    });
  });
}
