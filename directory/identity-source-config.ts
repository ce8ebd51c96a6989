// Which identity source people sign in with: the built-in directory (default), or an LDAP / Active
// Directory configured through the environment (LDAP_URL, ...) or the admin API
// (/api/v1/identity-source). API settings live in SQL with the service password sealed under the
// server key; every node re-reads them within REFRESH_MS, so a change reaches all nodes without a
// restart. Administrators always authenticate to the admin API against the built-in directory.
import type { AccessEventPublisher } from '../model/access-events.ts';
import { ConflictError, UnavailableError, ValidationError } from '../model/errors.ts';
import type { Group, User } from '../model/types.ts';
import { open, seal } from '../crypto/secret-box.ts';
import type { DirectoryStore, SettingsStore, SqlStores } from '../store/stores.ts';
import type { BuiltinDirectory } from './builtin-directory.ts';
import type { AuthenticationResult, IdentitySource } from './identity-source.ts';
import {
  LdapIdentitySource,
  parseLdapSettings,
  publicLdapSettings,
  testConnection,
  type ConnectionReport,
  type LdapLogger,
  type LdapSettings,
} from './ldap/index.ts';

export const IDENTITY_SOURCE_SETTING = 'identity-source';
const REFRESH_MS = 5000;

interface StoredLdap {
  kind: 'ldap';
  settings: Omit<LdapSettings, 'bindPassword'>;
  bindPasswordSealed: string;
}

export interface IdentitySourceDescription {
  kind: 'builtin' | 'ldap';
  configuredBy: 'default' | 'environment' | 'api';
  settings?: ReturnType<typeof publicLdapSettings>;
}

export class IdentitySourceConfig {
  private cached: { at: number; ldap: LdapIdentitySource | null; settings: LdapSettings | null } | null = null;
  private readonly envSource: LdapIdentitySource | null;

  constructor(
    private readonly o: {
      builtin: BuiltinDirectory;
      directory: DirectoryStore;
      settings: SettingsStore;
      /** Each change and its audit record in one transaction. */
      transaction: SqlStores['transaction'];
      /** LDAP settings from the environment; when present the API cannot change the source. */
      environment: LdapSettings | null;
      /** 32-byte key that seals the service password at rest. */
      key: Buffer;
      logger?: LdapLogger;
      /** Tells of identity-source.changed once a change commits. */
      events: AccessEventPublisher;
    },
  ) {
    this.envSource = o.environment ? new LdapIdentitySource({ settings: o.environment, store: o.directory, logger: o.logger }) : null;
  }

  /** The LDAP source in force, or null when people sign in against the built-in directory. */
  async ldap(): Promise<LdapIdentitySource | null> {
    if (this.envSource) return this.envSource;
    if (this.cached && Date.now() - this.cached.at < REFRESH_MS) return this.cached.ldap;
    const settings = await this.readStored();
    const same = this.cached?.settings && settings && JSON.stringify(this.cached.settings) === JSON.stringify(settings);
    const ldap = same ? this.cached!.ldap : settings ? new LdapIdentitySource({ settings, store: this.o.directory, logger: this.o.logger }) : null;
    this.cached = { at: Date.now(), ldap, settings };
    return ldap;
  }

  /** The source people sign in with now. */
  async current(): Promise<IdentitySource> {
    return (await this.ldap()) ?? this.o.builtin;
  }

  async describe(): Promise<IdentitySourceDescription> {
    if (this.o.environment) return { kind: 'ldap', configuredBy: 'environment', settings: publicLdapSettings(this.o.environment) };
    const settings = await this.readStored();
    return settings ? { kind: 'ldap', configuredBy: 'api', settings: publicLdapSettings(settings) } : { kind: 'builtin', configuredBy: 'default' };
  }

  /**
   * Switches sign-in to the LDAP directory the input describes. `bindPassword` may be left out to
   * keep the one already stored. Nothing is stored when the input is invalid.
   */
  async configure(input: unknown, actor: string): Promise<IdentitySourceDescription> {
    this.refuseWhenFromEnvironment();
    const settings = await this.withStoredPassword(input);
    const { bindPassword, ...rest } = settings;
    const stored: StoredLdap = { kind: 'ldap', settings: rest, bindPasswordSealed: seal(this.o.key, bindPassword, IDENTITY_SOURCE_SETTING) };
    await this.o.transaction(async (tx) => {
      tx.afterCommit(() => void (this.cached = null));
      await tx.settings.put(IDENTITY_SOURCE_SETTING, stored);
      await tx.audit.append({ actor, action: 'identity-source.configure', target: 'identity-source', detail: { kind: 'ldap', url: settings.url } });
      this.o.events.afterCommit(tx, { type: 'identity-source.changed' });
    });
    return this.describe();
  }

