// Token families: every access and refresh token that descends from one sign-in of a client (one
// authorization code or device code, and every refresh after it) belongs to one family, so the
// sign-in can be ended as a whole:
//   - a replayed authorization code ends the family of its first use (RFC 6749 §4.1.2: "SHOULD
//     revoke (when possible) all tokens previously issued based on that authorization code");
//   - the portal API's Logout (`aws sso logout`) ends the family of the token it is called with,
//     so the refresh tokens of that sign-in stop minting access tokens.
//
// Store layout (ephemeral store, so ending a family holds on every node at once):
//   oidc-family-ended:<id>  set when the family is ended, for as long as its portal session lives
//
// Every token names its family, and every use of a token reads this marker in the same round trip
// as the token's other checks (an access token with its portal session, sso-access-tokens.ts; a
// refreshed token before it is handed out, token-grants.ts). So an ended family needs no list of
// its members: a token of it is dead wherever it is presented, without being found and deleted.
// That keeps what a CLI sign-in costs to two small records (docs/performance.md, "Memory per
// session"), and a token minted while its family is being ended is dead too: there is no window
// between reading a member list and deleting it.
//
// No token outlives its portal session (access and refresh tokens are cut to the session's end,
// and session records never get a later end), so the marker lives as long as the session does.
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';
import { portalSessionKey } from '../portal-sessions.ts';
import { newSecret } from './secrets.ts';

/** The marker read alongside a token: present (any value) once its family has been ended. */
export const familyEndedKey = (id: string) => `oidc-family-ended:${id}`;

/** The shortest life of a marker: longer than any mint in flight takes, even once the session is gone. */
const ENDED_MINIMUM_SECONDS = 15 * 60;

export class TokenFamilies {
  constructor(private readonly store: EphemeralStore) {}

  /** A family id for a new sign-in. */
  newId(): string {
    return newSecret('ghf-');
  }

  /**
   * Checks, after a mint has stored its tokens (by their store keys), that the family has not been
   * ended meanwhile. False when it has: the tokens are deleted again and must not be handed out
   * (they would be refused at their first use anyway, since every use reads the marker).
   */
  async join(familyId: string, storeKeys: readonly string[]): Promise<boolean> {
    if (!(await this.ended(familyId))) return true;
    await this.store.delete(...storeKeys);
    return false;
  }

  /** True once the family has been ended. */
  async ended(familyId: string): Promise<boolean> {
    return (await this.store.get(familyEndedKey(familyId))) !== null;
  }

  /**
   * Ends a family: every token in it, minted before or after, is dead on every node. The marker is
   * kept while the portal session the sign-in was approved in lives (no token of it lives longer).
   */
  async end(familyId: string, portalSessionHash: string): Promise<void> {
    const remaining = await this.store.ttl(portalSessionKey(portalSessionHash));
    const ttl = Math.max(ENDED_MINIMUM_SECONDS, remaining !== null && Number.isFinite(remaining) ? remaining : 0);
    await this.store.set(familyEndedKey(familyId), '1', ttl);
  }
}
