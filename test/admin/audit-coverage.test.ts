// What the audit log holds, read the way an administrator reads it (GET /api/v1/audit), for the
// events a person's use of Gatehouse leaves behind: sign-in and failed sign-in, federation into an
// account (and a refused one), credentials issued through GetRoleCredentials (never the secret),
// a console change (who by name and id, from where, before and after), and the refusals of
// someone with no admin role, in the console and on the API.
import { createHash, randomBytes } from 'node:crypto';
import { GetRoleCredentialsCommand } from '@aws-sdk/client-sso';
import { expect } from 'chai';
import { ADMIN_PASSWORD } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { PROD, SANDBOX, startPortalApiWorld, type PortalApiWorld } from '../aws/portal-api-fixtures.ts';

describe('audit log: what each kind of use leaves behind, through the audit API', function () {
  this.timeout(60_000);
  let w: PortalApiWorld;
  let start: string;
  const audit = async (query: string) => (await w.gh.api('GET', `/audit?from=${start}&limit=1000&${query}`)).body.items as any[];
  const id = (userName: string) => w.org.users[userName]!.id;

  before(async () => {
    w = await startPortalApiWorld();
    start = new Date(Date.now() - 1000).toISOString();
  });
  after(async () => {
    await w?.close();
  });

  it('records sign-ins and failed sign-ins with the address', async () => {
    const browser = new PortalClient(w.gh.baseUrl);
    expect((await browser.signIn('alice', 'not her password')).status).to.not.equal(303);
    await browser.signIn('alice', w.org.users.alice!.password);
    const [failed] = await audit('action=signin.failure');
    expect(failed).to.include({ outcome: 'failure', address: '127.0.0.1' });
    const [signedIn] = await audit(`action=signin.success&actor=${id('alice')}`);
    expect(signedIn).to.include({ outcome: 'success', address: '127.0.0.1' });
  });

  it('records federation into an account, and a refused one with the reason', async () => {
    const { browser } = await w.tokenFor('alice');
    const fed = await browser.federate(PROD, 'ReadOnly');
    expect(fed.fields.SAMLResponse).to.be.a('string');
    const [event] = await audit(`action=federation.account&actor=${id('alice')}`);
    expect(event).to.include({ target: `account/${PROD}`, outcome: 'success', address: '127.0.0.1' });
    expect(event.detail.permissionSets).to.deep.equal(['ReadOnly']);

    await browser.federate(SANDBOX, 'Billing');
    const [refused] = await audit(`action=federation.account.refused&actor=${id('alice')}`);
    expect(refused).to.include({ target: `account/${SANDBOX}`, outcome: 'refused' });
    expect(refused.detail).to.include({ permissionSet: 'Billing' });
    expect(refused.detail.reason).to.match(/not assigned/);
  });

  it('records credentials issued through GetRoleCredentials, with the key id and never the secret', async () => {
    const { accessToken } = await w.tokenFor('alice');
    const { roleCredentials } = await w.sso().send(new GetRoleCredentialsCommand({ accountId: PROD, roleName: 'ReadOnly', accessToken }));
    const [event] = await audit(`action=credentials.issue&actor=${id('alice')}`);
    expect(event).to.include({ target: `account/${PROD}`, outcome: 'success' });
    expect(event.detail).to.include({ permissionSet: 'ReadOnly', accessKeyId: roleCredentials!.accessKeyId });
    expect(JSON.stringify(event)).not.to.include(roleCredentials!.secretAccessKey!).and.not.include(roleCredentials!.sessionToken!);
  });

  it('records a console change with the administrator by name and id, the address, and before and after', async () => {
    const admin = new PortalClient(w.gh.baseUrl);
    expect((await admin.signIn('admin', ADMIN_PASSWORD)).status).to.equal(303);
    await admin.request('GET', `/admin/users/${id('carol')}`);
    expect((await admin.request('POST', `/admin/users/${id('carol')}/disable`, { csrf: admin.csrf() })).status).to.equal(303);
    const [event] = await audit(`action=user.update&target=user/${id('carol')}`);
    expect(event).to.include({ actorName: 'admin', address: '127.0.0.1', outcome: 'success' });
    expect(event.actor).to.equal((await w.gh.api('GET', '/users?name=admin')).body.items.find((u: any) => u.userName === 'admin').id);
    expect(event.detail.before).to.include({ enabled: true });
    expect(event.detail.after).to.include({ enabled: false });
  });

  it('records the refusals of someone with no admin role: a console page, and an API call with a token whose role was taken away', async () => {
    const bob = new PortalClient(w.gh.baseUrl);
    await bob.signIn('bob', w.org.users.bob!.password);
    expect((await bob.request('GET', '/admin/users')).status).to.equal(403);
    const [page] = await audit(`action=admin.refused&actor=${id('bob')}`);
    expect(page).to.include({ target: 'admin-console', outcome: 'refused', actorName: 'bob', address: '127.0.0.1' });
    expect(page.detail).to.include({ reason: 'no admin role', path: 'GET /admin/users' });

    await w.gh.api('PUT', `/admin-roles/USER/${id('bob')}`, { role: 'administrator' });
    const token = (await w.gh.api('POST', '/tokens', { userName: 'bob', password: w.org.users.bob!.password }, null)).body.token;
    await w.gh.api('DELETE', `/admin-roles/USER/${id('bob')}`);
    // Revoking the grant removed the token at once; a token left (as one whose owner left an admin
    // group would be until its next use) is refused and removed on its first call.
    expect((await w.gh.api('GET', '/users', undefined, token)).status).to.equal(401);
    const left = `gha_${randomBytes(32).toString('base64url')}`;
    await w.gh.services.sql.apiTokens.create({ hash: createHash('sha256').update(left).digest('hex'), userId: id('bob'), createdAt: new Date(), expiresAt: new Date(Date.now() + 600_000) });
    expect((await w.gh.api('GET', '/users', undefined, left)).status).to.equal(403);
    const [api] = await audit(`action=admin.refused&actor=${id('bob')}&target=admin-api`);
    expect(api).to.include({ outcome: 'refused', actorName: 'bob' });
    expect(api.detail).to.include({ reason: 'no admin role' });
  });
});