  /** Back to the built-in directory. */
  async reset(actor: string): Promise<IdentitySourceDescription> {
    this.refuseWhenFromEnvironment();
    await this.o.transaction(async (tx) => {
      tx.afterCommit(() => void (this.cached = null));
      await tx.settings.delete(IDENTITY_SOURCE_SETTING);
      await tx.audit.append({ actor, action: 'identity-source.reset', target: 'identity-source', detail: { kind: 'builtin' } });
      this.o.events.afterCommit(tx, { type: 'identity-source.changed' });
    });
    return this.describe();
  }

  /** "Test connection": with the given settings (not stored), or with those in force. */
  async test(input: unknown | undefined, sampleLoginName?: string): Promise<ConnectionReport> {
    const settings = input === undefined ? (this.o.environment ?? (await this.readStored())) : await this.withStoredPassword(input);
    if (!settings) throw new ValidationError('No LDAP directory is configured; send its settings to test them', [{ field: '(body)', message: 'settings required' }]);
    return testConnection(settings, sampleLoginName ? { sampleLoginName } : {});
  }

  private refuseWhenFromEnvironment(): void {
    if (this.o.environment) throw new ConflictError('The identity source is set by the environment (LDAP_URL ...); change it there');
  }

  private async withStoredPassword(input: unknown): Promise<LdapSettings> {
    const given = input && typeof input === 'object' && !Array.isArray(input) ? { ...(input as Record<string, unknown>) } : input;
    if (given && typeof given === 'object' && !('bindPassword' in given)) {
      const existing = await this.readStored();
      if (existing) (given as Record<string, unknown>).bindPassword = existing.bindPassword;
    }
    return parseLdapSettings(given);
  }

  private async readStored(): Promise<LdapSettings | null> {
    const row = await this.o.settings.get<StoredLdap>(IDENTITY_SOURCE_SETTING);
    if (!row || row.value.kind !== 'ldap') return null;
    const bindPassword = open(this.o.key, row.value.bindPasswordSealed, IDENTITY_SOURCE_SETTING);
    if (bindPassword === null) throw new UnavailableError('ldap', 'The stored LDAP service password cannot be decrypted with this server key (GATEHOUSE_SECRET / CERTS_DIR differ between nodes?)');
    return { ...row.value.settings, bindPassword } as LdapSettings;
  }
}

/**
 * An IdentitySource that forwards each call to whichever source is in force at that moment, so
 * services can hold one object while administrators switch the source at run time.
 */
export class ActiveIdentitySource implements IdentitySource {
  private lastKind: User['source'] = 'builtin';

  constructor(
    private readonly config: IdentitySourceConfig,
    /** 'active': whatever people sign in with now; 'ldap': the configured directory, for its users. */
    private readonly which: 'active' | 'ldap' = 'active',
  ) {
    if (which === 'ldap') this.lastKind = 'ldap';
  }

  /** The kind of the source this forwarded to last. */
  get kind(): User['source'] {
    return this.lastKind;
  }

  private async source(): Promise<IdentitySource> {
    if (this.which === 'active') {
      const current = await this.config.current();
      this.lastKind = current.kind;
      return current;
    }
    const ldap = await this.config.ldap();
    // Users of a directory that is no longer configured are gone.
    return ldap ?? NO_DIRECTORY;
  }

  async authenticate(userName: string, password: string): Promise<AuthenticationResult> {
    return (await this.source()).authenticate(userName, password);
  }
  async findUserByName(userName: string): Promise<User | null> {
    return (await this.source()).findUserByName(userName);
  }
  async getUser(id: string): Promise<User | null> {
    return (await this.source()).getUser(id);
  }
  async groupsOf(user: User): Promise<Group[]> {
    return (await this.source()).groupsOf(user);
  }
  async searchUsers(text: string, limit: number): Promise<User[]> {
    return (await this.source()).searchUsers(text, limit);
  }
  async searchGroups(text: string, limit: number): Promise<Group[]> {
    return (await this.source()).searchGroups(text, limit);
  }
}

const NO_DIRECTORY: IdentitySource = {
  kind: 'ldap',
  authenticate: async () => ({ ok: false, reason: 'unknown-user' }),
  findUserByName: async () => null,
  getUser: async () => null,
  groupsOf: async () => [],
  searchUsers: async () => [],
  searchGroups: async () => [],
};
