// The OpenID Provider's signing keys (docs/oidc-applications.md "Signing keys"): one RS256 and one
// ES256 key (OpenID Connect Core §10.1: RS256 is what every RP must accept; ES256 is offered to
// those that ask, id_token_signed_response_alg), generated at first start, private parts sealed
// under the server key like the SAML keys (crypto/secret-box.ts), kept in one settings document.
//
// Rotation keeps an overlap: the new pair signs at once, the pair it replaces stays published in
// the JWKS (status `previous`) until the next rotation, so tokens it signed still verify and
// relying parties that cache the JWKS find the new kid on their next fetch (OpenID Connect Core §10.1.1).
import { generateKeyPairSync, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import { open, seal } from '../../crypto/secret-box.ts';
import type { AuditStore, SqlStores } from '../../store/stores.ts';

export const OIDC_SIGNING_ALGS = ['RS256', 'ES256'] as const;
export type OidcSigningAlg = (typeof OIDC_SIGNING_ALGS)[number];

const DOCUMENT = 'oidc-signing-keys';

interface StoredKey {
  kid: string;
  alg: OidcSigningAlg;
  status: 'current' | 'previous';
  /** The private JWK as JSON, sealed under the server key with the kid as associated data. */
  privateJwkSealed: string;
  createdAt: string;
}

interface KeySetDocument {
  keys: StoredKey[];
}

/** A key as the provider takes it (a private JWK with kid, alg and use). */
export type ProviderJwk = JsonWebKey & { kid: string; alg: OidcSigningAlg; use: 'sig' };

export interface OidcKeySet {
  /** Private JWKs, current keys first (oidc-provider signs with the first of an algorithm). */
  jwks: ProviderJwk[];
  /** Changes whenever the set does, so each node rebuilds its provider once. */
  version: string;
}

/** Makes the private key of a new signing key of an algorithm. */
export type OidcKeyGenerator = (alg: OidcSigningAlg) => KeyObject;

/** A new RSA 2048 (RS256, RFC 7518 §3.3) or P-256 (ES256, RFC 7518 §3.4) private key. */
export const generateOidcKey: OidcKeyGenerator = (alg) =>
  (alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' })).privateKey;

function newKey(alg: OidcSigningAlg, sealKey: Buffer, now: Date, generate: OidcKeyGenerator): StoredKey {
  const privateKey = generate(alg);
  const kid = `${alg.toLowerCase()}-${randomBytes(8).toString('hex')}`;
  const jwk = privateKey.export({ format: 'jwk' });
  return { kid, alg, status: 'current', privateJwkSealed: seal(sealKey, JSON.stringify(jwk), `oidc-key:${kid}`), createdAt: now.toISOString() };
}

export class OidcSigningKeys {
  constructor(
    private readonly deps: {
      stores: Pick<SqlStores, 'settings' | 'transaction'>;
      audit: AuditStore;
      sealKey: Buffer;
      now: () => Date;
      /** Default: generateOidcKey. */
      generate?: OidcKeyGenerator;
    },
  ) {}

  private newKeys(): StoredKey[] {
    return OIDC_SIGNING_ALGS.map((alg) => newKey(alg, this.deps.sealKey, this.deps.now(), this.deps.generate ?? generateOidcKey));
  }

  /**
   * The key set, created at first start. Nodes starting together on one database are made to
   * agree: the instance row is held while the document is read and, when missing, written.
   */
  async ensure(): Promise<OidcKeySet> {
    const existing = await this.deps.stores.settings.get<KeySetDocument>(DOCUMENT);
    if (existing) return this.toKeySet(existing.value);
    const generated: KeySetDocument = { keys: this.newKeys() };
    const doc = await this.deps.stores.transaction(async (tx) => {
      await tx.instance.getOrCreateForUpdate();
      const again = await tx.settings.get<KeySetDocument>(DOCUMENT);
      if (again) return again.value;
      await tx.settings.put(DOCUMENT, generated);
      return generated;
    });
    return this.toKeySet(doc);
  }

  /** The key set as stored now (other nodes' rotations included). */
  async read(): Promise<OidcKeySet> {
    const doc = await this.deps.stores.settings.get<KeySetDocument>(DOCUMENT);
    return doc ? this.toKeySet(doc.value) : this.ensure();
  }

  /** New current keys for every algorithm; the replaced ones stay published, older ones go. */
  async rotate(actor: string): Promise<{ current: string[]; previous: string[] }> {
    const fresh = this.newKeys();
    const doc = await this.deps.stores.transaction(async (tx) => {
      await tx.instance.getOrCreateForUpdate();
      const stored = (await tx.settings.get<KeySetDocument>(DOCUMENT))?.value ?? { keys: [] };
      const previous = stored.keys.filter((k) => k.status === 'current').map((k) => ({ ...k, status: 'previous' as const }));
      const next: KeySetDocument = { keys: [...fresh, ...previous] };
      await tx.settings.put(DOCUMENT, next);
      await tx.audit.append({
        actor,
        action: 'oidc.signing-keys.rotate',
        target: 'oidc/signing-keys',
        detail: { current: fresh.map((k) => k.kid), previous: previous.map((k) => k.kid), dropped: stored.keys.filter((k) => k.status === 'previous').map((k) => k.kid) },
      });
      return next;
    });
    return { current: doc.keys.filter((k) => k.status === 'current').map((k) => k.kid), previous: doc.keys.filter((k) => k.status === 'previous').map((k) => k.kid) };
  }

  /** The public keys as published, with their status (admin API). */
  async list(): Promise<{ kid: string; alg: OidcSigningAlg; status: StoredKey['status']; createdAt: string }[]> {
    const doc = (await this.deps.stores.settings.get<KeySetDocument>(DOCUMENT))?.value ?? { keys: [] };
    return doc.keys.map(({ kid, alg, status, createdAt }) => ({ kid, alg, status, createdAt }));
  }

  private toKeySet(doc: KeySetDocument): OidcKeySet {
    const ordered = [...doc.keys.filter((k) => k.status === 'current'), ...doc.keys.filter((k) => k.status === 'previous')];
    const jwks = ordered.map((k) => {
      const plain = open(this.deps.sealKey, k.privateJwkSealed, `oidc-key:${k.kid}`);
      if (plain === null) throw new Error(`OIDC signing key ${k.kid} does not open under this server key: every node must share GATEHOUSE_SECRET or the certs directory`);
      return { ...(JSON.parse(plain) as JsonWebKey), kid: k.kid, alg: k.alg, use: 'sig' as const };
    });
    return { jwks, version: ordered.map((k) => `${k.kid}:${k.status}`).join(',') };
  }
}
