// Accepting AuthnRequests and LogoutRequests end to end (idp/saml/inbound/receive.ts and the
// readers): SP-built requests from @node-saml/node-saml over both bindings, the issuer guard,
// IDP04/IDP05 signature rules, clock skew, Destination and the fields a caller acts on.
import { expect } from 'chai';
import { decodePostBinding, decodeRedirectBinding } from '../../idp/saml/inbound/bindings.ts';
import { acceptAuthnRequest, acceptLogoutRequest, claimedIssuer } from '../../idp/saml/inbound/receive.ts';
import {
  IDP_SLO_URL, IDP_SSO_URL, POST, REDIRECT, SP_ACS, SP_ACS_2, SP_ENTITY_ID, authnRequestXml, finder, logoutRequestXml, nodeSamlSp,
  postForm, redirectQuery, rejectionOf, rsaKey, signEnveloped, spApplication, type TestKey,
} from './inbound-fixtures.ts';

describe('inbound SAML: accepting requests', () => {
  let key: TestKey;
  let attacker: TestKey;
  before(async () => {
    [key, attacker] = await Promise.all([rsaKey('sp'), rsaKey('attacker')]);
  });

  describe('AuthnRequest from @node-saml/node-saml', () => {
    it('accepts a signed request over HTTP-POST and reads it from the signed content', async () => {
      const sp = nodeSamlSp(key, { authnRequestBinding: 'HTTP-POST', skipRequestCompression: true, forceAuthn: true });
      const form = await sp.getAuthorizeMessageAsync('relay-post', undefined, {});
      const app = spApplication([key.certPem], { authnRequestsSigned: true });
      const accepted = await acceptAuthnRequest(decodePostBinding(form as Record<string, string>), { findApplication: finder(app), expectedDestination: IDP_SSO_URL });
      expect(accepted.signed).to.equal(true);
      expect(accepted.application).to.equal(app);
      expect(accepted.acs).to.deep.equal({ url: SP_ACS, binding: POST, index: 0, isDefault: true });
      expect(accepted.relayState).to.equal('relay-post');
      expect(accepted.request).to.include({ issuer: SP_ENTITY_ID, destination: IDP_SSO_URL, assertionConsumerServiceUrl: SP_ACS, protocolBinding: POST, forceAuthn: true, isPassive: false });
      expect(accepted.request.id).to.match(/^_[0-9a-f]{40}$/);
      expect(Math.abs(accepted.request.issueInstant.getTime() - Date.now())).to.be.lessThan(10_000);
      expect(accepted.request.nameIdPolicy).to.deep.equal({ format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress', allowCreate: true });
    });

    it('accepts a signed request over HTTP-Redirect (IsPassive)', async () => {
      const sp = nodeSamlSp(key, { passive: true });
      const url = await sp.getAuthorizeUrlAsync('relay-redirect', undefined, {});
      const app = spApplication([key.certPem], { authnRequestsSigned: true });
      const accepted = await acceptAuthnRequest(decodeRedirectBinding(new URL(url).search), { findApplication: finder(app), expectedDestination: IDP_SSO_URL });
      expect(accepted.signed).to.equal(true);
      expect(accepted.relayState).to.equal('relay-redirect');
      expect(accepted.request.isPassive).to.equal(true);
      expect(accepted.acs.url).to.equal(SP_ACS);
    });

    it('accepts an unsigned request over either binding when the application does not require signing, reporting it unsigned', async () => {
      const sp = nodeSamlSp(undefined);
      const app = spApplication([key.certPem], { authnRequestsSigned: false });
      const viaRedirect = await acceptAuthnRequest(decodeRedirectBinding(new URL(await sp.getAuthorizeUrlAsync('', undefined, {})).search), { findApplication: finder(app) });
      expect(viaRedirect.signed).to.equal(false);
      const viaPost = await acceptAuthnRequest(decodePostBinding(postForm(authnRequestXml())), { findApplication: finder(app) });
      expect(viaPost.signed).to.equal(false);
    });
  });

  describe('signature rules', () => {
    it('refuses an unsigned request from an application that requires signing (AuthnRequestsSigned, SAML2Int IDP04)', async () => {
      const app = spApplication([key.certPem], { authnRequestsSigned: true });
      for (const message of [decodePostBinding(postForm(authnRequestXml())), decodeRedirectBinding(redirectQuery(authnRequestXml()))]) {
        const e = await rejectionOf(() => acceptAuthnRequest(message, { findApplication: finder(app) }));
        expect(e.reason).to.equal('signature-required');
        expect(e.message).to.match(/not signed, but application "https:\/\/sp.example.com\/saml\/metadata" requires signed requests/);
      }
    });

    it('refuses a bad signature on a request that did not need one (SAML2Int IDP05), over both bindings', async () => {
      const app = spApplication([key.certPem], { authnRequestsSigned: false });
      const forgedPost = decodePostBinding(postForm(signEnveloped(authnRequestXml(), attacker)));
      const forgedRedirect = decodeRedirectBinding(redirectQuery(authnRequestXml(), { key: attacker }));
      const tamperedPost = decodePostBinding(postForm(signEnveloped(authnRequestXml({ acsUrl: SP_ACS }), key).replace(SP_ACS, SP_ACS_2)));
      for (const message of [forgedPost, forgedRedirect, tamperedPost]) {
        const e = await rejectionOf(() => acceptAuthnRequest(message, { findApplication: finder(app) }));
        expect(e.reason).to.equal('signature-invalid');
      }
    });

    it('refuses an XML signature inside an HTTP-Redirect message', async () => {
      const e = await rejectionOf(() => acceptAuthnRequest(decodeRedirectBinding(redirectQuery(signEnveloped(authnRequestXml(), key), { key })), { findApplication: finder(spApplication([key.certPem])) }));
      expect(e.reason).to.equal('signature-structure');
      expect(e.message).to.match(/must not carry an XML signature/);
    });
  });

  describe('issuer guard', () => {
    it('returns the claimed Issuer for the caller to look up, and refuses one that names no application', async () => {
      const message = decodePostBinding(postForm(authnRequestXml({ issuer: 'https://stranger.example/sp' })));
      expect(claimedIssuer(message, 'AuthnRequest')).to.equal('https://stranger.example/sp');
      const looked: string[] = [];
      const e = await rejectionOf(() => acceptAuthnRequest(message, {
        findApplication: async (entityId: string) => { looked.push(entityId); return undefined; },
      }));
      expect(looked).to.deep.equal(['https://stranger.example/sp']);
      expect(e.reason).to.equal('unknown-issuer');
      expect(e.message).to.equal('The AuthnRequest\'s Issuer "https://stranger.example/sp" is not a registered application');
    });

    it('refuses when the application found is not exactly the Issuer (a lookup that folds case)', async () => {
      const app = spApplication([key.certPem]);
      const caseFolding = (entityId: string) => (entityId.toLowerCase() === app.entityId.toLowerCase() ? app : undefined);
      const message = decodePostBinding(postForm(authnRequestXml({ issuer: SP_ENTITY_ID.toUpperCase().replace('HTTPS', 'https') })));
      const e = await rejectionOf(() => acceptAuthnRequest(message, { findApplication: caseFolding }));
      expect(e.reason).to.equal('issuer-mismatch');
    });

    it('refuses an Issuer that is not an entity id, or is missing', async () => {
      const transient = authnRequestXml().replace('<saml:Issuer>', '<saml:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient">');
      expect((await rejectionOf(() => claimedIssuer(decodePostBinding(postForm(transient)), 'AuthnRequest'))).message).to.match(/must be an entity id/);
      const none = authnRequestXml().replace(/<saml:Issuer>.*<\/saml:Issuer>/, '');
      expect((await rejectionOf(() => claimedIssuer(decodePostBinding(postForm(none)), 'AuthnRequest'))).message).to.match(/has no <Issuer>/);
    });

    it('refuses a request whose ACS URL is not in the application\'s metadata, even when validly signed', async () => {
      const signed = signEnveloped(authnRequestXml({ acsUrl: 'https://attacker.example/acs' }), key);
      const e = await rejectionOf(() => acceptAuthnRequest(decodePostBinding(postForm(signed)), { findApplication: finder(spApplication([key.certPem])) }));
      expect(e.reason).to.equal('acs-not-allowed');
      expect(e.message).to.match(/"https:\/\/attacker.example\/acs" is not registered/);
    });
  });

  describe('time and addressing', () => {
    const accept = (xml: string, options: { now?: Date; clockSkewSeconds?: number; expectedDestination?: string } = {}) =>
      acceptAuthnRequest(decodePostBinding(postForm(xml)), { findApplication: finder(spApplication([key.certPem])), ...options });

    it('refuses an IssueInstant outside the allowed clock skew, in the past or the future', async () => {
      const now = Date.now();
      const old = await rejectionOf(() => accept(authnRequestXml({ issueInstant: new Date(now - 10 * 60_000).toISOString() })));
      expect(old.reason).to.equal('clock-skew');
      expect(old.message).to.match(/AuthnRequest IssueInstant is 60\d s old; requests older than 180 s are refused/);
      const future = await rejectionOf(() => accept(authnRequestXml({ issueInstant: new Date(now + 10 * 60_000).toISOString() })));
      expect(future.message).to.match(/in the future; at most 180 s of clock skew/);
      const ok = await accept(authnRequestXml({ issueInstant: new Date(now - 2 * 60_000).toISOString() }));
      expect(ok.request.issuer).to.equal(SP_ENTITY_ID);
      expect((await rejectionOf(() => accept(authnRequestXml({ issueInstant: new Date(now - 2 * 60_000).toISOString() }), { clockSkewSeconds: 60 }))).reason).to.equal('clock-skew');
    });

    it('refuses an IssueInstant that is not a UTC xs:dateTime', async () => {
      for (const bad of ['2026-01-31 12:00:00Z', '2026-01-31T12:00:00', '2026-02-30T12:00:00Z', 'Tue, 31 Jan 2026 12:00:00 GMT']) {
        const e = await rejectionOf(() => accept(authnRequestXml({ issueInstant: bad })));
        expect(e.message, bad).to.match(/is not an xs:dateTime in UTC/);
      }
      const offset = new Date(Date.now() + 60 * 60_000).toISOString().replace('Z', '+01:00');
      expect((await accept(authnRequestXml({ issueInstant: offset }))).signed).to.equal(false); // 1 h ahead written in +01:00 is now
    });

    it('refuses a Destination that is not ours, and a signed request without one', async () => {
      const e = await rejectionOf(() => accept(authnRequestXml({ destination: 'https://other-idp.example/sso' }), { expectedDestination: IDP_SSO_URL }));
      expect(e.reason).to.equal('wrong-destination');
      const missing = signEnveloped(authnRequestXml({ destination: null }), key);
      expect((await rejectionOf(() => accept(missing, { expectedDestination: IDP_SSO_URL }))).message).to.match(/signed AuthnRequest has no Destination/);
      expect((await accept(authnRequestXml({ destination: null }), { expectedDestination: IDP_SSO_URL })).request.destination).to.equal(undefined);
    });

    it('refuses a request that is not a SAML 2.0 AuthnRequest', async () => {
      expect((await rejectionOf(() => accept(authnRequestXml().replace('Version="2.0"', 'Version="1.1"')))).message).to.match(/only SAML 2.0/);
      expect((await rejectionOf(() => accept(logoutRequestXml()))).message).to.match(/Expected a <samlp:AuthnRequest>/);
      const foreignNs = authnRequestXml().replace('xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"', 'xmlns:samlp="urn:evil"');
      expect((await rejectionOf(() => accept(foreignNs))).message).to.match(/in the SAML 2.0 protocol namespace/);
      expect((await rejectionOf(() => accept(authnRequestXml({ id: '1bad id' })))).message).to.match(/not a valid identifier/);
    });

    it('refuses an ACS index given together with an ACS URL, and a non-boolean ForceAuthn', async () => {
      const both = authnRequestXml().replace('Version="2.0"', 'Version="2.0" AssertionConsumerServiceIndex="1"');
      expect((await rejectionOf(() => accept(both))).message).to.match(/only one way to choose the ACS/);
      expect((await rejectionOf(() => accept(authnRequestXml().replace('Version="2.0"', 'Version="2.0" ForceAuthn="yes"')))).message).to.match(/ForceAuthn "yes" is not a boolean/);
    });
  });

  describe('LogoutRequest', () => {
    const app = () => spApplication([key.certPem]);

    it('accepts a signed LogoutRequest over HTTP-Redirect from @node-saml/node-saml', async () => {
      const sp = nodeSamlSp(key);
      const url = await sp.getLogoutUrlAsync({ issuer: SP_ENTITY_ID, nameID: 'alice@example.com', nameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress', sessionIndex: '_s42' }, 'bye', {});
      const accepted = await acceptLogoutRequest(decodeRedirectBinding(new URL(url).search), { findApplication: finder(app()), expectedDestination: IDP_SLO_URL });
      expect(accepted.signed).to.equal(true);
      expect(accepted.relayState).to.equal('bye');
      expect(accepted.request.nameId).to.deep.equal({ value: 'alice@example.com', format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' });
      expect(accepted.request.sessionIndexes).to.deep.equal(['_s42']);
      expect(accepted.request.issuer).to.equal(SP_ENTITY_ID);
    });

    it('accepts a signed LogoutRequest over HTTP-POST, reading every SessionIndex', async () => {
      const notOnOrAfter = new Date(Date.now() + 5 * 60_000).toISOString();
      const signed = signEnveloped(logoutRequestXml({ nameId: 'bob@example.com', sessionIndexes: ['_a', '_b'], notOnOrAfter }), key);
      const accepted = await acceptLogoutRequest(decodePostBinding(postForm(signed)), { findApplication: finder(app()) });
      expect(accepted.request.nameId.value).to.equal('bob@example.com');
      expect(accepted.request.sessionIndexes).to.deep.equal(['_a', '_b']);
      expect(accepted.request.notOnOrAfter?.toISOString()).to.equal(notOnOrAfter);
    });

    it('refuses an unsigned LogoutRequest unless the caller relaxes it', async () => {
      const message = decodePostBinding(postForm(logoutRequestXml()));
      const e = await rejectionOf(() => acceptLogoutRequest(message, { findApplication: finder(app()) }));
      expect(e.reason).to.equal('signature-required');
      expect(e.message).to.match(/logout requests must be signed/);
      expect((await acceptLogoutRequest(message, { findApplication: finder(app()), requireSignature: false })).signed).to.equal(false);
    });

    it('refuses an expired LogoutRequest (NotOnOrAfter) and one naming the user by EncryptedID', async () => {
      const expired = signEnveloped(logoutRequestXml({ notOnOrAfter: new Date(Date.now() - 10 * 60_000).toISOString() }), key);
      const e = await rejectionOf(() => acceptLogoutRequest(decodePostBinding(postForm(expired)), { findApplication: finder(app()) }));
      expect(e.reason).to.equal('message-expired');
      const encrypted = signEnveloped(logoutRequestXml().replace(/<saml:NameID[^>]*>[^<]*<\/saml:NameID>/, '<saml:EncryptedID><x/></saml:EncryptedID>'), key);
      expect((await rejectionOf(() => acceptLogoutRequest(decodePostBinding(postForm(encrypted)), { findApplication: finder(app()) }))).message).to.match(/only a plain NameID is supported/);
    });

    it('refuses a LogoutRequest with a bad signature and one from an unknown Issuer', async () => {
      const forged = signEnveloped(logoutRequestXml(), attacker);
      expect((await rejectionOf(() => acceptLogoutRequest(decodePostBinding(postForm(forged)), { findApplication: finder(app()), requireSignature: false }))).reason).to.equal('signature-invalid');
      const stranger = signEnveloped(logoutRequestXml({ issuer: 'https://stranger.example' }), key);
      expect((await rejectionOf(() => acceptLogoutRequest(decodePostBinding(postForm(stranger)), { findApplication: finder(app()) }))).reason).to.equal('unknown-issuer');
    });
  });

  it('ACS by index and the metadata default, never an HTTP-Redirect ACS', async () => {
    const application = spApplication([key.certPem]);
    const byIndex = await acceptAuthnRequest(decodePostBinding(postForm(authnRequestXml({ acsIndex: 1 }))), { findApplication: finder(application) });
    expect(byIndex.acs.url).to.equal(SP_ACS_2);
    const byDefault = await acceptAuthnRequest(decodePostBinding(postForm(authnRequestXml({ acsUrl: null, protocolBinding: null }))), { findApplication: finder(application) });
    expect(byDefault.acs.url).to.equal(SP_ACS);
    const e = await rejectionOf(() => acceptAuthnRequest(decodePostBinding(postForm(authnRequestXml({ protocolBinding: REDIRECT }))), { findApplication: finder(application) }));
    expect(e.message).to.match(/responses are only sent over HTTP-POST/);
  });
});
