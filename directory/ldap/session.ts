// One conversation with the directory: a fresh connection (TLS from the start for ldaps://, or
// upgraded with StartTLS), bound as the service account, closed at the end. Each request waits at
// most `operationTimeoutMs`, the connection at most `connectTimeoutMs`, and the whole conversation
// at most their sum, so a directory that is down or hangs turns into UnavailableError in bounded
// time (docs/security.md: "When a dependency is down": deny, never allow).

import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, type Entry, type Filter } from 'ldapts';
import { UnavailableError } from '../../model/errors.ts';
import { resultCode, unavailable, userBindFailure, type SignInFailure } from './ldap-errors.ts';
import type { LdapSettings } from './settings.ts';

export interface SearchOptions {
  scope?: 'base' | 'one' | 'sub';
  /** 0 = as many as the server allows. */
  sizeLimit?: number;
  /** Page through large results (RFC 2696); for counting, never for sign-in. */
  paged?: boolean;
}

/** Attributes that are raw bytes and must not be decoded as UTF-8. */
const BINARY_ATTRIBUTES = ['objectGUID', 'objectguid', 'OBJECTGUID'];

export class LdapSession {
  private readonly client: Client;
  private readonly url: URL;

  constructor(private readonly settings: LdapSettings) {
    this.url = new URL(settings.url);
    const secure = this.url.protocol === 'ldaps:';
    this.client = new Client({
      url: settings.url,
      connectTimeout: settings.connectTimeoutMs,
      timeout: settings.operationTimeoutMs,
      // ldapts treats any tlsOptions as "connect with TLS", so they go here only for ldaps://.
      ...(secure ? { tlsOptions: this.tlsOptions() } : {}),
    });
  }

  /** StartTLS when configured (RFC 4511 §4.14). */
  async startTls(): Promise<void> {
    try {
      await this.client.startTLS(this.tlsOptions());
    } catch (e) {
      throw unavailable('StartTLS', e);
    }
  }

  /** Binds as the service account; any refusal is the directory's configuration problem, not the person's. */
  async bindService(): Promise<void> {
    try {
      await this.client.bind(this.settings.bindDn, this.settings.bindPassword);
    } catch (e) {
      throw unavailable(`bind as ${this.settings.bindDn}`, e);
    }
  }

  async search(baseDn: string, filter: Filter, attributes: string[], options: SearchOptions = {}): Promise<Entry[]> {
    const scope = options.scope ?? 'sub';
    try {
      const { searchEntries } = await this.client.search(baseDn, {
        scope,
        filter,
        attributes,
        sizeLimit: options.sizeLimit ?? 0,
        timeLimit: Math.ceil(this.settings.operationTimeoutMs / 1000),
        explicitBufferAttributes: BINARY_ATTRIBUTES,
        ...(options.paged ? { paged: { pageSize: 500 } } : {}),
      });
      return searchEntries;
    } catch (e) {
      // A base lookup of an entry that is gone (a stale memberOf value, a deleted group) finds nothing.
      if (scope === 'base' && resultCode(e) === 32) return [];
      throw unavailable(`search under ${baseDn}`, e);
    }
  }

  /**
   * Checks a person's password with a simple bind as `dn` (from a search result, never from input).
   * Returns null when the directory accepted it, else the reason it refused. Throws UnavailableError
   * when the directory could not answer.
   */
  async bindUser(dn: string, password: string): Promise<SignInFailure | null> {
    // RFC 4513 §5.1.2: a simple bind with an empty password is an "unauthenticated" bind that many
    // servers report as success. Callers refuse empty passwords first; this is the last guard.
    if (password.trim() === '' || dn.trim() === '') throw new Error('refusing an unauthenticated bind');
    try {
      await this.client.bind(dn, password);
      return null;
    } catch (e) {
      const failure = userBindFailure(e);
      if (failure === null) throw unavailable('bind', e);
      return failure;
    }
  }

  /**
   * A bind that checks nobody's password: as a DN that names no entry, with a password no one has.
   * Sign-in paths that find no one to bind as make it, so that they cost the directory round trip a
   * wrong password costs and the response time does not tell which names exist (docs/security.md,
   * "Password guessing"). Whatever the directory answers is ignored; only a directory that does not
   * answer throws UnavailableError, as it would for a real bind.
   */
  async bindNobody(dn: string, password: string): Promise<void> {
    try {
      await this.client.bind(dn, password);
    } catch (e) {
      // Any LDAP result (invalid credentials, or "no such object" from a server that tells) is an answer.
      if (resultCode(e) === null) throw unavailable('bind', e);
    }
  }

  close(): void {
    // Not awaited: on a frozen server the close must not wait for anything.
    this.client.unbind().catch(() => {});
  }

  private tlsOptions(): ConnectionOptions {
    const host = this.url.hostname.replace(/^\[(.*)\]$/, '$1');
    return {
      minVersion: 'TLSv1.2',
      rejectUnauthorized: this.settings.tlsVerify,
      ...(this.settings.caCertificatePem ? { ca: [this.settings.caCertificatePem] } : {}),
      // Checked against the certificate (RFC 6125); SNI only for names, not addresses.
      host,
      ...(isIP(host) ? {} : { servername: host }),
    };
  }
}

/**
 * Opens a session bound as the service account, runs `work`, closes it. Throws UnavailableError
 * when the directory is unreachable, refuses the service account, or the whole thing takes longer
 * than connectTimeoutMs + operationTimeoutMs.
 */
export async function withDirectory<T>(settings: LdapSettings, what: string, work: (session: LdapSession) => Promise<T>): Promise<T> {
  const session = new LdapSession(settings);
  const budgetMs = settings.connectTimeoutMs + settings.operationTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new UnavailableError('ldap', `LDAP ${what} did not finish within ${budgetMs} ms`)),
      budgetMs,
    );
  });
  const run = (async () => {
    if (settings.startTls) await session.startTls();
    await session.bindService();
    return work(session);
  })();
  // Whichever loses the race must not surface later as an unhandled rejection.
  run.catch(() => {});
  try {
    return await Promise.race([run, deadline]);
  } finally {
    clearTimeout(timer);
    session.close();
  }
}
