// What the accounts page remembers for each person: the accounts they marked as favourites (a
// settings document per user in SQL, kept until they change it) and the accounts they signed in
// to lately (the ephemeral store, forgotten after 90 days without use). Only ids of accounts are
// kept; the page shows an account only while the person is still assigned to it.
import type { EphemeralStore } from '../store/ephemeral/ephemeral-store.ts';
import type { SettingsStore } from '../store/stores.ts';
import { ValidationError } from '../model/errors.ts';

export const MAX_FAVOURITES = 200;
export const RECENT_ACCOUNTS = 5;
const RECENT_TTL_SECONDS = 90 * 24 * 3600;

const favouritesDoc = (userId: string) => `portal-favourites/${userId}`;
const recentKey = (userId: string) => `portal:recent:${userId}`;
const ACCOUNT_ID = /^\d{12}$/;

const parseList = (text: string | null): string[] => {
  if (!text) return [];
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
};

export interface AccountPreferences {
  favourites: string[];
  /** Most recent first. */
  recent: string[];
}

export class PortalPreferences {
  constructor(private readonly deps: { settings: Pick<SettingsStore, 'get' | 'put' | 'delete'>; ephemeral: Pick<EphemeralStore, 'get' | 'set' | 'delete'> }) {}

  async of(userId: string): Promise<AccountPreferences> {
    const [doc, recent] = await Promise.all([this.deps.settings.get<string[]>(favouritesDoc(userId)), this.deps.ephemeral.get(recentKey(userId))]);
    return { favourites: Array.isArray(doc?.value) ? doc.value : [], recent: parseList(recent) };
  }

  /** Marks or unmarks one account; ValidationError for anything but a 12-digit account id. */
  async setFavourite(userId: string, accountId: string, favourite: boolean): Promise<void> {
    if (!ACCOUNT_ID.test(accountId)) throw new ValidationError('An account id is 12 digits');
    const { favourites } = await this.of(userId);
    const next = favourites.filter((id) => id !== accountId);
    if (favourite) next.unshift(accountId);
    await this.deps.settings.put(favouritesDoc(userId), next.slice(0, MAX_FAVOURITES));
  }

  /** Records a sign-in to `accountId` as the most recent. */
  async used(userId: string, accountId: string): Promise<void> {
    const recent = parseList(await this.deps.ephemeral.get(recentKey(userId))).filter((id) => id !== accountId);
    await this.deps.ephemeral.set(recentKey(userId), JSON.stringify([accountId, ...recent].slice(0, RECENT_ACCOUNTS)), RECENT_TTL_SECONDS);
  }

  /** Forgets everything kept for a person: called when the user is deleted. */
  async forget(userId: string): Promise<void> {
    await Promise.all([this.deps.settings.delete(favouritesDoc(userId)), this.deps.ephemeral.delete(recentKey(userId))]);
  }
}
