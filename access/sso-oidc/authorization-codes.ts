// The authorization-code grant with PKCE, as AWS CLI 2.22+ runs `aws sso login` (docs/aws-cli.md,
// "Authorization code + PKCE"): the browser opens GET /authorize; the signed-in person consents;
// the browser is sent to the CLI's loopback listener with a code; CreateToken redeems the code
// with the redirect URI and the PKCE verifier.
//
// Store layout:
//   oidc-consent:<sha256(id)>        a validated authorization request awaiting the person's click,
//                                    bound to their portal session; taken by approve or deny
//   oidc-code:<sha256(code)>         an issued code; deleted by the one CreateToken that redeems it
//   oidc-code-redeemed:<sha256(code)> → the redeeming client's id and the approving portal session:
//                                    the claim that makes a code single-use (SET NX, written before
//                                    the code is deleted, so a second attempt at any moment finds
//                                    one or the other; even an attempt with a wrong verifier burns
//                                    the code). It lives as long as the code could (a minute).
//
// A second attempt by the client the code was issued to is a replay: the code may have leaked and
// been redeemed by someone else first, so the family of tokens issued from it is ended
// (RFC 6749 §4.1.2, token-families.ts). The family id is derived from the client id and the code,
// so an attempt by any other client (who cannot have been given its tokens) ends nothing. A replay
// is recognised while the claim lives, i.e. for as long as the code itself could have been used:
// no list of the family's tokens is kept to recognise it later (docs/performance.md, "Memory per
// session"); a code replayed after that is refused as expired.
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';
import { GRANT_AUTHORIZATION_CODE, type ClientRegistration, type ClientRegistrationService } from './client-registrations.ts';
import type { Approval } from './device-authorizations.ts';
import { OAuthError } from './oauth-errors.ts';
import { isS256Challenge, verifierMatches } from './pkce.ts';
import { redirectUriAllowed } from './redirect-uris.ts';
import { grantedScopes } from './scopes.ts';
import { newSecret, sha256 } from './secrets.ts';
import type { SsoOidcSettings } from './settings.ts';
import type { TokenFamilies } from './token-families.ts';

export interface AuthorizationRequest {
  clientId: string;
  clientName: string;
  /** Exactly as the client sent it (with its port); the code is bound to it (RFC 6749 §4.1.3). */
  redirectUri: string;
  state: string | null;
  codeChallenge: string;
  scopes: string[];
}

/**
 * How an /authorize request turned out. RFC 6749 §4.1.2.1: when the client or its redirect URI
 * cannot be trusted, the person sees an error page and is never redirected; any other problem is
 * reported to the (verified) redirect URI.
 */
export type AuthorizeCheck =
  | { ok: true; request: AuthorizationRequest }
  | { ok: false; redirectUri: null; message: string }
  | { ok: false; redirectUri: string; state: string | null; error: string; description: string };

interface StoredCode extends AuthorizationRequest {
  approval: Approval;
}

interface StoredConsent extends AuthorizationRequest {
  portalSessionHash: string;
}

const consentKey = (id: string) => `oidc-consent:${sha256(id)}`;
const codeKey = (hash: string) => `oidc-code:${hash}`;
const redeemedKey = (hash: string) => `oidc-code-redeemed:${hash}`;
const familyOf = (clientId: string, code: string) => sha256(`${clientId}\n${code}`);

/**
 * The claim on a code: who redeemed it first and the portal session it was approved in (to end its
 * family), as `<client id> <session hash>` (neither contains a space). Claims written by earlier
 * versions hold the client id alone; they live a minute.
 */
const claimOf = (clientId: string, portalSessionHash: string) => `${clientId} ${portalSessionHash}`;
const readClaim = (value: string) => {
  const [clientId = '', portalSessionHash = ''] = value.split(' ');
  return { clientId, portalSessionHash };
};

const USED_TWICE = 'This authorization code was already used, so every token issued from it has been revoked; sign in again';

/** What a redeemed code yields: the approval, its scopes, and the family its tokens join. */
export interface RedeemedCode {
  approval: Approval;
  scopes: string[];
  familyId: string;
}

export class AuthorizationCodeService {
  constructor(
    private readonly store: EphemeralStore,
    private readonly clients: ClientRegistrationService,
    private readonly settings: SsoOidcSettings,
    private readonly families: TokenFamilies,
  ) {}

