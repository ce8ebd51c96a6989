// Custom SAML applications through the admin API (docs/saml-applications.md–3, 6): made from an uploaded
// metadata document (JSON or the raw file), from fields typed by hand, and from the external AWS
// account template; hostile and invalid input refused with a 400 naming the field and nothing
// stored; per-app settings and attribute templates; assignments, and what a user reaches.

import { X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import {
  hex,
  keys,
  metadata,
  NAMEID_EMAIL,
  NAMEID_PERSISTENT,
  POST,
  REDIRECT,
  uniqueEntityId,
  uploadRaw,
  type Keys,
} from './applications-fixtures.ts';

const pem = (certPem: string) => new X509Certificate(certPem).toString();

describe('admin API: applications', function () {
  let gh: TestGatehouse;
  let k: Keys;

  before(async () => {
    [gh, k] = await Promise.all([startGatehouse(), keys()]);
  });
  after(async () => {
    await gh?.close();
  });

  /** Proves a refused input left nothing behind: no app by that name, none with that entity id. */
  async function expectNothingStored(name: string, entityId?: string) {
    const list = await gh.api('GET', `/applications?name=${encodeURIComponent(name)}`);
    expect(list.body.items, `apps named ${name}`).to.deep.equal([]);
    if (entityId) expect(await gh.services.sql.applications.getByEntityId(entityId)).to.equal(null);
  }

  function expectProblem(res: { status: number; body: any }, status: number, field: string | null, detail: RegExp) {
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    expect(res.body.type).to.equal(status === 400 ? 'urn:gatehouse:problem:validation' : status === 409 ? 'urn:gatehouse:problem:conflict' : res.body.type);
    expect(res.body.detail).to.match(detail);
    if (field !== null) {
      const fields = (res.body.errors ?? []).map((e: { field: string }) => e.field);
      expect(fields, JSON.stringify(res.body)).to.include(field);
    }
  }

  async function user(tag: string, over: Record<string, unknown> = {}) {
    const res = await gh.api('POST', '/users', { userName: `${tag}-${hex()}`, displayName: `${tag} person`, emails: [{ value: `${tag}@example.com`, primary: true }], ...over });
    expect(res.status).to.equal(201);
    return res.body as { id: string; userName: string };
  }

  async function group(tag: string, members: string[] = []) {
    const res = await gh.api('POST', '/groups', { displayName: `${tag} group ${hex()}` });
    expect(res.status).to.equal(201);
    for (const userId of members) expect((await gh.api('POST', `/groups/${res.body.id}/members`, { userId })).status).to.equal(204);
    return res.body as { id: string };
  }

  async function reachedBy(userId: string) {
    const u = await gh.services.users.get(userId);
    const groups = await gh.services.identitySourceFor(u.source).groupsOf(u);
    return (await gh.services.applications.forUser(u, groups)).map((a) => ({ id: a.application.id, roleArns: a.roleArns }));
  }

  describe('creating from metadata', () => {
    it('creates an app from a metadata document in JSON, with the SP data, the document and sensible defaults', async () => {
      const entityId = uniqueEntityId();
      const xml = metadata(entityId, k.sp, k.next, { authnRequestsSigned: true });
      const res = await gh.api('POST', '/applications', { name: 'Wiki', metadataXml: xml });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      const app = res.body;
      const host = new URL(entityId).host;
      expect(app).to.deep.include({
        name: 'Wiki',
        kind: 'custom',
        entityId,
        acs: [
          { url: `https://${host}/saml/acs`, binding: POST, index: 0, isDefault: true },
          { url: `https://${host}/saml/acs-redirect`, binding: REDIRECT, index: 1, isDefault: false },
        ],
        slo: { url: `https://${host}/saml/slo`, binding: REDIRECT },
        signingCertificates: [pem(k.sp.certPem)],
        encryptionCertificates: [pem(k.next.certPem)],
        authnRequestsSigned: true,
        // The document declares emailAddress (applications-fixtures.ts): the app starts with it.
        nameIdFormat: NAMEID_EMAIL,
        nameIdSource: 'email',
        attributeMappings: [],
        signResponse: true,
        signAssertion: true,
        encryptAssertion: true,
        sessionDurationSeconds: null,
        defaultRelayState: null,
        externalAwsAccount: null,
      });
      expect(app.id).to.match(/^app-[0-9a-f]{16}$/);
      expect(app.metadata).to.deep.include({ source: 'upload', url: null, xml, lastError: null, nextFetchAt: null });
      expect((await gh.api('GET', `/applications/${app.id}`)).body).to.deep.equal(app);
      const audit = await gh.api('GET', '/audit?action=application.create');
      expect(audit.body.items.map((e: { target: string }) => e.target)).to.include(`application/${app.id}`);
      // Without an encryption certificate, assertions are not encrypted by default.
      const plain = await gh.api('POST', '/applications', { name: 'Plain', metadataXml: metadata(uniqueEntityId(), k.sp, null) });
      expect(plain.body.encryptAssertion).to.equal(false);
    });

    for (const contentType of ['application/samlmetadata+xml', 'application/xml', 'text/xml; charset=utf-8']) {
      it(`creates an app from the metadata file as the request body (${contentType})`, async () => {
        const entityId = uniqueEntityId();
        const xml = metadata(entityId, k.sp, null);
        const name = `Upload ${hex()}`;
        const res = await uploadRaw(gh, xml, `?name=${encodeURIComponent(name)}&description=From%20a%20file`, contentType);
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        expect(res.body).to.deep.include({ name, description: 'From a file', entityId, signingCertificates: [pem(k.sp.certPem)] });
        expect(res.body.metadata).to.deep.include({ source: 'upload', xml });
      });
    }

    it('needs a name with a raw upload, and exactly one source of SP data in JSON', async () => {
      const entityId = uniqueEntityId();
      expectProblem(await uploadRaw(gh, metadata(entityId, k.sp, null), ''), 400, 'name', /name/);
      const both = await gh.api('POST', '/applications', { name: `Both ${hex()}`, metadataXml: metadata(entityId, k.sp, null), entityId, acs: [{ url: 'https://x.example.com/acs' }] });
      expectProblem(both, 400, 'metadataXml', /exactly one of metadataXml/);
      const none = await gh.api('POST', '/applications', { name: `None ${hex()}` });
      expectProblem(none, 400, 'metadataXml', /exactly one of metadataXml/);
      expect(await gh.services.sql.applications.getByEntityId(entityId)).to.equal(null);
    });
  });

  describe('refusing hostile and invalid metadata (400 naming metadataXml, nothing stored)', () => {
    const cases: { what: string; xml: (entityId: string, gh: TestGatehouse, k: Keys) => string; detail: RegExp }[] = [
      {
        what: 'a DOCTYPE with an external entity',
        xml: (e, _g, k) => metadata(e, k.sp, null, { prolog: '<?xml version="1.0"?>\n<!DOCTYPE md:EntityDescriptor [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' }).replace('WantAssertionsSigned="true"', 'WantAssertionsSigned="true" x="&xxe;"'),
        detail: /DOCTYPE declaration \(DTDs and entities are never processed\)/,
      },
      {
        what: 'entity expansion (billion laughs)',
        xml: (e, _g, k) => metadata(e, k.sp, null, {
          prolog: '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n',
          inner: '<md:Extensions>&lol3;</md:Extensions>',
        }),
        detail: /DOCTYPE declaration/,
      },
      { what: 'a 1024-bit signing key', xml: (e, _g, k) => metadata(e, k.weak, null), detail: /1024-bit RSA key; at least 2048 bits are required/ },
      { what: 'a 1024-bit encryption key', xml: (e, _g, k) => metadata(e, k.sp, k.weak), detail: /1024-bit RSA key/ },
      {
        what: 'an http ACS on a public host',
        xml: (e, _g, k) => metadata(e, k.sp, null, { acs: [{ url: 'http://sp.example.com/saml/acs', index: 0, isDefault: true }] }),
        detail: /uses http; it must use https/,
      },
      { what: "Gatehouse's own entity id", xml: (_e, g, k) => metadata(`${g.baseUrl}/saml/metadata`, k.sp, null), detail: /this identity provider's own entity id/ },
      { what: 'an expired validUntil', xml: (e, _g, k) => metadata(e, k.sp, null, { validUntil: '2020-01-01T00:00:00Z' }), detail: /expired at 2020-01-01/ },
      { what: 'a document over 1 MB', xml: (e, _g, k) => metadata(e, k.sp, null, { inner: `<!--${'x'.repeat(1100 * 1024)}-->` }), detail: /limit is 1048576 bytes/ },
      { what: 'text that is not XML', xml: () => 'this is not metadata <', detail: /not well-formed XML/ },
      {
        what: 'an aggregate of several entities',
        xml: () => '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"></md:EntitiesDescriptor>',
        detail: /EntitiesDescriptor \(an aggregate\)/,
      },
      {
        what: 'no HTTP-POST ACS',
        xml: (e, _g, k) => metadata(e, k.sp, null, { acs: [{ url: 'https://sp.example.com/acs', binding: REDIRECT, index: 0 }] }),
        detail: /no HTTP-POST AssertionConsumerService/,
      },
    ];

    for (const c of cases) {
      it(`refuses ${c.what}, in JSON and as a raw upload`, async () => {
        const entityId = uniqueEntityId();
        const xml = c.xml(entityId, gh, k);
        const name = `Hostile ${hex()}`;
        const res = await gh.api('POST', '/applications', { name, metadataXml: xml });
        expectProblem(res, 400, 'metadataXml', c.detail);
        expect(res.body.errors.find((e: { field: string }) => e.field === 'metadataXml').message).to.match(c.detail);
        const raw = await uploadRaw(gh, xml, `?name=${encodeURIComponent(name)}`);
        expectProblem(raw, 400, 'metadataXml', c.detail);
        await expectNothingStored(name, entityId);
      });
    }

    it('refuses a raw upload far over the limit before parsing it (413)', async () => {
      const name = `Huge ${hex()}`;
      const res = await uploadRaw(gh, ' '.repeat(3 * 1024 * 1024), `?name=${encodeURIComponent(name)}`);
      expect(res.status).to.equal(413);
      expect(res.body.detail).to.match(/too large/);
      await expectNothingStored(name);
    });

    it('refuses a second app with the same entity id (409 naming the first), by upload or by hand', async () => {
      const entityId = uniqueEntityId();
      const first = await gh.api('POST', '/applications', { name: `First ${hex()}`, metadataXml: metadata(entityId, k.sp, null) });
      expect(first.status).to.equal(201);
      const name = `Second ${hex()}`;
      expectProblem(await gh.api('POST', '/applications', { name, metadataXml: metadata(entityId, k.next, null) }), 409, null, new RegExp(`${first.body.id}.*already has the entity id`));
      expectProblem(await gh.api('POST', '/applications', { name, entityId, acs: [{ url: 'https://other.example.com/acs' }] }), 409, null, /already has the entity id/);
      await expectNothingStored(name);
      expect((await gh.services.sql.applications.getByEntityId(entityId))?.id).to.equal(first.body.id);
    });

    it('refuses an unauthenticated upload without reading it', async () => {
      const res = await fetch(`${gh.baseUrl}/api/v1/applications?name=x`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: metadata(uniqueEntityId(), k.sp, null) });
      expect(res.status).to.equal(401);
      expect((await gh.api('GET', '/applications?name=x', undefined, null)).status).to.equal(401);
    });
  });

  describe('typing the SP by hand', () => {
    it('creates an app from typed fields, held to the metadata rules, certificates as PEM or base64 DER', async () => {
      const entityId = uniqueEntityId();
      const res = await gh.api('POST', '/applications', {
        name: 'Typed',
        entityId,
        acs: [
          { url: 'https://typed.example.com/acs', isDefault: true },
          { url: 'http://localhost:3000/acs', binding: POST, index: 5 },
        ],
        slo: { url: 'https://typed.example.com/slo' },
        signingCertificates: [k.sp.certPem],
        encryptionCertificates: [k.next.certDer],
        authnRequestsSigned: true,
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body).to.deep.include({
        entityId,
        acs: [
          { url: 'https://typed.example.com/acs', binding: POST, index: 0, isDefault: true },
          { url: 'http://localhost:3000/acs', binding: POST, index: 5, isDefault: false },
        ],
        slo: { url: 'https://typed.example.com/slo', binding: REDIRECT },
        signingCertificates: [pem(k.sp.certPem)],
        encryptionCertificates: [pem(k.next.certPem)],
        authnRequestsSigned: true,
        encryptAssertion: true,
      });
      expect(res.body.metadata).to.deep.include({ source: 'manual', xml: null, url: null });
    });

    it('refuses typed fields that break a metadata rule, naming the field', async () => {
      const base = () => ({ name: `Bad ${hex()}`, entityId: uniqueEntityId(), acs: [{ url: 'https://bad.example.com/acs' }] });
      const cases: [Record<string, unknown>, string, RegExp][] = [
        [{ signingCertificates: [k.weak.certPem] }, 'signingCertificates.0', /1024-bit RSA key/],
        [{ encryptionCertificates: ['not a certificate'] }, 'encryptionCertificates.0', /not base64-encoded DER|not a readable/],
        [{ acs: [{ url: 'http://bad.example.com/acs' }] }, 'acs.0.url', /must use https/],
        [{ acs: [{ url: 'https://user:pw@bad.example.com/acs' }] }, 'acs.0.url', /user name or password/],
        [{ acs: [{ url: 'https://bad.example.com/acs', binding: REDIRECT }] }, 'acs', /no HTTP-POST AssertionConsumerService/],
        [{ acs: [{ url: 'https://bad.example.com/a', index: 1 }, { url: 'https://bad.example.com/b', index: 1 }] }, 'acs', /share an index/],
        [{ slo: { url: 'ftp://bad.example.com/slo' } }, 'slo.url', /must be an https URL/],
        [{ entityId: `${gh.baseUrl}/saml/metadata/` }, 'entityId', /own entity id/],
        [{ entityId: ' padded' }, 'entityId', /no surrounding spaces/],
        [{ authnRequestsSigned: true }, 'authnRequestsSigned', /no signing certificate/],
        [{ acs: undefined }, 'acs', /required when the SP is typed by hand/],
      ];
      for (const [over, field, detail] of cases) {
        const input = { ...base(), ...over };
        const res = await gh.api('POST', '/applications', input);
        expectProblem(res, 400, field, detail);
        await expectNothingStored(input.name, input.entityId);
      }
    });
  });

  describe('settings', () => {
    it('stores chosen settings: NameID format by short name, attribute templates, signing, session, relay state', async () => {
      const mappings = [
        { name: 'email', value: '${user:email}' },
        { name: 'urn:oid:2.5.4.42', nameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri', value: '${user:givenName}' },
        { name: 'display', value: 'Dr. ${user:displayName} (${user:userName})' },
        { name: 'family', value: '${user:familyName}' },
        { name: 'groups', value: '${user:groups}' },
        { name: 'department', value: '${user:attribute.department}' },
        { name: 'tenant', value: 'acme-corp' },
      ];
      const res = await gh.api('POST', '/applications', {
        name: 'Configured',
        metadataXml: metadata(uniqueEntityId(), k.sp, k.next),
        nameIdFormat: 'emailAddress',
        nameIdSource: 'email',
        attributeMappings: mappings,
        signResponse: false,
        signAssertion: true,
        encryptAssertion: false,
        sessionDurationSeconds: 3600,
        defaultRelayState: 'https://app.example.com/home',
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body).to.deep.include({
        nameIdFormat: NAMEID_EMAIL,
        nameIdSource: 'email',
        attributeMappings: mappings,
        signResponse: false,
        signAssertion: true,
        encryptAssertion: false,
        sessionDurationSeconds: 3600,
        defaultRelayState: 'https://app.example.com/home',
      });
    });

    it('refuses invalid settings on create and on PATCH, naming the field and changing nothing', async () => {
      const created = await gh.api('POST', '/applications', { name: `Settings ${hex()}`, metadataXml: metadata(uniqueEntityId(), k.sp, null) });
      expect(created.status).to.equal(201);
      const cases: [Record<string, unknown>, string, RegExp][] = [
        [{ attributeMappings: [{ name: 'salary', value: '${user:salary}' }] }, 'attributeMappings.0.value', /unknown placeholder \$\{user:salary\}/],
        [{ attributeMappings: [{ name: 'x', value: 'a ${env:HOME} b' }] }, 'attributeMappings.0.value', /unknown placeholder \$\{env:HOME\}/],
        [{ attributeMappings: [{ name: 'x', value: '${user:email' }] }, 'attributeMappings.0.value', /unclosed placeholder/],
        [{ attributeMappings: [{ name: 'x', value: '${user:attribute.}' }] }, 'attributeMappings.0.value', /unknown placeholder/],
        [{ attributeMappings: [{ name: 'x', value: '${user:email}' }, { name: 'x', value: 'y' }] }, 'attributeMappings.1.name', /already has the name/],
        [{ attributeMappings: [{ name: 'x', value: 'y', nameFormat: 'urn:bogus' }] }, 'attributeMappings.0.nameFormat', /./],
        [{ signResponse: false, signAssertion: false }, 'signAssertion', /at least one of signResponse and signAssertion/],
        [{ encryptAssertion: true }, 'encryptAssertion', /no encryption certificate/],
        [{ sessionDurationSeconds: 600 }, 'sessionDurationSeconds', /./],
        [{ sessionDurationSeconds: 50000 }, 'sessionDurationSeconds', /./],
        [{ nameIdFormat: 'transient' }, 'nameIdSource', /transient/],
        [{ nameIdFormat: 'urn:example:made-up' }, 'nameIdFormat', /persistent, transient, emailAddress or unspecified/],
        [{ nameIdFormat: 'emailAddress', nameIdSource: 'userName' }, 'nameIdSource', /needs nameIdSource "email"/],
        [{ defaultRelayState: 'a\u0001b' }, 'defaultRelayState', /control characters/],
        [{ unknownField: true }, '(body)', /unknownField|Unrecognized/i],
      ];
      for (const [settings, field, detail] of cases) {
        const name = `Refused ${hex()}`;
        expectProblem(await gh.api('POST', '/applications', { name, metadataXml: metadata(uniqueEntityId(), k.sp, null), ...settings }), 400, field, detail);
        await expectNothingStored(name);
        expectProblem(await gh.api('PATCH', `/applications/${created.body.id}`, settings), 400, field, detail);
      }
      expect((await gh.api('GET', `/applications/${created.body.id}`)).body).to.deep.equal(created.body);
    });

    it('PATCHes settings, and new metadata replaces the SP data while the settings stay', async () => {
      const entityId = uniqueEntityId();
      const created = (await gh.api('POST', '/applications', { name: 'Rotating', metadataXml: metadata(entityId, k.sp, null) })).body;
      const patched = await gh.api('PATCH', `/applications/${created.id}`, { name: 'Rotated', nameIdSource: 'userName', nameIdFormat: 'unspecified', attributeMappings: [{ name: 'uid', value: '${user:userName}' }] });
      expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
      expect(patched.body).to.deep.include({ name: 'Rotated', nameIdSource: 'userName', nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified' });

      const rotatedXml = metadata(entityId, k.next, k.next);
      const rotated = await gh.api('PATCH', `/applications/${created.id}`, { metadataXml: rotatedXml, encryptAssertion: true });
      expect(rotated.status, JSON.stringify(rotated.body)).to.equal(200);
      expect(rotated.body).to.deep.include({ signingCertificates: [pem(k.next.certPem)], encryptionCertificates: [pem(k.next.certPem)], encryptAssertion: true, nameIdSource: 'userName' });
      expect(rotated.body.metadata.xml).to.equal(rotatedXml);

      // Metadata without the encryption certificate cannot come in while the app encrypts.
      const refused = await gh.api('PATCH', `/applications/${created.id}`, { metadataXml: metadata(entityId, k.next, null) });
      expectProblem(refused, 400, 'encryptAssertion', /no encryption certificate/);
      // Typed SP fields need entityId and acs to take over from uploaded metadata.
      expectProblem(await gh.api('PATCH', `/applications/${created.id}`, { signingCertificates: [k.sp.certPem] }), 400, 'signingCertificates', /comes from its metadata/);
      expect((await gh.api('GET', `/applications/${created.id}`)).body).to.deep.equal(rotated.body);
    });
  });

  describe('external AWS accounts', () => {
    const account = () => String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
    const external = (accountId: string, over: Record<string, unknown> = {}) => ({
      kind: 'external-aws-account',
      name: `AWS ${accountId}`,
      accountId,
      samlProviderName: 'Gatehouse',
      roles: [{ roleArn: `arn:aws:iam::${accountId}:role/Admin`, label: 'Administrator' }, { roleArn: `arn:aws:iam::${accountId}:role/team/ReadOnly` }],
      ...over,
    });

    it("creates an app with AWS's entity id and sign-in ACS, the roles, and the provider ARN; one app per account", async () => {
      const accountId = account();
      const res = await gh.api('POST', '/applications', external(accountId, { sessionDurationSeconds: 7200 }));
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body).to.deep.include({
        kind: 'external-aws-account',
        entityId: 'urn:amazon:webservices',
        acs: [{ url: 'https://signin.aws.amazon.com/saml', binding: POST, index: 0, isDefault: true }],
        slo: null,
        nameIdFormat: NAMEID_PERSISTENT,
        nameIdSource: 'email',
        encryptAssertion: false,
        sessionDurationSeconds: 7200,
      });
      expect(res.body.externalAwsAccount).to.deep.equal({
        accountId,
        samlProviderName: 'Gatehouse',
        roles: [{ roleArn: `arn:aws:iam::${accountId}:role/Admin`, label: 'Administrator' }, { roleArn: `arn:aws:iam::${accountId}:role/team/ReadOnly` }],
        samlProviderArn: `arn:aws:iam::${accountId}:saml-provider/Gatehouse`,
      });
      // Another account shares AWS's entity id; the same account twice is a conflict.
      expect((await gh.api('POST', '/applications', external(account()))).status).to.equal(201);
      expectProblem(await gh.api('POST', '/applications', external(accountId, { name: 'again' })), 409, null, new RegExp(`${accountId} is already set up`));
      // Never found by entity id: no AuthnRequest can name an external AWS account.
      expect(await gh.services.sql.applications.getByEntityId('urn:amazon:webservices')).to.equal(null);
    });

    it('refuses roles of another account, malformed ARNs, a bad account id, provider name or sign-in URL, and AWS attribute mappings', async () => {
      const accountId = account();
      const cases: [Record<string, unknown>, string, RegExp][] = [
        [{ roles: [{ roleArn: 'arn:aws:iam::999999999999:role/Admin' }] }, 'roles.0.roleArn', /must be a role of account/],
        [{ roles: [{ roleArn: `arn:aws:iam::${accountId}:user/bob` }] }, 'roles.0.roleArn', /must be an IAM role ARN/],
        [{ roles: [{ roleArn: `arn:aws:iam::${accountId}:role/A,B` }] }, 'roles.0.roleArn', /no commas/],
        [{ roles: [] }, 'roles', /./],
        [{ roles: [{ roleArn: `arn:aws:iam::${accountId}:role/A` }, { roleArn: `arn:aws:iam::${accountId}:role/A` }] }, 'roles.1.roleArn', /twice/],
        [{ accountId: '12345' }, 'accountId', /12 digits/],
        [{ samlProviderName: 'has space' }, 'samlProviderName', /IAM SAML provider name/],
        [{ signInEndpoint: 'http://signin.example.com/saml' }, 'signInEndpoint', /must use https/],
        [{ attributeMappings: [{ name: 'https://aws.amazon.com/SAML/Attributes/Role', value: '${user:attribute.role}' }] }, 'attributeMappings.0.name', /come from the role assignments/],
        [{ encryptAssertion: true }, 'encryptAssertion', /no encryption certificate/],
      ];
      for (const [over, field, detail] of cases) {
        const input = external(accountId, { name: `Refused ${hex()}`, ...over });
        expectProblem(await gh.api('POST', '/applications', input), 400, field, detail);
        await expectNothingStored(input.name as string);
      }
      // An aws-cn role gives an aws-cn provider ARN.
      const cn = await gh.api('POST', '/applications', external(accountId, { roles: [{ roleArn: `arn:aws-cn:iam::${accountId}:role/Ops` }], signInEndpoint: 'https://signin.amazonaws.cn/saml' }));
      expect(cn.status, JSON.stringify(cn.body)).to.equal(201);
      expect(cn.body.externalAwsAccount.samlProviderArn).to.equal(`arn:aws-cn:iam::${accountId}:saml-provider/Gatehouse`);
    });

    it("assigns users and groups to the account's roles, unions them per user, and withdraws a role the app stops offering", async () => {
      const accountId = account();
      const app = (await gh.api('POST', '/applications', external(accountId))).body;
      const admin = `arn:aws:iam::${accountId}:role/Admin`;
      const readOnly = `arn:aws:iam::${accountId}:role/team/ReadOnly`;
      const alice = await user('alice');
      const ops = await group('ops', [alice.id]);
      const auditors = await group('auditors', [alice.id]);

      expectProblem(await gh.api('POST', `/applications/${app.id}/assignments`, { principalType: 'USER', principalId: alice.id }), 400, 'roleArns', /at least one/);
      expectProblem(
        await gh.api('POST', `/applications/${app.id}/assignments`, { principalType: 'USER', principalId: alice.id, roleArns: [`arn:aws:iam::${accountId}:role/Other`] }),
        400, 'roleArns.0', /not one of the roles this application offers/,
      );
      expect((await gh.api('GET', `/applications/${app.id}/assignments`)).body.items).to.deep.equal([]);

      const direct = await gh.api('POST', `/applications/${app.id}/assignments`, { principalType: 'USER', principalId: alice.id, roleArns: [readOnly] });
      expect(direct.status, JSON.stringify(direct.body)).to.equal(201);
      expect(direct.body).to.deep.include({ applicationId: app.id, principalType: 'USER', principalId: alice.id, roleArns: [readOnly] });
      await gh.api('POST', `/applications/${app.id}/assignments`, { principalType: 'GROUP', principalId: ops.id, roleArns: [admin] });
      await gh.api('POST', `/applications/${app.id}/assignments`, { principalType: 'GROUP', principalId: auditors.id, roleArns: [readOnly] });
      expect(await reachedBy(alice.id)).to.deep.equal([{ id: app.id, roleArns: [admin, readOnly].sort() }]);

      // The app stops offering Admin: the ops group's assignment (Admin only) goes, the others stay.
      const patched = await gh.api('PATCH', `/applications/${app.id}`, { roles: [{ roleArn: readOnly }] });
      expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
      const left = (await gh.api('GET', `/applications/${app.id}/assignments`)).body.items.map((a: { principalId: string; roleArns: string[] }) => [a.principalId, a.roleArns]);
      expect(left).to.have.deep.members([[alice.id, [readOnly]], [auditors.id, [readOnly]]]);
      expect(await reachedBy(alice.id)).to.deep.equal([{ id: app.id, roleArns: [readOnly] }]);
    });
  });

  describe('assignments', () => {
    it('assigns users and groups (principal must exist), lists, unassigns, and forUser follows direct and group assignments', async () => {
      const app = (await gh.api('POST', '/applications', { name: `Assigned ${hex()}`, metadataXml: metadata(uniqueEntityId(), k.sp, null) })).body;
      const other = (await gh.api('POST', '/applications', { name: `Other ${hex()}`, metadataXml: metadata(uniqueEntityId(), k.sp, null) })).body;
      const bob = await user('bob');
      const carol = await user('carol');
      const team = await group('team', [carol.id]);

      expectProblem(await gh.api('POST', `/applications/${app.id}/assignments`, { principalType: 'USER', principalId: '00000000-0000-0000-0000-000000000000' }), 404, null, /user/);
      expectProblem(await gh.api('POST', `/applications/${app.id}/assignments`, { principalType: 'GROUP', principalId: bob.id }), 404, null, /group/);
      expectProblem(await gh.api('POST', `/applications/${app.id}/assignments`, { principalType: 'USER', principalId: bob.id, roleArns: ['arn:aws:iam::123456789012:role/X'] }), 400, 'roleArns', /only to external AWS account/);
      expectProblem(await gh.api('POST', `/applications/${app.id}/assignments`, { principalType: 'ROBOT', principalId: bob.id }), 400, 'principalType', /./);
      expectProblem(await gh.api('POST', '/applications/app-0000000000000000/assignments', { principalType: 'USER', principalId: bob.id }), 404, null, /application/);

      expect((await gh.api('POST', `/applications/${app.id}/assignments`, { principalType: 'USER', principalId: bob.id })).status).to.equal(201);
      expect((await gh.api('POST', `/applications/${app.id}/assignments`, { principalType: 'GROUP', principalId: team.id })).status).to.equal(201);
      const listed = (await gh.api('GET', `/applications/${app.id}/assignments`)).body.items;
      expect(listed.map((a: { principalType: string; principalId: string }) => `${a.principalType}/${a.principalId}`)).to.have.members([`USER/${bob.id}`, `GROUP/${team.id}`]);

      expect(await reachedBy(bob.id)).to.deep.equal([{ id: app.id, roleArns: [] }]);
      expect(await reachedBy(carol.id)).to.deep.equal([{ id: app.id, roleArns: [] }]);
      expect(await reachedBy(carol.id)).to.not.deep.include({ id: other.id, roleArns: [] });
      // A disabled user reaches nothing.
      await gh.api('PATCH', `/users/${bob.id}`, { enabled: false });
      expect(await reachedBy(bob.id)).to.deep.equal([]);

      expect((await gh.api('DELETE', `/applications/${app.id}/assignments?principalType=GROUP&principalId=${team.id}`)).status).to.equal(204);
      expect(await reachedBy(carol.id)).to.deep.equal([]);
      expectProblem(await gh.api('DELETE', `/applications/${app.id}/assignments?principalType=GROUP&principalId=${team.id}`), 404, null, /assignment/);
    });

    it('deleting an app deletes its assignments; deleting a user or group deletes theirs', async () => {
      const app = (await gh.api('POST', '/applications', { name: `Doomed ${hex()}`, metadataXml: metadata(uniqueEntityId(), k.sp, null) })).body;
      const kept = (await gh.api('POST', '/applications', { name: `Kept ${hex()}`, metadataXml: metadata(uniqueEntityId(), k.sp, null) })).body;
      const dave = await user('dave');
      const erin = await user('erin');
      const crew = await group('crew', [erin.id]);
      for (const id of [app.id, kept.id]) {
        await gh.api('POST', `/applications/${id}/assignments`, { principalType: 'USER', principalId: dave.id });
        await gh.api('POST', `/applications/${id}/assignments`, { principalType: 'GROUP', principalId: crew.id });
      }

      expect((await gh.api('DELETE', `/applications/${app.id}`)).status).to.equal(204);
      expect((await gh.api('GET', `/applications/${app.id}`)).status).to.equal(404);
      expect((await gh.services.sql.applications.listAssignments(app.id)).items).to.deep.equal([]);
      expect(await reachedBy(dave.id)).to.deep.equal([{ id: kept.id, roleArns: [] }]);
      expect((await gh.api('DELETE', `/applications/${app.id}`)).status).to.equal(404);

      expect((await gh.api('DELETE', `/groups/${crew.id}`)).status).to.equal(204);
      expect(await gh.services.sql.applications.deleteAssignmentsForPrincipal('GROUP', crew.id)).to.equal(0);
      expect((await gh.api('DELETE', `/users/${dave.id}`)).status).to.equal(204);
      expect((await gh.api('GET', `/applications/${kept.id}/assignments`)).body.items).to.deep.equal([]);
    });
  });

  it('lists apps by name, leaving out the stored documents', async () => {
    const tag = hex();
    for (const n of ['b', 'A', 'c']) await gh.api('POST', '/applications', { name: `${tag} ${n}`, metadataXml: metadata(uniqueEntityId(), k.sp, null) });
    const res = await gh.api('GET', `/applications?name=${tag}&limit=2`);
    expect(res.body.items.map((a: { name: string }) => a.name)).to.deep.equal([`${tag} A`, `${tag} b`]);
    expect(res.body.items[0].metadata).to.include({ hasDocument: true }).and.not.have.property('xml');
    const rest = await gh.api('GET', `/applications?name=${tag}&limit=2&nextToken=${res.body.nextToken}`);
    expect(rest.body.items.map((a: { name: string }) => a.name)).to.deep.equal([`${tag} c`]);
  });
});
