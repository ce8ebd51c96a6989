// ACS resolution (idp/saml/inbound/acs.ts): exact, case-sensitive string match against the SP's
// metadata, else refuse; no URL requested means the metadata default over HTTP-POST.
import { expect } from 'chai';
import { resolveAcs, type AcsEndpoint } from '../../idp/saml/inbound/acs.ts';
import { POST, REDIRECT, rejectionOf } from './inbound-fixtures.ts';

const ACS = 'https://sp.example.com/saml/acs';
const endpoints: AcsEndpoint[] = [
  { url: 'https://sp.example.com/saml/acs-low', binding: POST, index: 0 },
  { url: ACS, binding: POST, index: 3, isDefault: true },
  { url: 'https://sp.example.com/saml/acs-redirect', binding: REDIRECT, index: 1 },
  { url: 'https://sp.example.com/saml/artifact', binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact', index: 2 },
];

describe('inbound SAML: ACS resolution', () => {
  it('returns the registered endpoint for an exactly matching URL', () => {
    expect(resolveAcs(endpoints, { assertionConsumerServiceUrl: ACS, protocolBinding: POST })).to.deep.equal(endpoints[1]);
    expect(resolveAcs(endpoints, { assertionConsumerServiceUrl: 'https://sp.example.com/saml/acs-low' }).index).to.equal(0);
  });

  it('refuses a foreign ACS URL and every "equivalent" spelling of a registered one', async () => {
    const variants = [
      'https://attacker.example/saml/acs',
      'https://SP.example.com/saml/acs', // host case
      'https://sp.example.com/SAML/acs', // path case
      'HTTPS://sp.example.com/saml/acs', // scheme case
      'https://sp.example.com/saml/acs/', // trailing slash
      'https://user@sp.example.com/saml/acs', // userinfo
      'https://sp.example.com@attacker.example/saml/acs', // userinfo pointing elsewhere
      'https://sp.example.com:443/saml/acs', // default port spelled out
      'https://sp.example.com/saml/%61cs', // percent-encoded letter
      'https://sp.example.com/saml/acs?x=1',
      'https://sp.example.com/saml/acs#f',
      'https://sp.example.com/saml/./acs',
      ' https://sp.example.com/saml/acs',
    ];
    for (const url of variants) {
      const e = await rejectionOf(() => resolveAcs(endpoints, { assertionConsumerServiceUrl: url }));
      expect(e.reason, url).to.equal('acs-not-allowed');
      expect(e.message, url).to.include('is not registered for this application (it must match the metadata exactly)');
    }
  });

  it('never resolves to an HTTP-Redirect (or other non-POST) ACS, by URL, index or binding', async () => {
    const byUrl = await rejectionOf(() => resolveAcs(endpoints, { assertionConsumerServiceUrl: 'https://sp.example.com/saml/acs-redirect' }));
    expect(byUrl.message).to.match(/registered only for HTTP-Redirect; responses are only sent over HTTP-POST/);
    const byIndex = await rejectionOf(() => resolveAcs(endpoints, { assertionConsumerServiceIndex: 2 }));
    expect(byIndex.message).to.match(/ACS index 2 uses HTTP-Artifact/);
    const byBinding = await rejectionOf(() => resolveAcs(endpoints, { assertionConsumerServiceUrl: ACS, protocolBinding: REDIRECT }));
    expect(byBinding.message).to.match(/asks for the Response over HTTP-Redirect/);
  });

  it('resolves an index, and refuses an unknown one', async () => {
    expect(resolveAcs(endpoints, { assertionConsumerServiceIndex: 3 }).url).to.equal(ACS);
    expect((await rejectionOf(() => resolveAcs(endpoints, { assertionConsumerServiceIndex: 9 }))).message).to.match(/Index 9 is not registered/);
  });

  it('uses the metadata default when nothing is requested: isDefault, else the lowest HTTP-POST index', async () => {
    expect(resolveAcs(endpoints, {}).url).to.equal(ACS);
    const noDefault = endpoints.map(({ isDefault: _unused, ...e }) => e);
    expect(resolveAcs(noDefault, {}).url).to.equal('https://sp.example.com/saml/acs-low');
    // A default marked on a Redirect endpoint is not a place a Response can go.
    const redirectDefault: AcsEndpoint[] = [
      { url: 'https://sp.example.com/r', binding: REDIRECT, index: 0, isDefault: true },
      { url: 'https://sp.example.com/p', binding: POST, index: 5 },
    ];
    expect(resolveAcs(redirectDefault, {}).url).to.equal('https://sp.example.com/p');
    expect((await rejectionOf(() => resolveAcs([redirectDefault[0]!], {}))).message).to.match(/no HTTP-POST AssertionConsumerService/);
  });
});
