// What a person is told when their session is gone, and where they land after signing in again:
// a click in a stale tab (Management console, Access keys, an application, a device approval)
// says "Your session has expired" and, after signing in, carries on with that very action; the
// shareable console link signs in first, then federates into the right role; sign-out ends on
// "You have been signed out"; the return path is only ever one of the portal's own.
import { expect } from 'chai';
import type { Application } from '../../model/types.ts';
import { awsServiceProviderFromMetadata, ROLE_ATTR, SESSION_DURATION_ATTR, values } from '../support/aws-sp.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { hiddenFields, PortalClient, type PageResponse } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { assign, autoPost, createApplication, POST } from '../saml/fixtures.ts';

const PROD = '111122223333';
const SIGNIN = 'https://signin.aws.amazon.com/saml';

describe('portal session feedback and return after sign-in', function () {
  this.timeout(60_000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let wiki: Application;

  before(async () => {
    gh = await startGatehouse();
    org = await seedOrganization(gh.services, {
      users: [{ userName: 'alice', email: 'alice@example.com' }],
      accounts: [{ accountId: PROD, name: 'Production' }],
      permissionSets: [
        { name: 'AdministratorAccess', sessionDuration: 'PT2H' },
        { name: 'ReadOnly', sessionDuration: 'PT8H' },
        { name: 'Billing', sessionDuration: 'PT1H' },
      ],
      assignments: [
        { accountId: PROD, set: 'AdministratorAccess', user: 'alice' },
        { accountId: PROD, set: 'ReadOnly', user: 'alice' },
        { accountId: PROD, set: 'Billing', user: 'alice' },
      ],
    });
    wiki = await createApplication(gh.services, { slug: 'wiki', name: 'Wiki', acs: [{ url: 'https://wiki.example.com/saml/acs', binding: POST, index: 0, isDefault: true }] });
    await assign(gh.services, wiki, { user: org.users.alice!.id });
  });
  after(async () => {
    await gh?.close();
  });

  /** A browser whose session has ended on the server while its tab still shows the accounts page. */
  async function staleTab(): Promise<{ browser: PortalClient; csrf: string }> {
    const browser = new PortalClient(gh.baseUrl);
    await browser.signIn('alice', org.users.alice!.password);
    await browser.request('GET', '/start');
    const csrf = browser.csrf();
    await gh.services.portalSessions.destroy(browser.cookies.get('gh_session')!);
    return { browser, csrf };
  }

  /** Follows the sign-in redirect, checks the notice, signs in with the form's returnTo; the answer of /start/login. */
  async function signInAgain(browser: PortalClient, redirect: PageResponse, notice = 'Your session has expired. Sign in again to continue.'): Promise<PageResponse> {
    expect(redirect.status).to.equal(303);
    const page = await browser.request('GET', redirect.location!);
    expect(page.text).to.include(notice);
    const returnTo = hiddenFields(page.text).returnTo ?? '';
    return browser.request('POST', '/start/login', { csrf: browser.csrf(), userName: 'alice', password: org.users.alice!.password, returnTo });
  }

  it('Management console in a stale tab: "session expired", then straight on to the same role', async () => {
    const { browser, csrf } = await staleTab();
    const click = await browser.request('POST', '/start/federate', { csrf, accountId: PROD, permissionSet: 'ReadOnly' });
    const login = await signInAgain(browser, click);
    expect(login.location).to.equal(`/start/console?account_id=${PROD}&role_name=ReadOnly`);
    const post = autoPost(await browser.request('GET', login.location!));
    expect(post?.action).to.equal(SIGNIN);
    const sp = await awsServiceProviderFromMetadata(`${gh.baseUrl}/saml/metadata`, SIGNIN);
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: post!.fields.SAMLResponse! });
    const roles = values(profile as unknown as Record<string, unknown>, ROLE_ATTR);
    expect(roles).to.have.length(1);
    expect(roles[0]).to.match(/role\/gatehouse\/Gatehouse_ReadOnly_/);
  });

  it('Access keys in a stale tab: "session expired", then the credentials page of that role', async () => {
    const { browser, csrf } = await staleTab();
    const click = await browser.request('POST', '/start/credentials', { csrf, accountId: PROD, permissionSet: 'Billing' });
    const login = await signInAgain(browser, click);
    expect(login.location).to.equal(`/start/credentials?account_id=${PROD}&role_name=Billing`);
  });

  it('an application in a stale tab: "session expired", then the launch goes on', async () => {
    const { browser, csrf } = await staleTab();
    const click = await browser.request('POST', '/start/applications/launch', { csrf, applicationId: wiki.id });
    const login = await signInAgain(browser, click);
    expect(login.location).to.equal(`/start/applications/launch?application_id=${wiki.id}`);
    const post = autoPost(await browser.request('GET', login.location!));
    expect(post?.action).to.equal('https://wiki.example.com/saml/acs');
    expect(post?.fields.SAMLResponse).to.be.a('string');
  });

  it('a device approval in a stale tab: "session expired", then back to the same code', async () => {
    const { browser, csrf } = await staleTab();
    const click = await browser.request('POST', '/device/approve', { csrf, user_code: 'bcdf-ghjk' });
    const login = await signInAgain(browser, click);
    expect(login.location).to.equal('/device?user_code=BCDF-GHJK');
  });

  it('a first visit is not told its session expired', async () => {
    const browser = new PortalClient(gh.baseUrl);
    const click = await browser.request('GET', `/start/credentials?account_id=${PROD}&role_name=Billing`);
    expect(click.status).to.equal(303);
    expect(click.location).to.equal(`/start?returnTo=${encodeURIComponent(`/start/credentials?account_id=${PROD}&role_name=Billing`)}`);
    expect((await browser.request('GET', click.location!)).text).to.not.include('Your session has expired');
  });

  it('returns only to the portal\'s own relative paths after sign-in (no open redirect)', async () => {
    for (const returnTo of ['https://evil.example/start', '//evil.example/start', '/\\evil.example', '/start/../../evil', '/startle', 'javascript:alert(1)', '/start?x=<script>', ' /start/credentials', '/start/credentials?a=1#frag']) {
      const browser = new PortalClient(gh.baseUrl);
      await browser.request('GET', '/start');
      const login = await browser.request('POST', '/start/login', { csrf: browser.csrf(), userName: 'alice', password: org.users.alice!.password, returnTo });
      expect(login.location, returnTo).to.equal('/start');
    }
    const browser = new PortalClient(gh.baseUrl);
    const page = await browser.request('GET', `/start?returnTo=${encodeURIComponent('https://evil.example/')}`);
    expect(hiddenFields(page.text).returnTo).to.equal(undefined);
  });

  it('the shareable console link: signed out, sign in first, then federate into the role it names, landing on its destination', async () => {
    const browser = new PortalClient(gh.baseUrl);
    const destination = 'https://console.aws.amazon.com/s3/home?region=eu-west-1';
    const link = `/start/console?account_id=${PROD}&role_name=AdministratorAccess&destination=${encodeURIComponent(destination)}`;
    const first = await browser.request('GET', link);
    const login = await signInAgain(browser, first, 'Sign in');
    expect(login.location).to.equal(link);
    const post = autoPost(await browser.request('GET', login.location!));
    expect(post?.fields.RelayState).to.equal(destination);
    const sp = await awsServiceProviderFromMetadata(`${gh.baseUrl}/saml/metadata`, SIGNIN);
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: post!.fields.SAMLResponse! });
    const roles = values(profile as unknown as Record<string, unknown>, ROLE_ATTR);
    expect(roles).to.have.length(1);
    expect(roles[0]).to.match(/role\/gatehouse\/Gatehouse_AdministratorAccess_/);

    // Not a console page: refused, nothing signed.
    const elsewhere = await browser.request('GET', `/start/console?account_id=${PROD}&role_name=ReadOnly&destination=${encodeURIComponent('https://evil.example/')}`);
    expect(elsewhere.status).to.equal(400);
    expect(elsewhere.text).to.not.include('SAMLResponse');
    // Followed from another site: a button to click, no assertion.
    const crossSite = await fetch(`${gh.baseUrl}/start/console?account_id=${PROD}&role_name=ReadOnly`, {
      headers: { cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'sec-fetch-site': 'cross-site' },
    });
    const confirm = await crossSite.text();
    expect(confirm).to.include('id="confirm-console"').and.not.include('SAMLResponse');
  });

  it('"All roles" offers every role with the shortest SessionDuration among them', async () => {
    const browser = new PortalClient(gh.baseUrl);
    await browser.signIn('alice', org.users.alice!.password);
    const home = await browser.request('GET', '/start');
    expect(home.text).to.include('the console session lasts 1 h, the shortest of them');
    const all = await browser.federate(PROD, '*');
    const sp = await awsServiceProviderFromMetadata(`${gh.baseUrl}/saml/metadata`, SIGNIN);
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: all.fields.SAMLResponse! });
    expect(values(profile as unknown as Record<string, unknown>, ROLE_ATTR)).to.have.length(3);
    expect(values(profile as unknown as Record<string, unknown>, SESSION_DURATION_ATTR)).to.deep.equal(['3600']);
  });

  it('sign-out ends on "You have been signed out"', async () => {
    const browser = new PortalClient(gh.baseUrl);
    await browser.signIn('alice', org.users.alice!.password);
    const out = await browser.signOut();
    expect(out.location).to.equal('/start/signed-out');
    const page = await browser.request('GET', out.location!);
    expect(page.status).to.equal(200);
    expect(page.text).to.include('You have been signed out').and.include('Sign in again');
  });

  it('keeps favourites per person and lists them first, then the account used last', async () => {
    const browser = new PortalClient(gh.baseUrl);
    await browser.signIn('alice', org.users.alice!.password);
    await browser.request('GET', '/start');
    expect((await browser.request('POST', '/start/favourites', { csrf: browser.csrf(), accountId: PROD, favourite: '1' })).location).to.equal('/start');
    expect(await gh.services.portalPreferences.of(org.users.alice!.id)).to.deep.include({ favourites: [PROD] });
    const home = await browser.request('GET', '/start');
    expect(home.text).to.include(`aria-pressed="true" aria-label="Favourite Production" data-favourite="${PROD}"`);
    await browser.federate(PROD, 'ReadOnly');
    expect((await gh.services.portalPreferences.of(org.users.alice!.id)).recent).to.deep.equal([PROD]);
    await browser.request('GET', '/start');
    expect((await browser.request('POST', '/start/favourites', { csrf: browser.csrf(), accountId: 'not-an-account', favourite: '1' })).status).to.equal(400);
  });

  it('forgets a person\'s favourites and recent accounts when the user is deleted', async () => {
    const carol = await gh.services.users.create({ userName: 'carol', displayName: 'Carol', password: 'carol-password-1234' }, 'test');
    await gh.services.portalPreferences.setFavourite(carol.id, PROD, true);
    await gh.services.portalPreferences.used(carol.id, PROD);
    const token = await gh.adminToken();
    const deleted = await fetch(`${gh.baseUrl}/api/v1/users/${carol.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(deleted.status).to.be.oneOf([200, 204]);
    expect(await gh.services.portalPreferences.of(carol.id)).to.deep.equal({ favourites: [], recent: [] });
  });
});
