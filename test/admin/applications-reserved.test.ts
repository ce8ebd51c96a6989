// Names reserved for AWS sign-in, through the admin API: no custom application may take AWS's
// sign-in audience (`urn:amazon:webservices` and its partition variants), whether it is typed,
// uploaded (JSON or raw), fetched from a URL, PATCHed in, or arrives with a metadata refresh; and
// no mapping may emit an AWS sign-in attribute. Each refusal is a 400 naming the field, and
// nothing changes. (Our own entity id and duplicates of a custom app's are covered in
// applications.test.ts.)

import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { hex, keys, metadata, MetadataServer, uniqueEntityId, uploadRaw, type Keys } from './applications-fixtures.ts';

const RESERVED = ['urn:amazon:webservices', 'urn:amazon:webservices:govcloud', 'urn:amazon:webservices:cn-north-1', 'URN:Amazon:WebServices'];
const AWS_SIGNIN_ACS = 'https://signin.aws.amazon.com/saml';

describe('admin API: names reserved for AWS sign-in', function () {
  this.timeout(30_000);
  let gh: TestGatehouse;
  let server: MetadataServer;
  let k: Keys;

  before(async () => {
    [gh, server, k] = await Promise.all([startGatehouse({ env: { METADATA_FETCH_ALLOW_PRIVATE: '127.0.0.1', METADATA_FETCH_TIMEOUT_MS: '1000' } }), MetadataServer.start(), keys()]);
    // An external AWS account already carries AWS's entity id, as in the reported attack.
    const external = await gh.api('POST', '/applications', {
      kind: 'external-aws-account',
      name: 'Partner account',
      accountId: '210987654321',
      samlProviderName: 'Gatehouse',
      roles: [{ roleArn: 'arn:aws:iam::210987654321:role/ReadOnly' }],
    });
    expect(external.status, JSON.stringify(external.body)).to.equal(201);
  });
  after(async () => {
    await Promise.all([gh?.close(), server?.close()]);
  });

  function expectRefused(res: { status: number; body: any; headers?: Headers }, field: string, detail: RegExp) {
    expect(res.status, JSON.stringify(res.body)).to.equal(400);
    if (res.headers) expect(res.headers.get('content-type')).to.match(/application\/problem\+json/);
    expect(res.body.type).to.equal('urn:gatehouse:problem:validation');
    expect(res.body.errors.map((e: { field: string }) => e.field)).to.deep.equal([field]);
    expect(res.body.detail).to.match(detail);
  }

  async function customApps(): Promise<{ id: string; entityId: string }[]> {
    return (await gh.api('GET', '/applications?limit=100')).body.items.filter((a: { kind: string }) => a.kind === 'custom');
  }

  it('refuses AWS sign-in audiences typed by hand, uploaded in JSON and as a raw file, and stores nothing', async () => {
    const before = await customApps();
    for (const entityId of RESERVED) {
      const typed = await gh.api('POST', '/applications', { name: `Impostor ${hex()}`, entityId, acs: [{ url: AWS_SIGNIN_ACS }] });
      expectRefused(typed, 'entityId', /is reserved for AWS sign-in/);
      const xml = metadata(uniqueEntityId(), k.sp, null).replace(/entityID="[^"]+"/, `entityID="${entityId}"`);
      expectRefused(await gh.api('POST', '/applications', { name: `Impostor ${hex()}`, metadataXml: xml }), 'metadataXml', /is reserved for AWS sign-in/);
      expectRefused(await uploadRaw(gh, xml, `?name=Impostor-${hex()}`), 'metadataXml', /is reserved for AWS sign-in/);
    }
    expect(await customApps()).to.deep.equal(before);
  });

  it('refuses an AWS sign-in audience from a metadata URL, and PATCHed onto an existing app, changing nothing', async () => {
    const path = `/md-${hex()}.xml`;
    server.serve(path, metadata(uniqueEntityId(), k.sp, null).replace(/entityID="[^"]+"/, 'entityID="urn:amazon:webservices"'));
    expectRefused(await gh.api('POST', '/applications', { name: `Impostor ${hex()}`, metadataUrl: server.url(path) }), 'metadataUrl', /is reserved for AWS sign-in/);

    const entityId = uniqueEntityId();
    const typedApp = (await gh.api('POST', '/applications', { name: `Typed ${hex()}`, entityId, acs: [{ url: 'https://sp.example.com/acs' }] })).body;
    expectRefused(await gh.api('PATCH', `/applications/${typedApp.id}`, { entityId: 'urn:amazon:webservices:govcloud', acs: [{ url: AWS_SIGNIN_ACS }] }), 'entityId', /reserved for AWS sign-in/);
    const xml = metadata(uniqueEntityId(), k.sp, null).replace(/entityID="[^"]+"/, 'entityID="urn:amazon:webservices"');
    expectRefused(await gh.api('PATCH', `/applications/${typedApp.id}`, { metadataXml: xml }), 'metadataXml', /reserved for AWS sign-in/);
    const now = (await gh.api('GET', `/applications/${typedApp.id}`)).body;
    expect(now).to.deep.include({ entityId, acs: typedApp.acs, updatedAt: typedApp.updatedAt });
  });

  it('refuses a refreshed document that now claims AWS sign-in, keeping the last good copy', async () => {
    const path = `/md-${hex()}.xml`;
    const entityId = uniqueEntityId();
    const good = metadata(entityId, k.sp, null);
    server.serve(path, good);
    const created = (await gh.api('POST', '/applications', { name: `URL ${hex()}`, metadataUrl: server.url(path) })).body;
    expect(created.entityId).to.equal(entityId);

    server.serve(path, good.replace(`entityID="${entityId}"`, 'entityID="urn:amazon:webservices"').replace(/https:\/\/[^/"]+\/saml\/acs"/, `${AWS_SIGNIN_ACS}"`));
    const refreshed = (await gh.api('POST', `/applications/${created.id}/refresh-metadata`)).body;
    expect(refreshed.outcome).to.equal('failed');
    expect(refreshed.error).to.match(/"urn:amazon:webservices" is reserved for AWS sign-in/);
    const now = (await gh.api('GET', `/applications/${created.id}`)).body;
    expect(now).to.deep.include({ entityId, acs: created.acs });
    expect(now.metadata.xml).to.equal(good);
  });

  it('refuses a custom mapping that emits an AWS sign-in attribute, on create and on PATCH, in any spelling', async () => {
    const names = [
      'https://aws.amazon.com/SAML/Attributes/Role',
      'https://aws.amazon.com/SAML/Attributes/RoleSessionName',
      'HTTPS://AWS.AMAZON.COM/SAML/Attributes/PrincipalTag:team',
      ' https://aws.amazon.com/SAML/Attributes/SessionDuration',
    ];
    const before = await customApps();
    for (const name of names) {
      const res = await gh.api('POST', '/applications', {
        name: `Mapper ${hex()}`,
        entityId: uniqueEntityId(),
        acs: [{ url: 'https://mapper.example.com/acs' }],
        attributeMappings: [{ name: 'email', value: '${user:email}' }, { name, value: 'arn:aws:iam::210987654321:role/Admin,arn:aws:iam::210987654321:saml-provider/Gatehouse' }],
      });
      expectRefused(res, 'attributeMappings.1.name', /AWS sign-in attributes .* are reserved/);
    }
    expect(await customApps()).to.deep.equal(before);

    const app = (await gh.api('POST', '/applications', { name: `Mapper ${hex()}`, entityId: uniqueEntityId(), acs: [{ url: 'https://mapper.example.com/acs' }] })).body;
    const patch = await gh.api('PATCH', `/applications/${app.id}`, { attributeMappings: [{ name: names[0], value: '${user:attribute.role}' }] });
    expectRefused(patch, 'attributeMappings.0.name', /reserved/);
    expect((await gh.api('GET', `/applications/${app.id}`)).body.attributeMappings).to.deep.equal([]);
  });
});
