// Over HTTP, with node-saml as the SP and Gatehouse's real log: an application carrying AWS's
// sign-in audience (stored before the admin API refused it) is never answered, neither from the
// portal nor SP-initiated; a mapping named like an AWS attribute never reaches an assertion, so the
// only Role an assertion can carry comes from an assignment; and every refused AuthnRequest or
// LogoutRequest (replays, and LogoutRequests refused while parsing) leaves a warn-level log line
// with its reason and request id, and an audit entry.
import { expect } from 'chai';
import { captureLog } from '../support/captured-log.ts';
import type { Application } from '../../model/types.ts';
import { awsServiceProviderFromMetadata, ROLE_ATTR, values } from '../support/aws-sp.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient, type PageResponse } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { authnRequestXml, logoutRequestXml, newId, postForm, redirectQuery, rsaKey, type TestKey } from '../idp/inbound-fixtures.ts';
import { POST, assign, autoPost, createApplication, expectRefusedPage, nodeSamlFor, startRedirectSignIn } from './fixtures.ts';

const WARN = 40;
const FORGED_ROLE = 'arn:aws:iam::210987654321:role/Admin,arn:aws:iam::210987654321:saml-provider/Gatehouse';

describe('names reserved for AWS sign-in, and refused requests, at the SAML endpoints', function () {
  this.timeout(60_000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let spKey: TestKey;
  let impostor: Application;
  let mapper: Application;
  let partner: Application;
  let sloApp: Application;
  const log = captureLog();

  before(async () => {
    [gh, spKey] = await Promise.all([startGatehouse({ log: { level: 'info', destination: log.destination } }), rsaKey('sp')]);
    org = await seedOrganization(gh.services, { users: [{ userName: 'alice', email: 'alice@example.com' }] });
    // Stored as they could have been before the admin API refused them.
    impostor = await createApplication(gh.services, {
      slug: 'impostor',
      name: 'Impostor',
      entityId: 'urn:amazon:webservices',
      acs: [{ url: 'https://signin.aws.amazon.com/saml', binding: POST, index: 0, isDefault: true }],
      attributeMappings: [{ name: ROLE_ATTR, value: FORGED_ROLE }],
    });
    mapper = await createApplication(gh.services, {
      slug: 'mapper',
      attributeMappings: [{ name: 'email', value: '${user:email}' }, { name: ROLE_ATTR, value: FORGED_ROLE }],
    });
    partner = (await gh.api('POST', '/applications', {
      kind: 'external-aws-account',
      name: 'Partner account',
      accountId: '210987654321',
      samlProviderName: 'Gatehouse',
      roles: [{ roleArn: 'arn:aws:iam::210987654321:role/ReadOnly' }, { roleArn: 'arn:aws:iam::210987654321:role/Admin' }],
    })).body as Application;
    await gh.services.sql.applications.update(partner.id, { attributeMappings: [{ name: ROLE_ATTR, value: FORGED_ROLE }] });
    sloApp = await createApplication(gh.services, {
      slug: 'slo',
      signingCertificates: [spKey.certPem],
      slo: { url: 'https://slo.example.com/saml/slo', binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect' },
    });
    for (const app of [impostor, mapper, sloApp]) await assign(gh.services, app, { user: org.users.alice!.id });
    await assign(gh.services, partner, { user: org.users.alice!.id }, ['arn:aws:iam::210987654321:role/ReadOnly']);
  });
  after(async () => {
    await gh?.close();
  });

  const lines = () => log.lines();

  async function signedIn(): Promise<PortalClient> {
    const client = new PortalClient(gh.baseUrl);
    await client.signIn('alice', org.users.alice!.password);
    return client;
  }

  const launch = async (client: PortalClient, applicationId: string) => {
    await client.request('GET', '/start/applications');
    return client.request('POST', '/start/applications/launch', { csrf: client.csrf(), applicationId });
  };

  /** The warn line and the audit entry of the refusal `page` answered. */
  async function expectRefusalRecorded(page: PageResponse, action: string, reason: string): Promise<Record<string, unknown>> {
    const reqId = page.headers.get('x-request-id');
    expect(reqId).to.be.a('string');
    const warned = lines().filter((l) => l.reqId === reqId && l.level === WARN);
    expect(warned.map((l) => [l.msg, l.reason]), log.text().slice(-2000)).to.deep.include([action === 'saml.authn-request.refused' ? 'AuthnRequest refused' : 'LogoutRequest refused', reason]);
    const audit = await gh.services.sql.audit.list({ action, limit: 1000 });
    const entry = audit.items.find((e) => e.detail.requestId === reqId);
    expect(entry, `an audit entry ${action} for request ${reqId}`).to.not.equal(undefined);
    expect(entry!.detail.reason).to.equal(reason);
    return entry!.detail;
  }

  describe('AWS sign-in audience and attributes', () => {
    it('never launches an app carrying AWS sign-in audience from the portal', async () => {
      const page = await launch(await signedIn(), impostor.id);
      expectRefusedPage(page, /reserved for AWS sign-in/, 403);
    });

    it('never answers an SP-initiated request whose Issuer is AWS sign-in audience, even after sign-in', async () => {
      const client = new PortalClient(gh.baseUrl);
      const sp = await nodeSamlFor(gh.baseUrl, impostor);
      const first = await startRedirectSignIn(client, sp);
      expectRefusedPage(first, /Issuer "urn:amazon:webservices" is reserved for AWS sign-in/);
      expect(first.headers.getSetCookie().some((c) => c.startsWith('gh_sso='))).to.equal(false);
      const detail = await expectRefusalRecorded(first, 'saml.authn-request.refused', 'reserved-name');
      expect(detail.issuer).to.equal('urn:amazon:webservices');
      // Over HTTP-POST too, from a browser that is already signed in.
      const signedInClient = await signedIn();
      const xml = authnRequestXml({ issuer: 'urn:amazon:webservices', acsUrl: impostor.acs[0]!.url, destination: `${gh.baseUrl}/saml/sso` });
      const posted = await signedInClient.request('POST', '/saml/sso', postForm(xml));
      expectRefusedPage(posted, /reserved for AWS sign-in/);
      expect(autoPost(posted)).to.equal(null);
    });

    it('sends no mapping named like an AWS attribute: a custom app gets no Role at all', async () => {
      const post = autoPost(await launch(await signedIn(), mapper.id));
      expect(post?.action).to.equal(mapper.acs[0]!.url);
      const sp = await nodeSamlFor(gh.baseUrl, mapper, { validateInResponseTo: 'ifPresent' as never });
      const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: post!.fields.SAMLResponse! });
      expect(values(profile as Record<string, unknown>, 'email')).to.deep.equal(['alice@example.com']);
      expect(values(profile as Record<string, unknown>, ROLE_ATTR)).to.deep.equal([]);
      expect(Buffer.from(post!.fields.SAMLResponse!, 'base64').toString('utf8')).to.not.include('aws.amazon.com/SAML/Attributes');
    });

    it('gives an AWS account exactly the roles assigned, whatever a stored mapping says', async () => {
      const post = autoPost(await launch(await signedIn(), partner.id));
      const aws = await awsServiceProviderFromMetadata(`${gh.baseUrl}/saml/metadata`, 'https://signin.aws.amazon.com/saml');
      const { profile } = await aws.validatePostResponseAsync({ SAMLResponse: post!.fields.SAMLResponse! });
      expect(values(profile as Record<string, unknown>, ROLE_ATTR)).to.deep.equal([
        'arn:aws:iam::210987654321:role/ReadOnly,arn:aws:iam::210987654321:saml-provider/Gatehouse',
      ]);
    });
  });

  describe('refusals leave a trace', () => {
    it('logs and audits a replayed AuthnRequest', async () => {
      const id = newId();
      const query = redirectQuery(authnRequestXml({ id, issuer: mapper.entityId, acsUrl: mapper.acs[0]!.url, destination: `${gh.baseUrl}/saml/sso` }));
      expect((await new PortalClient(gh.baseUrl).request('GET', `/saml/sso?${query}`)).status).to.equal(303);
      const replay = await new PortalClient(gh.baseUrl).request('GET', `/saml/sso?${query}`);
      expectRefusedPage(replay, /already used/);
      const detail = await expectRefusalRecorded(replay, 'saml.authn-request.refused', 'replayed');
      expect(detail).to.deep.include({ samlRequestId: id, applicationId: mapper.id, issuer: mapper.entityId, binding: 'HTTP-Redirect' });
    });

    it('logs and audits a replayed LogoutRequest', async () => {
      const id = newId();
      const query = redirectQuery(logoutRequestXml({ id, issuer: sloApp.entityId, destination: `${gh.baseUrl}/saml/slo`, nameId: 'alice@example.com' }), { key: spKey });
      const first = await new PortalClient(gh.baseUrl).request('GET', `/saml/slo?${query}`);
      expect(first.status, first.text.slice(0, 300)).to.equal(302);
      const replay = await new PortalClient(gh.baseUrl).request('GET', `/saml/slo?${query}`);
      expectRefusedPage(replay, /already used/);
      const detail = await expectRefusalRecorded(replay, 'saml.logout-request.refused', 'replayed');
      expect(detail).to.deep.include({ samlRequestId: id, applicationId: sloApp.id });
    });

    it('logs and audits LogoutRequests refused while parsing: a comment, a processing instruction, a DOCTYPE', async () => {
      const logout = (nameId: string) => logoutRequestXml({ issuer: sloApp.entityId, destination: `${gh.baseUrl}/saml/slo`, nameId });
      const hostile = [
        logout('alice@example.com<!---->.evil.example'),
        logout('<?evil x?>alice@example.com'),
        `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${logout('alice@example.com')}`,
      ];
      for (const xml of hostile) {
        const page = await new PortalClient(gh.baseUrl).request('POST', '/saml/slo', postForm(xml));
        expectRefusedPage(page, /comment|processing instruction|DOCTYPE/);
        const detail = await expectRefusalRecorded(page, 'saml.logout-request.refused', 'xml-forbidden-construct');
        expect(detail.binding).to.equal('HTTP-POST');
      }
    });
  });
});
