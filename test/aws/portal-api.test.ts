// The SSO portal API through real HTTP with the AWS SDK for JavaScript v3 (@aws-sdk/client-sso),
// Gatehouse calling the STS stand-in (which checks every assertion against Gatehouse's metadata).
import {
  GetRoleCredentialsCommand,
  ListAccountRolesCommand,
  ListAccountsCommand,
  LogoutCommand,
  paginateListAccountRoles,
  paginateListAccounts,
  type SSOClient,
} from '@aws-sdk/client-sso';
import { expect } from 'chai';
import { SNAPSHOT_MAX_AGE_MS } from '../../access/authorization-epoch.ts';
import { roleArnFor, roleNameFor, samlProviderArn } from '../../access/role-name.ts';
import { DEV, PROD, rawPortalApi, SANDBOX, startPortalApiWorld, type PortalApiWorld, failure } from './portal-api-fixtures.ts';

describe('SSO portal API (AWS SDK client-sso)', function () {
  let w: PortalApiWorld;
  let sso: SSOClient;
  let alice: string;
  let bob: string;

  beforeEach(async () => {
    w = await startPortalApiWorld();
    sso = w.sso();
    alice = (await w.tokenFor('alice')).accessToken;
    bob = (await w.tokenFor('bob')).accessToken;
  });
  afterEach(async () => {
    await w.close();
  });

  const credentialsOf = (accessToken: string, accountId: string, roleName: string) =>
    sso.send(new GetRoleCredentialsCommand({ accessToken, accountId, roleName }));

  describe('ListAccounts and ListAccountRoles', () => {
    it("lists the user's accounts with name and email, one per page with max_result=1", async () => {
      const pages = [];
      for await (const page of paginateListAccounts({ client: sso, pageSize: 1 }, { accessToken: alice })) pages.push(page);
      expect(pages).to.have.length(2);
      expect(pages.map((p) => p.accountList)).to.deep.equal([
        [{ accountId: DEV, accountName: 'Development', emailAddress: 'dev@example.com' }],
        [{ accountId: PROD, accountName: 'Production', emailAddress: 'prod@example.com' }],
      ]);
      expect(pages[0]!.nextToken).to.be.a('string');
      // The last page has no nextToken at all (not null, not "").
      const raw = await rawPortalApi(w.gh.baseUrl, 'GET', `/assignment/accounts?max_result=1&next_token=${encodeURIComponent(pages[0]!.nextToken!)}`, alice);
      expect(raw.status).to.equal(200);
      expect(raw.json).to.not.have.property('nextToken');

      const all = await sso.send(new ListAccountsCommand({ accessToken: alice }));
      expect(all.accountList!.map((a) => a.accountId)).to.deep.equal([DEV, PROD]);
      expect(all.nextToken).to.equal(undefined);
      // bob reaches Production through the group and Sandbox directly; never alice's Development.
      const bobs = await sso.send(new ListAccountsCommand({ accessToken: bob }));
      expect(bobs.accountList!.map((a) => a.accountId)).to.deep.equal([PROD, SANDBOX]);
    });

    it('lists the permission set names on an account, paged, and refuses an account the user does not reach', async () => {
      const pages = [];
      for await (const page of paginateListAccountRoles({ client: sso, pageSize: 1 }, { accessToken: alice, accountId: PROD })) pages.push(page);
      expect(pages.map((p) => p.roleList)).to.deep.equal([[{ roleName: 'AdministratorAccess', accountId: PROD }], [{ roleName: 'ReadOnly', accountId: PROD }]]);
      const bobs = await sso.send(new ListAccountRolesCommand({ accessToken: bob, accountId: PROD }));
      expect(bobs.roleList).to.deep.equal([{ roleName: 'AdministratorAccess', accountId: PROD }]);

      // Sandbox exists but is bob's; 999999999999 does not exist: the same answer for both.
      for (const accountId of [SANDBOX, '999999999999']) {
        const e = await failure(sso.send(new ListAccountRolesCommand({ accessToken: alice, accountId })));
        expect(e.name).to.equal('ForbiddenException');
        expect(e.message).to.equal('No access');
        expect(e.$metadata?.httpStatusCode).to.equal(403);
      }
    });

    it('answers bad parameters with InvalidRequestException in both AWS error forms', async () => {
      for (const query of [
        '/assignment/roles',
        '/assignment/roles?account_id=12345',
        '/assignment/accounts?max_result=0',
        '/assignment/accounts?max_result=101',
        '/assignment/accounts?max_result=ten',
        '/assignment/accounts?next_token=not-a-token',
        `/assignment/accounts?next_token=${Buffer.from(JSON.stringify({ l: `roles:${PROD}`, o: 1 })).toString('base64url')}`,
        '/federation/credentials?account_id=111122223333',
        '/federation/credentials?account_id=111122223333&role_name=*',
      ]) {
        const res = await rawPortalApi(w.gh.baseUrl, 'GET', query, alice);
        expect(res.status, query).to.equal(400);
        expect(res.headers.get('x-amzn-errortype'), query).to.equal('InvalidRequestException');
        expect(res.json!.__type, query).to.equal('InvalidRequestException');
        expect(res.json!.message, query).to.be.a('string').and.not.equal('');
      }
      expect(w.sts.hits).to.equal(0);
    });
  });

  describe('GetRoleCredentials', () => {
    it('returns the credentials STS issued for exactly that role, for the permission set duration, with expiration in epoch ms', async () => {
      const before = Date.now();
      const { roleCredentials } = await credentialsOf(alice, PROD, 'AdministratorAccess');
      expect(w.sts.calls).to.have.length(1);
      const call = w.sts.calls[0]!;
      const set = w.org.sets.AdministratorAccess!;
      expect(call.roleArn).to.equal(roleArnFor(PROD, roleNameFor('AdministratorAccess', set.id, PROD)));
      expect(call.roleArn).to.match(/^arn:aws:iam::111122223333:role\/gatehouse\/Gatehouse_AdministratorAccess_[0-9a-f]{16}$/);
      expect(call.principalArn).to.equal(samlProviderArn(PROD, 'GatehouseIdP'));
      expect(call.durationSeconds).to.equal(7200); // PT2H
      expect(call.roleSessionName).to.equal('alice');
      expect(call.nameId).to.equal('alice@example.com');
      const issued = call.outcome as { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string };
      expect(roleCredentials!.accessKeyId).to.equal(issued.accessKeyId);
      expect(roleCredentials!.secretAccessKey).to.equal(issued.secretAccessKey);
      expect(roleCredentials!.sessionToken).to.equal(issued.sessionToken);
      expect(roleCredentials!.expiration).to.equal(Date.parse(issued.expiration));
      expect(roleCredentials!.expiration).to.be.within(before + 7200_000 - 2000, Date.now() + 7200_000);

      const raw = await rawPortalApi(w.gh.baseUrl, 'GET', `/federation/credentials?role_name=ReadOnly&account_id=${PROD}`, alice);
      expect(raw.status).to.equal(200);
      expect(raw.headers.get('content-type')).to.match(/^application\/json/);
      expect(raw.headers.get('cache-control')).to.equal('no-store');
      expect(raw.json!.roleCredentials.expiration).to.be.a('number').and.be.above(Date.now() + 8 * 3600_000 - 5000); // PT8H, in ms
      expect(w.sts.calls[1]!.durationSeconds).to.equal(28800);
      // Nothing that identifies a credential lands in the audit log beyond the key id.
      const events = (await w.gh.services.audit.list({ action: 'credentials.issue' })).items;
      expect(events).to.have.length(2);
      expect(JSON.stringify(events)).to.not.include(issued.secretAccessKey).and.not.include(issued.sessionToken);
    });

    it('serves a second call from the cache without calling STS again', async () => {
      const first = (await credentialsOf(alice, PROD, 'AdministratorAccess')).roleCredentials!;
      const second = (await credentialsOf(alice, PROD, 'AdministratorAccess')).roleCredentials!;
      expect(w.sts.hits).to.equal(1);
      expect(second).to.deep.equal(first);
      // Another token of the same user reaches the same entry.
      const again = (await w.tokenFor('alice')).accessToken;
      expect((await credentialsOf(again, PROD, 'AdministratorAccess')).roleCredentials).to.deep.equal(first);
      expect(w.sts.hits).to.equal(1);
    });

    it("never gives a user another user's role or another user's cached credentials", async () => {
      const alices = (await credentialsOf(alice, PROD, 'AdministratorAccess')).roleCredentials!;
      // bob has the same role through the same group: his own STS call, his own credentials.
      const bobs = (await credentialsOf(bob, PROD, 'AdministratorAccess')).roleCredentials!;
      expect(bobs.accessKeyId).to.not.equal(alices.accessKeyId);
      expect(w.sts.calls.map((c) => c.roleSessionName)).to.deep.equal(['alice', 'bob']);

      // alice asks for bob's Sandbox role, and bob for alice's Development and Production ReadOnly.
      for (const [token, accountId, role] of [
        [alice, SANDBOX, 'Billing'],
        [bob, DEV, 'ReadOnly'],
        [bob, PROD, 'ReadOnly'],
        [alice, PROD, 'Billing'],
        [alice, '999999999999', 'ReadOnly'],
        [alice, PROD, 'administratoraccess'],
      ] as const) {
        const e = await failure(credentialsOf(token, accountId, role));
        expect(e.name, `${accountId}/${role}`).to.equal('ForbiddenException');
        expect(e.message).to.equal('No access');
        expect(e.$metadata?.httpStatusCode).to.equal(403);
      }
      expect(w.sts.hits).to.equal(2);
    });

    it('refuses an account nobody assigned to the user and a user with no assignments at all', async () => {
      const carol = (await w.tokenFor('carol')).accessToken;
      expect((await sso.send(new ListAccountsCommand({ accessToken: carol }))).accountList).to.deep.equal([]);
      const e = await failure(credentialsOf(carol, PROD, 'AdministratorAccess'));
      expect(e.name).to.equal('ForbiddenException');
      expect(w.sts.hits).to.equal(0);
    });
  });

  describe('tokens', () => {
    it('answers a missing, unknown or malformed token with UnauthorizedException in both AWS error forms', async () => {
      for (const token of [undefined, 'aoa-not-a-real-token', '', 'x'.repeat(5000)]) {
        for (const path of ['/assignment/accounts', `/assignment/roles?account_id=${PROD}`, `/federation/credentials?account_id=${PROD}&role_name=ReadOnly`]) {
          const res = await rawPortalApi(w.gh.baseUrl, 'GET', path, token);
          expect(res.status, `${path} ${token?.slice(0, 10)}`).to.equal(401);
          expect(res.headers.get('x-amzn-errortype')).to.equal('UnauthorizedException');
          expect(res.json).to.deep.equal({ __type: 'UnauthorizedException', message: 'Session token not found or invalid' });
        }
      }
      const e = await failure(sso.send(new ListAccountsCommand({ accessToken: 'aoa-unknown' })));
      expect(e.name).to.equal('UnauthorizedException');
      expect(e.message).to.equal('Session token not found or invalid');
      expect(w.sts.hits).to.equal(0);
    });

    it('Logout: 200 with an empty body, the token is dead afterwards, and the user’s cached credentials are gone', async () => {
      const set = w.org.sets.AdministratorAccess!;
      const aliceId = w.org.users.alice!.id;
      await credentialsOf(alice, PROD, 'AdministratorAccess');
      await credentialsOf(bob, PROD, 'AdministratorAccess');
      expect(await w.gh.services.credentialCache.get(aliceId, PROD, set.id)).to.not.equal(null);

      const raw = await fetch(`${w.gh.baseUrl}/logout`, { method: 'POST', headers: { 'x-amz-sso_bearer_token': alice } });
      expect(raw.status).to.equal(200);
      expect(await raw.text()).to.equal('');

      for (const call of [sso.send(new ListAccountsCommand({ accessToken: alice })), credentialsOf(alice, PROD, 'AdministratorAccess'), sso.send(new LogoutCommand({ accessToken: alice }))]) {
        expect((await failure(call)).name).to.equal('UnauthorizedException');
      }
      expect(await w.gh.services.credentialCache.get(aliceId, PROD, set.id)).to.equal(null);
      // bob's token and cache are untouched; a new token of alice's gets fresh credentials.
      await credentialsOf(bob, PROD, 'AdministratorAccess');
      expect(w.sts.hits).to.equal(2);
      const fresh = (await w.tokenFor('alice')).accessToken;
      await credentialsOf(fresh, PROD, 'AdministratorAccess');
      expect(w.sts.hits).to.equal(3);
      await sso.send(new LogoutCommand({ accessToken: fresh }));
      expect((await failure(sso.send(new ListAccountsCommand({ accessToken: fresh })))).name).to.equal('UnauthorizedException');
    });

    it('a token dies with its portal session (portal sign-out)', async () => {
      const { accessToken, browser } = await w.tokenFor('alice');
      await sso.send(new ListAccountsCommand({ accessToken }));
      await browser.signOut();
      expect((await failure(sso.send(new ListAccountsCommand({ accessToken })))).name).to.equal('UnauthorizedException');
    });
  });

  describe('changes take effect at the next call', () => {
    it('after the assignment is removed: refused, and every cached entry for that account and permission set purged', async () => {
      const set = w.org.sets.AdministratorAccess!;
      const [aliceId, bobId] = [w.org.users.alice!.id, w.org.users.bob!.id];
      await credentialsOf(alice, PROD, 'AdministratorAccess');
      await credentialsOf(bob, PROD, 'AdministratorAccess');
      await credentialsOf(alice, PROD, 'ReadOnly');
      const cache = w.gh.services.credentialCache;
      expect(await cache.get(aliceId, PROD, set.id)).to.not.equal(null);

      const removed = await w.gh.api('DELETE', '/account-assignments', {
        accountId: PROD,
        permissionSetId: set.id,
        principalType: 'GROUP',
        principalId: w.org.groups.engineers,
      });
      expect(removed.status, JSON.stringify(removed.body)).to.be.within(200, 204);
      expect(await cache.get(aliceId, PROD, set.id)).to.equal(null);
      expect(await cache.get(bobId, PROD, set.id)).to.equal(null);
      // Other pairs stay cached.
      expect(await cache.get(aliceId, PROD, w.org.sets.ReadOnly!.id)).to.not.equal(null);

      for (const token of [alice, bob]) {
        const e = await failure(credentialsOf(token, PROD, 'AdministratorAccess'));
        expect(e.name).to.equal('ForbiddenException');
      }
      expect((await sso.send(new ListAccountRolesCommand({ accessToken: alice, accountId: PROD }))).roleList).to.deep.equal([{ roleName: 'ReadOnly', accountId: PROD }]);
      await credentialsOf(alice, PROD, 'ReadOnly');
      expect(w.sts.hits).to.equal(3);
    });

    it('after the user is disabled: refused, and the cache purged', async () => {
      const set = w.org.sets.ReadOnly!;
      const aliceId = w.org.users.alice!.id;
      await credentialsOf(alice, DEV, 'ReadOnly');
      expect(await w.gh.services.credentialCache.get(aliceId, DEV, set.id)).to.not.equal(null);
      await w.gh.services.users.update(aliceId, { enabled: false }, 'test');
      expect((await failure(credentialsOf(alice, DEV, 'ReadOnly'))).name).to.equal('UnauthorizedException');
      expect(await w.gh.services.credentialCache.get(aliceId, DEV, set.id)).to.equal(null);
      expect(w.sts.hits).to.equal(1);
    });

    it('re-reads the user once the snapshot bound has passed: disabled in the directory while the session lives, the cached credentials are not served', async () => {
      await credentialsOf(alice, DEV, 'ReadOnly');
      // Straight in the store, as an external directory would change: no lifecycle event, no
      // authorization epoch change, the portal session and token still live and the cache entry
      // is still there. What Gatehouse is not told about counts within SNAPSHOT_MAX_AGE_MS
      // (access/authorization-epoch.ts); changes made through Gatehouse count at the next call.
      await w.gh.services.sql.directory.updateUser(w.org.users.alice!.id, { enabled: false });
      expect(await w.gh.services.credentialCache.get(w.org.users.alice!.id, DEV, w.org.sets.ReadOnly!.id)).to.not.equal(null);
      w.gh.clock.advance(SNAPSHOT_MAX_AGE_MS);
      for (const call of [credentialsOf(alice, DEV, 'ReadOnly'), sso.send(new ListAccountsCommand({ accessToken: alice }))]) {
        expect((await failure(call)).name).to.equal('UnauthorizedException');
      }
    });

    it('checks entitlements at the moment of the call even when the cache holds credentials (a group membership removed)', async () => {
      await credentialsOf(bob, PROD, 'AdministratorAccess');
      await w.gh.services.groups.removeMember(w.org.groups.engineers!, w.org.users.bob!.id, 'test');
      const e = await failure(credentialsOf(bob, PROD, 'AdministratorAccess'));
      expect(e.name).to.equal('ForbiddenException');
      expect(w.sts.hits).to.equal(1);
    });
  });
});
