// Token families: every access and refresh token that descends from one sign-in of a client (one
// authorization code or device code, and every refresh after it) belongs to one family, so the
// sign-in can be ended as a whole:
//   - a replayed authorization code ends the family of its first use (RFC 6749 §4.1.2: "SHOULD
//     revoke (when possible) all tokens previously issued based on that authorization code");
//   - the portal API's Logout (`aws sso logout`) ends the family of the token it is called with,
//     so the refresh tokens of that sign-in stop minting access tokens.
//
// Store layout (ephemeral store, so ending a family holds on every node at once):
//   oidc-family:<id>        the store keys of every token issued in the family; its TTL follows
//                           the newest member (the portal session's end)
//   oidc-family-ended:<id>  set when the family is ended; outlives any mint still in flight
//
// A mint and an end can race (a refresh redeemed a moment before the replay arrives). Each side
// writes first and reads second: `join` adds the new keys, then reads the ended marker; `end`
// sets the marker, then reads the members. Whichever runs second sees the other's write, so a
// token minted into an ending family is withdrawn by one of them, never left alive.
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';
import { newSecret } from './secrets.ts';

const familyKey = (id: string) => `oidc-family:${id}`;
const endedKey = (id: string) => `oidc-family-ended:${id}`;

/** How long an ended marker outlives a family whose own TTL is unknown: longer than any mint takes. */
const ENDED_MINIMUM_SECONDS = 15 * 60;

export class TokenFamilies {
  constructor(private readonly store: EphemeralStore) {}

  /** A family id for a new sign-in. */
  newId(): string {
    return newSecret('ghf-');
  }

  /**
   * Records tokens (by their store keys) as members of a family, kept `ttlSeconds`. False when the
   * family has been ended: the tokens are then deleted again and must not be handed out.
   */
  async join(familyId: string, storeKeys: readonly string[], ttlSeconds: number): Promise<boolean> {
    for (const key of storeKeys) await this.store.addToSet(familyKey(familyId), key, ttlSeconds);
    if ((await this.store.get(endedKey(familyId))) === null) return true;
    await this.store.delete(...storeKeys);
    return false;
  }

  /** True when the family has members or has been ended (a code whose tokens were issued). */
  async known(familyId: string): Promise<boolean> {
    if ((await this.store.ttl(familyKey(familyId))) !== null) return true;
    return (await this.store.get(endedKey(familyId))) !== null;
  }

  /** Ends a family: every token in it is dead on every node, and none can join it any more. */
  async end(familyId: string): Promise<void> {
    const remaining = await this.store.ttl(familyKey(familyId));
    const ttl = Math.max(ENDED_MINIMUM_SECONDS, remaining !== null && Number.isFinite(remaining) ? remaining : 0);
    await this.store.set(endedKey(familyId), '1', ttl);
    const members = await this.store.setMembers(familyKey(familyId));
    await this.store.delete(...members, familyKey(familyId));
  }
}
