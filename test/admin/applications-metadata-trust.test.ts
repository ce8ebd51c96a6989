// SP metadata trust through the admin API: an application (or the whole instance) may require its
// SP metadata to be signed by a configured certificate, checked with that certificate only (a
// KeyInfo in the document never counts), and to carry validUntil. Every way metadata comes in
// (JSON, raw upload, URL, PATCH, refresh) is held to it; refusals are 400s naming the field and
// change nothing; by default nothing more is required than before. An app whose required
// validUntil has passed is not signed in to.

import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { seedOrganization } from '../support/seed.ts';
import { rsaKey, signMetadata, type TestKey } from '../idp/inbound-fixtures.ts';
import { hex, keys, metadata, MetadataServer, uniqueEntityId, uploadRaw, type Keys } from './applications-fixtures.ts';

const inAWeek = () => new Date(Date.now() + 7 * 24 * 3600_000).toISOString();

describe('admin API: SP metadata trust', function () {
  this.timeout(30_000);
  let gh: TestGatehouse;
  let server: MetadataServer;
  let k: Keys;
  let signer: TestKey;
  let attacker: TestKey;

  before(async () => {
    [gh, server, k, signer, attacker] = await Promise.all([
      startGatehouse({ env: { METADATA_FETCH_ALLOW_PRIVATE: '127.0.0.1', METADATA_FETCH_TIMEOUT_MS: '1000' } }),
      MetadataServer.start(),
      keys(),
      rsaKey('metadata-signer'),
      rsaKey('attacker'),
    ]);
  });
  after(async () => {
    await Promise.all([gh?.close(), server?.close()]);
  });

  /** An SP metadata document with an ID (for a signature to reference). */
  const doc = (entityId = uniqueEntityId(), more: Parameters<typeof metadata>[3] = {}) => metadata(entityId, k.sp, null, { id: `_md${hex()}`, ...more });
  const requireSigned = () => ({ requireSignature: true, signingCertificates: [signer.certPem] });

  function expectRefused(res: { status: number; body: any }, field: string, detail: RegExp) {
    expect(res.status, JSON.stringify(res.body)).to.equal(400);
    expect(res.body.type).to.equal('urn:gatehouse:problem:validation');
    expect(res.body.errors.map((e: { field: string }) => e.field)).to.deep.equal([field]);
    expect(res.body.detail).to.match(detail);
  }

  async function expectNoAppNamed(name: string) {
    expect((await gh.api('GET', `/applications?name=${encodeURIComponent(name)}`)).body.items).to.deep.equal([]);
  }

  it('requires nothing more by default: the instance says so, and unsigned metadata without validUntil is taken', async () => {
    const instance = (await gh.api('GET', '/instance')).body;
    expect(instance.metadataTrust).to.deep.equal({ requireSignature: false, requireValidUntil: false, signingCertificates: [] });
    const res = await gh.api('POST', '/applications', { name: `Plain ${hex()}`, metadataXml: doc() });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.metadataTrust).to.deep.equal({ requireSignature: null, requireValidUntil: null, signingCertificates: [] });
  });

  it('an app requiring signed metadata takes only a document its configured certificate signed, never trusting KeyInfo', async () => {
    const cases: [string, RegExp][] = [
      [doc(), /metadata is not signed; signed metadata is required/],
      // The attacker's own certificate in KeyInfo changes nothing.
      [signMetadata(doc(), attacker, { keyInfoCertPem: attacker.certPem }), /does not verify with the configured metadata signing certificate/],
      // Signed, then an ACS added.
      [signMetadata(doc(), signer).replace('</md:SPSSODescriptor>', '<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://evil.example.com/acs" index="9"/></md:SPSSODescriptor>'), /changed after it was signed/],
    ];
    // A signed document hidden inside an unsigned one (signature wrapping).
    const hidden = signMetadata(doc(), signer).replace(/^<\?xml[^>]*>\s*/, '');
    cases.push([doc().replace('<md:SPSSODescriptor', `<md:Extensions>${hidden}</md:Extensions><md:SPSSODescriptor`), /signature wrapping/]);
    for (const [xml, detail] of cases) {
      const name = `Signed ${hex()}`;
      expectRefused(await gh.api('POST', '/applications', { name, metadataXml: xml, metadataTrust: requireSigned() }), 'metadataXml', detail);
      await expectNoAppNamed(name);
    }
    // Typed fields cannot be signed.
    const typed = await gh.api('POST', '/applications', { name: `Typed ${hex()}`, entityId: uniqueEntityId(), acs: [{ url: 'https://sp.example.com/acs' }], metadataTrust: requireSigned() });
    expectRefused(typed, 'entityId', /signed SP metadata is required/);

    const entityId = uniqueEntityId();
    const signed = signMetadata(doc(entityId), signer, { keyInfoCertPem: signer.certPem });
    const res = await gh.api('POST', '/applications', { name: `Signed ${hex()}`, metadataXml: signed, metadataTrust: requireSigned() });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.deep.include({ entityId });
    expect(res.body.metadata.xml).to.equal(signed);
    expect(res.body.metadataTrust).to.deep.include({ requireSignature: true, requireValidUntil: null });
    expect(res.body.metadataTrust.signingCertificates).to.have.length(1);
  });

  it('refuses a weak or unreadable metadata signing certificate, naming it', async () => {
    const weak = await gh.api('POST', '/applications', { name: `Weak ${hex()}`, metadataXml: doc(), metadataTrust: { signingCertificates: [k.weak.certPem] } });
    expectRefused(weak, 'metadataTrust.signingCertificates.0', /1024-bit RSA key/);
    expectRefused(await gh.api('PATCH', '/instance', { metadataTrust: { signingCertificates: ['garbage'] } }), 'metadataTrust.signingCertificates.0', /not base64-encoded DER|not a readable/);
  });

  it('an app requiring validUntil refuses metadata without it, and expired metadata', async () => {
    const trust = { requireValidUntil: true };
    expectRefused(await gh.api('POST', '/applications', { name: `V ${hex()}`, metadataXml: doc(), metadataTrust: trust }), 'metadataXml', /has no validUntil/);
    expectRefused(await gh.api('POST', '/applications', { name: `V ${hex()}`, metadataXml: doc(undefined, { validUntil: '2021-06-01T00:00:00Z' }), metadataTrust: trust }), 'metadataXml', /expired at 2021-06-01/);
    const ok = await gh.api('POST', '/applications', { name: `V ${hex()}`, metadataXml: doc(undefined, { validUntil: inAWeek() }), metadataTrust: trust });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
  });

  it('turning a requirement on checks the metadata the app has now; new metadata may come in the same request', async () => {
    const app = (await gh.api('POST', '/applications', { name: `Later ${hex()}`, metadataXml: doc() })).body;
    expectRefused(await gh.api('PATCH', `/applications/${app.id}`, { metadataTrust: requireSigned() }), 'metadataTrust', /current metadata does not meet it \(The metadata is not signed/);
    expect((await gh.api('GET', `/applications/${app.id}`)).body).to.deep.include({ metadataTrust: app.metadataTrust, updatedAt: app.updatedAt });

    const signed = signMetadata(doc(app.entityId), signer);
    const res = await gh.api('PATCH', `/applications/${app.id}`, { metadataTrust: requireSigned(), metadataXml: signed });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.metadata.xml).to.equal(signed);
    // From now on an unsigned replacement is refused.
    expectRefused(await gh.api('PATCH', `/applications/${app.id}`, { metadataXml: doc(app.entityId) }), 'metadataXml', /not signed/);

    const typed = (await gh.api('POST', '/applications', { name: `Typed ${hex()}`, entityId: uniqueEntityId(), acs: [{ url: 'https://sp.example.com/acs' }] })).body;
    expectRefused(await gh.api('PATCH', `/applications/${typed.id}`, { metadataTrust: { requireSignature: true } }), 'metadataTrust.requireSignature', /fields typed by hand carry no signature/);
  });

  it('a refreshed document that is no longer signed is refused, and the last good copy kept', async () => {
    const path = `/md-${hex()}.xml`;
    const entityId = uniqueEntityId();
    const good = signMetadata(doc(entityId), signer);
    server.serve(path, good);
    const created = await gh.api('POST', '/applications', { name: `URL ${hex()}`, metadataUrl: server.url(path), metadataTrust: requireSigned() });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);

    server.serve(path, metadata(entityId, k.next, null));
    const refreshed = (await gh.api('POST', `/applications/${created.body.id}/refresh-metadata`)).body;
    expect(refreshed.outcome).to.equal('failed');
    expect(refreshed.error).to.match(/was refused: The metadata is not signed/);
    const now = (await gh.api('GET', `/applications/${created.body.id}`)).body;
    expect(now.metadata.xml).to.equal(good);
    expect(now.signingCertificates).to.deep.equal(created.body.signingCertificates);
  });

  it('the instance default applies to every app that does not say otherwise, on every path in', async () => {
    const set = await gh.api('PATCH', '/instance', { metadataTrust: { ...requireSigned(), requireValidUntil: true } });
    expect(set.status, JSON.stringify(set.body)).to.equal(200);
    expect(set.body.metadataTrust).to.deep.include({ requireSignature: true, requireValidUntil: true });
    try {
      const unsigned = doc(undefined, { validUntil: inAWeek() });
      const name = `Inst ${hex()}`;
      expectRefused(await gh.api('POST', '/applications', { name, metadataXml: unsigned }), 'metadataXml', /not signed/);
      expectRefused(await uploadRaw(gh, unsigned, `?name=${encodeURIComponent(name)}`), 'metadataXml', /not signed/);
      const path = `/md-${hex()}.xml`;
      server.serve(path, unsigned);
      expectRefused(await gh.api('POST', '/applications', { name, metadataUrl: server.url(path) }), 'metadataUrl', /not signed/);
      expectRefused(await gh.api('POST', '/applications', { name, metadataXml: signMetadata(doc(), signer) }), 'metadataXml', /has no validUntil/);
      await expectNoAppNamed(name);

      expect((await gh.api('POST', '/applications', { name, metadataXml: signMetadata(doc(undefined, { validUntil: inAWeek() }), signer) })).status).to.equal(201);
      // An app may ask for less than the instance.
      const relaxed = await gh.api('POST', '/applications', { name: `Relaxed ${hex()}`, metadataXml: doc(), metadataTrust: { requireSignature: false, requireValidUntil: false } });
      expect(relaxed.status, JSON.stringify(relaxed.body)).to.equal(201);
    } finally {
      expect((await gh.api('PATCH', '/instance', { metadataTrust: { requireSignature: false, requireValidUntil: false, signingCertificates: [] } })).status).to.equal(200);
    }
  });

  it('an app whose required validUntil has passed is not signed in to', async () => {
    const org = await seedOrganization(gh.services, { users: [{ userName: `v${hex()}`, email: 'v@example.com' }] });
    const person = Object.values(org.users)[0]!;
    const app = (await gh.api('POST', '/applications', { name: `Expiring ${hex()}`, metadataXml: doc(undefined, { validUntil: inAWeek() }), metadataTrust: { requireValidUntil: true } })).body;
    expect((await gh.api('POST', `/applications/${app.id}/assignments`, { principalType: 'USER', principalId: person.id })).status).to.equal(201);
    const client = new PortalClient(gh.baseUrl);
    await client.signIn(person.userName, person.password);
    const launch = async () => {
      await client.request('GET', '/start/applications');
      return client.request('POST', '/start/applications/launch', { csrf: client.csrf(), applicationId: app.id });
    };
    expect((await launch()).text).to.include('name="SAMLResponse"');

    // A week later, as far as the stored copy is concerned.
    const stored = (await gh.services.sql.applications.get(app.id))!;
    await gh.services.sql.applications.update(app.id, { metadata: { ...stored.metadata, validUntil: new Date(Date.now() - 1000) } });
    const refused = await launch();
    expect(refused.status).to.equal(403);
    expect(refused.text).to.not.include('name="SAMLResponse"');
    expect(refused.text).to.match(/has expired/);
  });
});