  /** Checks the query of GET /authorize. */
  async check(query: Record<string, unknown>): Promise<AuthorizeCheck> {
    const param = (name: string, max: number) => {
      const v = query[name];
      return typeof v === 'string' && v.length <= max ? v : undefined;
    };
    const client = await this.clients.find(param('client_id', 128) ?? '');
    if (!client) return { ok: false, redirectUri: null, message: 'The application that sent you here is not registered with Gatehouse (or its registration has expired). Start the sign-in again from your terminal.' };
    const redirectUri = param('redirect_uri', 512);
    if (!redirectUri || !redirectUriAllowed(client.redirectUris, redirectUri)) {
      return { ok: false, redirectUri: null, message: 'The application asked to be sent somewhere it did not register. Gatehouse only returns codes to the loopback address the application registered (http://127.0.0.1/…).' };
    }
    const state = query.state === undefined ? null : (param('state', 512) ?? null);
    const fail = (error: string, description: string): AuthorizeCheck => ({ ok: false, redirectUri, state, error, description });
    if (query.state !== undefined && state === null) return fail('invalid_request', 'state is too long');
    if (param('response_type', 32) !== 'code') return fail('unsupported_response_type', 'response_type must be code');
    if (client.grantTypes.length && !client.grantTypes.includes(GRANT_AUTHORIZATION_CODE)) return fail('unauthorized_client', 'This client did not register the authorization_code grant');
    if (param('code_challenge_method', 16) !== 'S256') return fail('invalid_request', 'PKCE with code_challenge_method=S256 is required');
    const codeChallenge = param('code_challenge', 64);
    if (!codeChallenge || !isS256Challenge(codeChallenge)) return fail('invalid_request', 'code_challenge must be a base64url SHA-256 value');
    // The CLI sends `scopes` (plural, space-separated); RFC 6749 says `scope`. Accept either.
    const scopeText = param('scopes', 1024) ?? param('scope', 1024) ?? '';
    let scopes: string[];
    try {
      scopes = grantedScopes(client.scopes, scopeText.split(/[\s,]+/).filter(Boolean));
    } catch (e) {
      if (e instanceof OAuthError) return fail('invalid_scope', e.message);
      throw e;
    }
    return { ok: true, request: { clientId: client.clientId, clientName: client.clientName, redirectUri, state, codeChallenge, scopes } };
  }

  /** Keeps a checked request until the person clicks; returns the id the consent form carries. */
  async awaitConsent(request: AuthorizationRequest, portalSessionHash: string): Promise<string> {
    const id = newSecret();
    const consent: StoredConsent = { ...request, portalSessionHash };
    await this.store.set(consentKey(id), JSON.stringify(consent), this.settings.consentSeconds);
    return id;
  }

  /** The request behind a consent form, once, and only for the session it was shown to. */
  async takeConsent(id: string, portalSessionHash: string): Promise<AuthorizationRequest | null> {
    if (!id || id.length > 128) return null;
    const raw = await this.store.take(consentKey(id));
    if (!raw) return null;
    const { portalSessionHash: owner, ...request } = JSON.parse(raw) as StoredConsent;
    return owner === portalSessionHash ? request : null;
  }

  /** A fresh single-use code for an approved request. */
  async issue(request: AuthorizationRequest, approval: Approval): Promise<string> {
    const code = newSecret('gha-');
    const stored: StoredCode = { ...request, approval };
    await this.store.set(codeKey(sha256(code)), JSON.stringify(stored), this.settings.authorizationCodeSeconds);
    return code;
  }

  /**
   * CreateToken with the authorization_code grant: the approval, exactly once, or invalid_grant.
   * A replay by the same client ends every token issued from the code.
   */
  async redeem(client: ClientRegistration, code: string, redirectUri: string | undefined, codeVerifier: string | undefined): Promise<RedeemedCode> {
    if (code.length > 256) throw new OAuthError('invalid_grant', 'Unknown authorization code');
    const hash = sha256(code);
    const familyId = familyOf(client.clientId, code);
    // Claimed before any check: a failed attempt (wrong verifier) burns the code, so the verifier
    // cannot be guessed against it.
    const raw = await this.store.get(codeKey(hash));
    const stored = raw === null ? null : (JSON.parse(raw) as StoredCode);
    if (stored === null || !(await this.store.setIfAbsent(redeemedKey(hash), claimOf(client.clientId, stored.approval.portalSessionHash), this.settings.authorizationCodeSeconds))) {
      const marker = await this.store.get(redeemedKey(hash));
      const first = marker === null ? null : readClaim(marker);
      if (first?.clientId === client.clientId) {
        await this.families.end(familyId, first.portalSessionHash);
        throw new OAuthError('invalid_grant', USED_TWICE);
      }
      // Replayed once more after the marker expired: the family was ended by the first replay.
      if (await this.families.ended(familyId)) throw new OAuthError('invalid_grant', USED_TWICE);
      throw new OAuthError('invalid_grant', 'Unknown, expired or already used authorization code');
    }
    await this.store.delete(codeKey(hash));
    if (stored.clientId !== client.clientId) throw new OAuthError('invalid_grant', 'This authorization code was issued to another client');
    if (redirectUri !== stored.redirectUri) throw new OAuthError('invalid_grant', 'redirectUri does not match the one used to obtain the code');
    if (!codeVerifier || !verifierMatches(codeVerifier, stored.codeChallenge)) throw new OAuthError('invalid_grant', 'codeVerifier does not match the code challenge (PKCE S256)');
    return { approval: stored.approval, scopes: stored.scopes, familyId };
  }
}
