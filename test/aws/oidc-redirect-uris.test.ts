// Loopback redirect URI matching (RFC 8252 §7.3) and user-code input, the two pieces of the SSO
// OIDC API whose mistakes would be open redirects or unguessable-but-unusable codes.
import { expect } from 'chai';
import { redirectUriAllowed } from '../../access/sso-oidc/redirect-uris.ts';
import { newUserCode, normalizeUserCode } from '../../access/sso-oidc/user-codes.ts';

describe('SSO OIDC loopback redirect URIs', () => {
  const cli = ['http://127.0.0.1/oauth/callback'];

  it('accepts any port for a URI registered without one, and only that port for one registered with it', () => {
    expect(redirectUriAllowed(cli, 'http://127.0.0.1:54321/oauth/callback')).to.equal(true);
    expect(redirectUriAllowed(cli, 'http://127.0.0.1/oauth/callback')).to.equal(true);
    const fixed = ['http://127.0.0.1:8400/oauth/callback'];
    expect(redirectUriAllowed(fixed, 'http://127.0.0.1:8400/oauth/callback')).to.equal(true);
    expect(redirectUriAllowed(fixed, 'http://127.0.0.1:8401/oauth/callback')).to.equal(false);
    expect(redirectUriAllowed(['http://[::1]/cb'], 'http://[::1]:9000/cb')).to.equal(true);
    expect(redirectUriAllowed(['http://[::1]/cb'], 'http://127.0.0.1:9000/cb')).to.equal(false);
  });

  it('refuses every look-alike of the loopback callback', () => {
    for (const uri of [
      'http://localhost:5000/oauth/callback',
      'https://127.0.0.1:5000/oauth/callback',
      'http://127.0.0.1:5000@evil.example/oauth/callback',
      'http://user@127.0.0.1:5000/oauth/callback',
      'http://127.0.0.1.nip.io:5000/oauth/callback',
      'http://127.0.0.2:5000/oauth/callback',
      'http://127.0.0.1:5000/oauth/callback/',
      'http://127.0.0.1:5000/oauth/callbackX',
      'http://127.0.0.1:5000/oauth/../oauth/callback',
      'http://127.0.0.1:5000/oauth/%2e%2e/callback',
      'http://127.0.0.1:5000/oauth/callback?x=1',
      'http://127.0.0.1:5000/oauth/callback#x',
      'http://127.0.0.1:5000\\@evil.example/oauth/callback',
      'http://127.0.0.1:0/oauth/callback',
      'http://127.0.0.1:65536/oauth/callback',
      'http://127.0.0.1:05000/oauth/callback',
      'HTTP://127.0.0.1:5000/oauth/callback',
      ' http://127.0.0.1:5000/oauth/callback',
    ]) {
      expect(redirectUriAllowed(cli, uri), uri).to.equal(false);
    }
  });
});

describe('SSO OIDC user codes', () => {
  it('makes XXXX-XXXX codes from twenty consonants, and reads them back however they are typed', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const code = newUserCode();
      expect(code).to.match(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
      seen.add(code);
      expect(normalizeUserCode(code.toLowerCase().replace('-', ' '))).to.equal(code);
      expect(normalizeUserCode(code.replace('-', ''))).to.equal(code);
    }
    expect(seen.size).to.equal(200);
    for (const bad of ['', 'BCDF-GHJ', 'BCDF-GHJKL', 'ABCD-EFGH', 'BCDF-GHJ0', 'x'.repeat(100)]) expect(normalizeUserCode(bad), bad).to.equal(null);
  });
});
