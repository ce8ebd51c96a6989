// The access portal through its real HTTP surface, as a person's browser uses it, with
// @node-saml/node-saml standing in for the AWS sign-in endpoint.
import { expect } from 'chai';
import { roleArnFor, roleNameFor, samlProviderArn } from '../../access/role-name.ts';
import { awsServiceProviderFromMetadata, ROLE_ATTR, SESSION_DURATION_ATTR, SESSION_NAME_ATTR, TAG_ATTR, values } from '../support/aws-sp.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';

const SIGNIN = 'https://signin.aws.amazon.com/saml';

/** The short-window counter keys of a user name (access/sign-in-throttle.ts keys them by SHA-256). */
async function signInWindowKeys(userName: string): Promise<string[]> {
  const { createHash } = await import('node:crypto');
  return [`signin:user:${createHash('sha256').update(userName.toLowerCase()).digest('base64url')}`];
}

describe('access portal', function () {
  let gh: TestGatehouse;
  let org: SeededOrg;

  beforeEach(async () => {
    gh = await startGatehouse();
    org = await seedOrganization(gh.services, {
      users: [
        { userName: 'alice', email: 'alice@example.com', attributes: { department: 'R&D <"core"> ]]> & co', costCenter: '42' } },
        { userName: 'bob', email: 'bob@example.com' },
        { userName: 'carol', email: 'carol@example.com' },
        { userName: 'dora', email: 'dora@example.com', enabled: false },
      ],
      groups: [
        { name: 'engineers', members: ['alice', 'bob'] },
        { name: 'auditors', members: ['alice'] },
      ],
      accounts: [
        { accountId: '111122223333', name: 'Production', samlProviderName: 'GatehouseIdP' },
        { accountId: '444455556666', name: 'Development' },
      ],
      permissionSets: [
        { name: 'AdministratorAccess', sessionDuration: 'PT2H', relayState: 'https://console.aws.amazon.com/ec2/home' },
        { name: 'ReadOnly', sessionDuration: 'PT8H' },
      ],
      assignments: [
        { accountId: '111122223333', set: 'AdministratorAccess', group: 'engineers' },
        { accountId: '111122223333', set: 'AdministratorAccess', group: 'auditors' },
        { accountId: '111122223333', set: 'ReadOnly', group: 'auditors' },
        { accountId: '444455556666', set: 'ReadOnly', user: 'alice' },
        { accountId: '444455556666', set: 'ReadOnly', user: 'dora' },
      ],
    });
    await gh.services.instanceSettings.update({ accessControlAttributes: { department: 'Department', costCenter: 'CostCenter' } }, 'test');
  });
  afterEach(async () => {
    await gh.close();
  });

  const roleOf = (accountId: string, set: string, provider = 'Gatehouse') =>
    `${roleArnFor(accountId, roleNameFor(set, org.sets[set]!.id, accountId))},${samlProviderArn(accountId, provider)}`;

  describe('sign-in', () => {
    it('signs in with directory credentials, with a fresh session id, and shows the accounts the user reaches through two overlapping groups', async () => {
      const browser = new PortalClient(gh.baseUrl);
      const page = await browser.request('GET', '/start');
      expect(page.status).to.equal(200);
      expect(page.text).to.include('name="password"');
      browser.cookies.set('gh_session', 'attacker-chosen-session-id');
      const login = await browser.signIn('alice', org.users.alice!.password);
      expect(login.status).to.equal(303);
      expect(login.location).to.equal('/start');
      const cookie = login.headers.getSetCookie().find((c) => c.startsWith('gh_session='))!;
      expect(cookie).to.match(/HttpOnly/).and.match(/SameSite=Lax/);
      expect(browser.cookies.get('gh_session')).to.not.equal('attacker-chosen-session-id');

      const home = await browser.request('GET', '/start');
      expect(home.status).to.equal(200);
      const csp = home.headers.get('content-security-policy')!;
      expect(csp).to.include("frame-ancestors 'none'").and.match(/script-src 'nonce-[^']+'/);
      expect(home.text).to.include('Production').and.include('111122223333').and.include('Development');
      // AdministratorAccess reached through both groups is listed once.
      const production = home.text.slice(home.text.indexOf('data-account-id="111122223333"'));
      expect(production.slice(0, production.indexOf('</details>')).match(/data-role="AdministratorAccess"/g)).to.have.length(1);
    });

    it('gives the same answer for a wrong password, an unknown user and a disabled user', async () => {
      const answers = [];
      for (const [user, password] of [
        ['alice', 'wrong-password-xyz'],
        ['nobody-here', 'wrong-password-xyz'],
        ['dora', org.users.dora!.password],
      ] as const) {
        const browser = new PortalClient(gh.baseUrl);
        const res = await browser.signIn(user, password);
        expect(res.status).to.equal(401);
        expect(browser.cookies.has('gh_session')).to.equal(false);
        answers.push(res.text.match(/<div class="error" role="alert"[^>]*>([^<]*)<\/div>/)?.[1]);
      }
      expect(answers[0]).to.be.a('string');
      expect(new Set(answers).size).to.equal(1);
    });

    it('throttles repeated failures for a user name, even for the right password, and says to wait without telling whether the name exists', async () => {
      const browser = new PortalClient(gh.baseUrl);
      for (let i = 0; i < 10; i++) expect((await browser.signIn('bob', `wrong-${i}-password`)).status).to.equal(401);
      const blocked = await browser.signIn('bob', org.users.bob!.password);
      expect(blocked.status).to.equal(429);
      const message = (text: string) => text.match(/<div class="error" role="alert"[^>]*>([^<]*)<\/div>/)?.[1];
      expect(message(blocked.text)).to.equal('Too many failed sign-ins. Wait 15 minutes, then try again. If it still fails, ask your administrator.');
      const stranger = new PortalClient(gh.baseUrl);
      for (let i = 0; i < 10; i++) expect((await stranger.signIn('nobody-by-that-name', `wrong-${i}-password`)).status).to.equal(401);
      expect(message((await stranger.signIn('nobody-by-that-name', 'another-guess')).text)).to.equal(message(blocked.text));
      // Administrators see who is throttled, and for how long.
      const state = (await gh.api('GET', `/users/${org.users.bob!.id}/sign-in-state`)).body as { state: string; retryAfterSeconds: number };
      expect(state.state).to.equal('throttled');
      expect(state.retryAfterSeconds).to.be.within(800, 900);
      expect(browser.cookies.has('gh_session')).to.equal(false);
      // Another user from the same address is not affected.
      expect((await new PortalClient(gh.baseUrl).signIn('carol', org.users.carol!.password)).status).to.equal(303);
    });

    it('locks an account after 100 consecutive failures until an administrator unlocks it', async () => {
      // Spread over time the short window would not trip; the consecutive counter still would.
      for (let i = 0; i < 100; i++) {
        await gh.services.signInThrottle.recordFailure('carol', `10.0.${Math.floor(i / 50)}.${i % 50}`);
        if (i % 9 === 8) await gh.services.ephemeral.delete(...(await signInWindowKeys('carol')));
      }
      const locked = await new PortalClient(gh.baseUrl).signIn('carol', org.users.carol!.password);
      expect(locked.status).to.equal(429);
      // Administrators see who is locked.
      expect((await gh.api('GET', `/users/${org.users.carol!.id}/sign-in-state`)).body).to.deep.equal({ state: 'locked' });
      expect((await gh.api('POST', `/users/${org.users.carol!.id}/unlock`)).status).to.equal(204);
      expect((await gh.api('GET', `/users/${org.users.carol!.id}/sign-in-state`)).body).to.deep.equal({ state: 'open' });
      expect((await new PortalClient(gh.baseUrl).signIn('carol', org.users.carol!.password)).status).to.equal(303);
    });

    it('refuses a sign-in form without its CSRF token', async () => {
      const browser = new PortalClient(gh.baseUrl);
      await browser.request('GET', '/start');
      const res = await browser.request('POST', '/start/login', { csrf: 'forged', userName: 'alice', password: org.users.alice!.password });
      expect(res.status).to.equal(403);
      expect(browser.cookies.has('gh_session')).to.equal(false);
    });

    it('tells a user with no assignments so', async () => {
      const browser = new PortalClient(gh.baseUrl);
      await browser.signIn('carol', org.users.carol!.password);
      const home = await browser.request('GET', '/start');
      expect(home.text).to.include('id="no-accounts"');
      expect(home.text).to.not.include('data-account-id');
    });
  });

  describe('federation', () => {
    it('posts a Response that a SAML SP configured only from /saml/metadata accepts, with the exact role, session name, duration and tags', async () => {
      const browser = new PortalClient(gh.baseUrl);
      await browser.signIn('alice', org.users.alice!.password);
      const { response, action, fields } = await browser.federate('444455556666', 'ReadOnly');
      expect(response.status).to.equal(200);
      expect(action).to.equal(SIGNIN);
      expect(response.headers.get('content-security-policy')).to.include('form-action \'self\' https://signin.aws.amazon.com');
      const sp = await awsServiceProviderFromMetadata(`${gh.baseUrl}/saml/metadata`, SIGNIN);
      const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: fields.SAMLResponse! });
      const p = profile as unknown as Record<string, unknown>;
      expect(values(p, ROLE_ATTR)).to.deep.equal([roleOf('444455556666', 'ReadOnly')]);
      expect(values(p, SESSION_NAME_ATTR)).to.deep.equal(['alice']);
      expect(values(p, SESSION_DURATION_ATTR)).to.deep.equal(['28800']);
      expect(values(p, `${TAG_ATTR}Department`)).to.deep.equal(['R&D <"core"> ]]> & co']);
      expect(values(p, `${TAG_ATTR}CostCenter`)).to.deep.equal(['42']);
      expect(profile!.nameID).to.equal('alice@example.com');
      expect(fields.RelayState).to.equal(undefined);
      // Directory values added no structure: exactly the expected attributes.
      const xml = Buffer.from(fields.SAMLResponse!, 'base64').toString('utf8');
      expect(xml.match(/<saml:Attribute /g)).to.have.length(5);
      expect(xml.match(/<saml:Assertion /g)).to.have.length(1);
    });

    it('sends the permission set relay state, the account provider name, and every role for "All roles"', async () => {
      const browser = new PortalClient(gh.baseUrl);
      await browser.signIn('alice', org.users.alice!.password);
      const one = await browser.federate('111122223333', 'AdministratorAccess');
      expect(one.fields.RelayState).to.equal('https://console.aws.amazon.com/ec2/home');
      const all = await browser.federate('111122223333', '*');
      const sp = await awsServiceProviderFromMetadata(`${gh.baseUrl}/saml/metadata`, SIGNIN);
      const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: all.fields.SAMLResponse! });
      expect(values(profile as unknown as Record<string, unknown>, ROLE_ATTR).sort()).to.deep.equal(
        [roleOf('111122223333', 'AdministratorAccess', 'GatehouseIdP'), roleOf('111122223333', 'ReadOnly', 'GatehouseIdP')].sort(),
      );
      // The shortest duration of the roles offered.
      expect(values(profile as unknown as Record<string, unknown>, SESSION_DURATION_ATTR)).to.deep.equal(['7200']);
    });

    it('refuses a role the user does not have at this moment', async () => {
      const browser = new PortalClient(gh.baseUrl);
      await browser.signIn('bob', org.users.bob!.password);
      expect((await browser.federate('444455556666', 'ReadOnly')).response.status).to.equal(403);
      expect((await browser.federate('111122223333', 'ReadOnly')).response.status).to.equal(403);
      expect((await browser.federate('111122223333', 'AdministratorAccess')).response.status).to.equal(200);
      await gh.services.groups.removeMember(org.groups.engineers!, org.users.bob!.id, 'test');
      const after = await browser.federate('111122223333', 'AdministratorAccess');
      expect(after.response.status).to.equal(403);
      expect(after.fields.SAMLResponse).to.equal(undefined);
    });

    it('refuses a federation post without the session CSRF token', async () => {
      const browser = new PortalClient(gh.baseUrl);
      await browser.signIn('alice', org.users.alice!.password);
      const res = await browser.request('POST', '/start/federate', { csrf: 'forged', accountId: '444455556666', permissionSet: 'ReadOnly' });
      expect(res.status).to.equal(403);
      expect(res.text).to.not.include('SAMLResponse');
    });
  });

  describe('session lifetime', () => {
    it('ends the session at sign-out: the old cookie is dead', async () => {
      const browser = new PortalClient(gh.baseUrl);
      await browser.signIn('alice', org.users.alice!.password);
      const stolen = browser.cookies.get('gh_session')!;
      expect((await browser.signOut()).status).to.equal(303);
      const thief = new PortalClient(gh.baseUrl);
      thief.cookies.set('gh_session', stolen);
      const page = await thief.request('GET', '/start');
      expect(page.text).to.include('name="password"');
      expect(page.text).to.not.include('Production');
    });

    it('expires the session after the instance session duration', async () => {
      await gh.services.instanceSettings.update({ sessionDurationMinutes: 15 }, 'test');
      const browser = new PortalClient(gh.baseUrl);
      const login = await browser.signIn('alice', org.users.alice!.password);
      expect(login.headers.getSetCookie().find((c) => c.startsWith('gh_session='))).to.include('Max-Age=900');
      expect(await gh.services.ephemeral.ttl(`session:${(await import('../../access/portal-sessions.ts')).hashSessionId(browser.cookies.get('gh_session')!)}`)).to.be.within(890, 900);
      // Gatehouse decides from the session's own end, whatever the store still holds.
      gh.clock.advanceSeconds(15 * 60 - 5);
      expect((await browser.request('GET', '/start')).text).to.not.include('name="password"');
      gh.clock.advanceSeconds(5);
      expect((await browser.request('GET', '/start')).text).to.include('name="password"');
    });

    it('ends every session of a user who is disabled', async () => {
      const browser = new PortalClient(gh.baseUrl);
      await browser.signIn('alice', org.users.alice!.password);
      await gh.services.users.update(org.users.alice!.id, { enabled: false }, 'test');
      const page = await browser.request('GET', '/start');
      expect(page.text).to.include('name="password"');
      expect((await browser.federate('444455556666', 'ReadOnly')).fields.SAMLResponse).to.equal(undefined);
    });

    it('re-checks the person on every portal page: disabled in the directory behind Gatehouse, the session ends there and its cookie goes', async () => {
      const alice = org.users.alice!;
      for (const page of ['/start', '/start/applications', '/device']) {
        const browser = new PortalClient(gh.baseUrl);
        await browser.signIn('alice', alice.password);
        const sessionId = browser.cookies.get('gh_session')!;
        // Straight into the store: no event, no listener, only the re-read can notice.
        await gh.services.sql.directory.updateUser(alice.id, { enabled: false });
        try {
          const answer = await browser.request('GET', page);
          expect(answer.text, page).to.not.include('Sign out');
          expect(browser.cookies.has('gh_session'), `${page}: session cookie cleared`).to.equal(false);
          expect(await gh.services.portalSessions.get(sessionId), `${page}: session ended`).to.equal(null);
        } finally {
          await gh.services.sql.directory.updateUser(alice.id, { enabled: true });
        }
      }
    });
  });
});
