// A new application made from SP metadata starts with the NameID format the SP declares (SAML
// metadata §2.4.4), so an SP that asks for emailAddress is not refused InvalidNameIDPolicy until
// an administrator edits the app; settings given with the request still win.
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { spMetadataXml } from '../idp/inbound-fixtures.ts';
import { NAMEID_EMAIL, NAMEID_PERSISTENT, uniqueEntityId, uploadRaw } from './applications-fixtures.ts';

const TRANSIENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';

/** SP metadata declaring exactly `formats` (the shared fixture always declares emailAddress first). */
function declaring(entityId: string, formats: string[]): string {
  return spMetadataXml({ entityId }).replace(
    /\s*<md:NameIDFormat>[^<]*<\/md:NameIDFormat>/,
    formats.map((f) => `\n    <md:NameIDFormat>${f}</md:NameIDFormat>`).join(''),
  );
}

describe('admin API: an uploaded SP\'s declared NameIDFormat', function () {
  let gh: TestGatehouse;
  before(async () => {
    gh = await startGatehouse();
  });
  after(async () => {
    await gh?.close();
  });

  it('becomes the default of an app uploaded as a file', async () => {
    const res = await uploadRaw(gh, declaring(uniqueEntityId(), [NAMEID_EMAIL]), '?name=Mail%20SP');
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.deep.include({ nameIdFormat: NAMEID_EMAIL, nameIdSource: 'email' });
  });

  it('takes the first format Gatehouse can send, in the order the SP lists them', async () => {
    const xml = declaring(uniqueEntityId(), ['urn:oasis:names:tc:SAML:2.0:nameid-format:kerberos', TRANSIENT, NAMEID_EMAIL]);
    const res = await gh.api('POST', '/applications', { name: 'Transient SP', metadataXml: xml });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.deep.include({ nameIdFormat: TRANSIENT, nameIdSource: 'transient' });
  });

  it('keeps persistent when the SP declares no format', async () => {
    const res = await gh.api('POST', '/applications', { name: 'Quiet SP', metadataXml: declaring(uniqueEntityId(), []) });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.deep.include({ nameIdFormat: NAMEID_PERSISTENT, nameIdSource: 'persistent' });
  });

  it('yields to the settings given with the request', async () => {
    const res = await gh.api('POST', '/applications', { name: 'Chosen SP', metadataXml: declaring(uniqueEntityId(), [NAMEID_EMAIL]), nameIdSource: 'userName', nameIdFormat: 'unspecified' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.deep.include({ nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified', nameIdSource: 'userName' });
  });
});
