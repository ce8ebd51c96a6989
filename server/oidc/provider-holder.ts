// One provider per key set and set of custom claim names: when the OIDC signing keys change (a
// rotation on any node) or an app maps a new claim, the next request after the re-read gets a
// provider built with them. Nothing of value lives in a
// provider's memory (its state is in the ephemeral store), so replacing it loses nothing.
import type Provider from 'oidc-provider';
import type { OidcKeySet } from '../../access/oidc/signing-keys.ts';
import { createOidcProvider, type OidcProviderDeps } from './provider.ts';

export class OidcProviderHolder {
  #built: { version: string; provider: Provider; callback: ReturnType<Provider['callback']> } | null = null;
  #readAt = 0;
  #reading: Promise<[OidcKeySet, string[]]> | null = null;

  constructor(
    private readonly deps: {
      provider: Omit<OidcProviderDeps, 'jwks' | 'customClaims'>;
      keys: { read(): Promise<OidcKeySet> };
      /** The custom claim names of every OIDC app (a new one needs a provider that knows it). */
      claimNames: () => Promise<string[]>;
      /** How long a key set read is trusted before it is read again (SIGNING_KEYS_REFRESH_SECONDS). */
      refreshMs: number;
      now: () => number;
      /** Each new provider gets these koa middlewares (server/oidc/router.ts). */
      configure?: (provider: Provider) => void;
    },
  ) {}

  /** The provider for the key set as stored now (re-read at most every refreshMs). */
  async current(): Promise<{ provider: Provider; callback: ReturnType<Provider['callback']> }> {
    if (this.#built && this.deps.now() - this.#readAt < this.deps.refreshMs) return this.#built;
    this.#reading ??= Promise.all([this.deps.keys.read(), this.deps.claimNames()]).finally(() => (this.#reading = null));
    const [keys, claimNames] = await this.#reading;
    this.#readAt = this.deps.now();
    const version = `${keys.version}|${claimNames.join(',')}`;
    if (!this.#built || this.#built.version !== version) {
      const provider = createOidcProvider({ ...this.deps.provider, jwks: keys.jwks, customClaims: claimNames });
      this.deps.configure?.(provider);
      this.#built = { version, provider, callback: provider.callback() };
    }
    return this.#built;
  }

  /** After a rotation on this node: the next request reads the new set. */
  invalidate(): void {
    this.#readAt = 0;
  }
}
