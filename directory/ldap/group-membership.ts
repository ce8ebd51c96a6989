// A user's groups as the directory has them right now, nested membership included, in the three
// ways directories record membership (settings.ts, GROUP_MEMBERSHIP_MODES). The walks in `member`
// and `memberOf` modes go level by level, remember every group already seen (so a cycle ends) and
// stop after `nestedGroupDepth` levels of nesting.

import type { Filter } from 'ldapts';
import { strings } from './entry.ts';
import { and, configured, equals, inChain, or } from './filters.ts';
import { groupAttributes, toGroupProfile, type LdapGroupProfile } from './profiles.ts';
import type { LdapSession } from './session.ts';
import type { LdapSettings } from './settings.ts';

/** Member DNs per query, and base lookups at once: small enough for any server's filter limits. */
const BATCH = 50;

export async function groupsOfDn(
  session: LdapSession,
  settings: LdapSettings,
  user: { dn: string; memberOf: string[] },
): Promise<LdapGroupProfile[]> {
  switch (settings.groupMembership) {
    case 'member':
      return byMemberAttribute(session, settings, user.dn);
    case 'memberOf':
      return byMemberOf(session, settings, user.memberOf);
    case 'ad-in-chain':
      return byInChainRule(session, settings, user.dn);
  }
}

/** Groups whose member attribute holds the DN, then groups holding those groups, and so on. */
async function byMemberAttribute(session: LdapSession, settings: LdapSettings, userDn: string): Promise<LdapGroupProfile[]> {
  const found = new Map<string, LdapGroupProfile>();
  const seen = new Set([dnKey(userDn)]);
  let frontier = [userDn];
  for (let level = 0; level <= settings.nestedGroupDepth && frontier.length > 0; level++) {
    const next: string[] = [];
    for (const batch of batches(frontier)) {
      const holders = or(...batch.flatMap((dn) => settings.memberAttributes.map((attribute) => equals(attribute, dn))));
      const entries = await session.search(settings.groupBaseDn, and(groupFilter(settings), holders), groupAttributes(settings));
      for (const entry of entries) {
        const key = dnKey(entry.dn);
        if (seen.has(key)) continue;
        seen.add(key);
        next.push(entry.dn);
        const group = toGroupProfile(settings, entry);
        if (group) found.set(key, group);
      }
    }
    frontier = next;
  }
  return [...found.values()];
}

/** The user's memberOf values, then each group's own memberOf, and so on. */
async function byMemberOf(session: LdapSession, settings: LdapSettings, memberOf: string[]): Promise<LdapGroupProfile[]> {
  const found = new Map<string, LdapGroupProfile>();
  const seen = new Set<string>();
  const attributes = [...groupAttributes(settings), 'memberOf'];
  let frontier = memberOf;
  for (let level = 0; level <= settings.nestedGroupDepth && frontier.length > 0; level++) {
    const next: string[] = [];
    const fresh = frontier.filter((dn) => {
      const key = dnKey(dn);
      if (seen.has(key) || !isWithin(dn, settings.groupBaseDn)) return false;
      seen.add(key);
      return true;
    });
    for (const batch of batches(fresh)) {
      const lookups = batch.map((dn) => session.search(dn, groupFilter(settings), attributes, { scope: 'base' }));
      for (const entries of await Promise.all(lookups)) {
        for (const entry of entries) {
          const group = toGroupProfile(settings, entry);
          if (group) found.set(dnKey(entry.dn), group);
          next.push(...strings(entry, 'memberOf'));
        }
      }
    }
    frontier = next;
  }
  return [...found.values()];
}

/** Active Directory resolves the whole chain in one search. */
async function byInChainRule(session: LdapSession, settings: LdapSettings, userDn: string): Promise<LdapGroupProfile[]> {
  const attribute = settings.memberAttributes[0] ?? 'member';
  const entries = await session.search(
    settings.groupBaseDn,
    and(groupFilter(settings), inChain(attribute, userDn)),
    groupAttributes(settings),
    { paged: true },
  );
  return entries.map((e) => toGroupProfile(settings, e)).filter((g): g is LdapGroupProfile => g !== null);
}

function groupFilter(settings: LdapSettings): Filter {
  return configured(settings.groupFilter);
}

/**
 * A comparison key for DNs as servers write them back: case and the spaces around `,` and `=`
 * do not matter (RFC 4514 §2 allows both). Good enough to spot a group seen twice.
 */
export function dnKey(dn: string): string {
  return dn.toLowerCase().replace(/\s*([,=+])\s*/g, '$1').trim();
}

export function isWithin(dn: string, baseDn: string): boolean {
  const d = dnKey(dn);
  const b = dnKey(baseDn);
  return d === b || d.endsWith(`,${b}`);
}

function* batches<T>(items: T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += BATCH) yield items.slice(i, i + BATCH);
}
