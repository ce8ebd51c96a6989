// The portal's Applications tab and IdP-initiated sign-in: the list shows what the person is
// assigned to now; launching posts an unsolicited Response to the app's default ACS (node-saml as
// the SP accepts it), with the app's default RelayState; the CSRF token, the assignment and the
// person's account are checked at that moment. An external AWS account app gets the AWS Role
// attributes for exactly the roles assigned.
import { expect } from 'chai';
import type { Application } from '../../model/types.ts';
import { awsServiceProviderFromMetadata, ROLE_ATTR, SESSION_DURATION_ATTR, SESSION_NAME_ATTR, values } from '../support/aws-sp.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { POST, assign, autoPost, createApplication, expectRefusedPage, follow, nodeSamlFor } from './fixtures.ts';

describe('portal Applications tab and IdP-initiated sign-in', function () {
  this.timeout(60_000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let wiki: Application;
  let crm: Application;
  let hidden: Application;

  before(async () => {
    gh = await startGatehouse();
    org = await seedOrganization(gh.services, {
      users: [
        { userName: 'alice', email: 'alice@example.com' },
        { userName: 'dave', email: 'dave@example.com' },
      ],
      groups: [{ name: 'Sales', members: ['alice'] }],
    });
    wiki = await createApplication(gh.services, {
      slug: 'wiki',
      name: 'Wiki <script>alert(1)</script>',
      description: 'Team notes',
      defaultRelayState: '/spaces/home',
      acs: [
        { url: 'https://wiki.example.com/saml/acs-old', binding: POST, index: 0, isDefault: false },
        { url: 'https://wiki.example.com/saml/acs', binding: POST, index: 1, isDefault: true },
      ],
    });
    crm = await createApplication(gh.services, { slug: 'crm', name: 'CRM' });
    hidden = await createApplication(gh.services, { slug: 'hidden', name: 'Payroll' });
    await assign(gh.services, wiki, { user: org.users.alice!.id });
    await assign(gh.services, crm, { group: org.groups.Sales! });
  });
  after(async () => {
    await gh?.close();
  });

  async function signedIn(user = 'alice'): Promise<PortalClient> {
    const client = new PortalClient(gh.baseUrl);
    await client.signIn(user, org.users[user]!.password);
    return client;
  }

  const launch = async (client: PortalClient, applicationId: string, csrf?: string) => {
    await client.request('GET', '/start/applications');
    return client.request('POST', '/start/applications/launch', { csrf: csrf ?? client.csrf(), applicationId });
  };

  it('lists the apps assigned now, directly and through a group, sorted and escaped; the accounts page links to it', async () => {
    const client = await signedIn();
    expect((await client.request('GET', '/start')).text).to.include('<a href="/start/applications">Applications</a>');
    const page = await client.request('GET', '/start/applications');
    expect(page.status).to.equal(200);
    const listed = [...page.text.matchAll(/data-application-id="([^"]+)"/g)].map((m) => m[1]);
    expect(listed).to.deep.equal([crm.id, wiki.id]);
    expect(page.text).to.not.include(hidden.id);
    expect(page.text).to.include('Wiki &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).to.not.include('<script>alert(1)');
    expect(page.text).to.include('Team notes');

    const none = await (await signedIn('dave')).request('GET', '/start/applications');
    expect(none.text).to.include('id="no-applications"');
  });

  it('sends a person who is not signed in to sign in, and back to the tab', async () => {
    const client = new PortalClient(gh.baseUrl);
    const first = await client.request('GET', '/start/applications');
    expect(first.status).to.equal(303);
    const page = await follow(client, first);
    expect(page.text).to.include('name="returnTo" value="/start/applications"');
    const back = await client.request('POST', '/start/login', { csrf: client.csrf(), returnTo: '/start/applications', userName: 'alice', password: org.users.alice!.password });
    expect(back.location).to.equal('/start/applications');
  });

  it('launches an app: an unsolicited Response to its default ACS with its default RelayState, accepted by node-saml', async () => {
    const client = await signedIn();
    const page = await launch(client, wiki.id);
    const post = autoPost(page);
    expect(post?.action).to.equal('https://wiki.example.com/saml/acs');
    expect(post!.fields.RelayState).to.equal('/spaces/home');
    const sp = await nodeSamlFor(gh.baseUrl, wiki, { callbackUrl: 'https://wiki.example.com/saml/acs', validateInResponseTo: 'ifPresent' as never });
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: post!.fields.SAMLResponse! });
    expect(profile?.nameID).to.equal('alice@example.com');
    expect(profile?.inResponseTo).to.equal(undefined);
    const xml = Buffer.from(post!.fields.SAMLResponse!, 'base64').toString('utf8');
    expect(xml).to.not.include('InResponseTo');
    expect(xml).to.include('Recipient="https://wiki.example.com/saml/acs"');
    const session = await gh.services.portalSessions.get(client.cookies.get('gh_session'));
    expect(session?.apps).to.include(wiki.entityId);
    const audit = await gh.services.sql.audit.list({ action: 'federation.application', actor: org.users.alice!.id });
    expect(audit.items[0]?.detail).to.include({ initiatedBy: 'idp' });
  });

  it('refuses a launch without the session\'s CSRF token, and sends nothing', async () => {
    const client = await signedIn();
    expectRefusedPage(await launch(client, wiki.id, 'forged'), /did not come from the portal/, 403);
  });

  it('refuses to launch an app the person is not assigned to (an id typed by hand), and one unassigned since the page was shown', async () => {
    const client = await signedIn();
    expectRefusedPage(await launch(client, hidden.id), /not assigned to Payroll/, 403);
    expectRefusedPage(await launch(client, 'app-0000000000000000'), /not assigned to that application/, 403);
    const temp = await createApplication(gh.services, { name: 'Temp' });
    await assign(gh.services, temp, { user: org.users.alice!.id });
    await client.request('GET', '/start/applications');
    const csrf = client.csrf();
    await gh.services.sql.applications.unassign(temp.id, 'USER', org.users.alice!.id);
    expectRefusedPage(await client.request('POST', '/start/applications/launch', { csrf, applicationId: temp.id }), /not assigned/, 403);
  });

  it('refuses a launch by a person disabled since sign-in', async () => {
    const client = await signedIn('dave');
    const app = await createApplication(gh.services, { name: 'Dave app' });
    await assign(gh.services, app, { user: org.users.dave!.id });
    await client.request('GET', '/start/applications');
    const csrf = client.csrf();
    await gh.services.users.update(org.users.dave!.id, { enabled: false }, 'test');
    try {
      const page = await client.request('POST', '/start/applications/launch', { csrf, applicationId: app.id });
      expect(page.status).to.be.oneOf([303, 401]);
      expect(page.text).to.not.include('name="SAMLResponse"');
    } finally {
      await gh.services.users.update(org.users.dave!.id, { enabled: true }, 'test');
    }
  });

  describe('an external AWS account as an app', () => {
    const ACCOUNT = '444455556666';
    const ADMIN = `arn:aws:iam::${ACCOUNT}:role/Admin`;
    const READER = `arn:aws:iam::${ACCOUNT}:role/team/Reader`;
    const AUDITOR = `arn:aws:iam::${ACCOUNT}:role/Auditor`;
    let aws: Application;

    before(async () => {
      aws = await createApplication(gh.services, {
        slug: 'aws-external',
        name: 'Partner AWS',
        kind: 'external-aws-account',
        entityId: 'urn:amazon:webservices',
        acs: [{ url: 'https://signin.aws.amazon.com/saml', binding: POST, index: 0, isDefault: true }],
        nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
        nameIdSource: 'persistent',
        sessionDurationSeconds: 7200,
        externalAwsAccount: { accountId: ACCOUNT, samlProviderName: 'Gatehouse', roles: [{ roleArn: ADMIN }, { roleArn: READER }, { roleArn: AUDITOR }] },
      });
      await assign(gh.services, aws, { user: org.users.alice!.id }, [READER]);
      await assign(gh.services, aws, { group: org.groups.Sales! }, [ADMIN]);
    });

    it('emits the AWS Role pairs for exactly the assigned roles, with RoleSessionName and SessionDuration, accepted by an SP that trusts only our metadata', async () => {
      const client = await signedIn();
      const post = autoPost(await launch(client, aws.id));
      expect(post?.action).to.equal('https://signin.aws.amazon.com/saml');
      const sp = await awsServiceProviderFromMetadata(`${gh.baseUrl}/saml/metadata`, 'https://signin.aws.amazon.com/saml');
      const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: post!.fields.SAMLResponse! });
      const provider = `arn:aws:iam::${ACCOUNT}:saml-provider/Gatehouse`;
      expect(values(profile as never, ROLE_ATTR)).to.have.members([`${ADMIN},${provider}`, `${READER},${provider}`]);
      expect(values(profile as never, SESSION_NAME_ATTR)).to.deep.equal(['alice']);
      expect(values(profile as never, SESSION_DURATION_ATTR)).to.deep.equal(['7200']);
      expect(profile?.nameID).to.match(/^[\w-]{43}$/);
    });

    it('withdraws a role as soon as the app stops offering it, and hides the app when no role is left', async () => {
      const dave = await signedIn('dave');
      await assign(gh.services, aws, { user: org.users.dave!.id }, [AUDITOR]);
      expect((await dave.request('GET', '/start/applications')).text).to.include(aws.id);
      await gh.services.sql.applications.update(aws.id, { externalAwsAccount: { ...aws.externalAwsAccount!, roles: [{ roleArn: ADMIN }, { roleArn: READER }] } });
      try {
        expect((await dave.request('GET', '/start/applications')).text).to.not.include(aws.id);
        await dave.request('GET', '/start/applications');
        expectRefusedPage(await dave.request('POST', '/start/applications/launch', { csrf: dave.csrf(), applicationId: aws.id }), /not assigned|no role/, 403);
      } finally {
        await gh.services.sql.applications.update(aws.id, { externalAwsAccount: aws.externalAwsAccount });
      }
    });
  });
});
