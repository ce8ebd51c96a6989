// GetRoleCredentials refused for a role the caller is not assigned leaves a trace an operator can
// follow: a warning in the log carrying the request id (as sent in x-amzn-RequestId) and the
// reason, and an audit entry naming who asked for what. A call that succeeds writes neither.
import { GetRoleCredentialsCommand } from '@aws-sdk/client-sso';
import { expect } from 'chai';
import { captureLog } from '../support/captured-log.ts';
import { DEV, PROD, rawPortalApi, SANDBOX, startPortalApiWorld, failure, type PortalApiWorld } from './portal-api-fixtures.ts';

describe('SSO portal API: GetRoleCredentials refusals are logged and audited', function () {
  this.timeout(30_000);
  let w: PortalApiWorld;
  const log = captureLog();
  const lines = () => log.lines();
  // Log lines are written asynchronously; give them a moment.
  const settle = () => new Promise((r) => setTimeout(r, 50));

  before(async () => {
    w = await startPortalApiWorld({ log: { level: 'info', destination: log.destination } });
  });
  after(async () => {
    await w?.close();
  });

  const credentials = (token: string, accountId: string, roleName: string) =>
    rawPortalApi(w.gh.baseUrl, 'GET', `/federation/credentials?account_id=${accountId}&role_name=${roleName}`, token);
  const refusals = async () => (await w.gh.services.audit.list({ action: 'credentials.refuse' })).items;

  it('warns with the request id and the reason, and audits who asked for which role, when the role is not assigned', async () => {
    const { accessToken } = await w.tokenFor('bob');
    const bobId = w.org.users.bob!.id;
    // Bob reaches PROD (AdministratorAccess through his group) but not ReadOnly there, and nothing on DEV.
    const notOnAccount = await credentials(accessToken, PROD, 'ReadOnly');
    const noAccount = await credentials(accessToken, DEV, 'ReadOnly');
    await settle();
    for (const [res, accountId, reason] of [
      [notOnAccount, PROD, /ReadOnly/],
      [noAccount, DEV, /no permission set/],
    ] as const) {
      expect(res.status).to.equal(403);
      expect(res.json).to.deep.equal({ __type: 'ForbiddenException', message: 'No access' });
      const reqId = res.headers.get('x-amzn-requestid');
      const warnings = lines().filter((l) => l.reqId === reqId && l.level === 40);
      expect(warnings, `warnings of ${reqId}`).to.have.length(1);
      expect(warnings[0]).to.deep.include({ msg: 'GetRoleCredentials refused', userId: bobId, accountId, roleName: 'ReadOnly' });
      expect(warnings[0]!.reason).to.be.a('string').and.match(reason);
      const entry = (await refusals()).find((e) => e.actor === bobId && e.target === `account/${accountId}`);
      expect(entry, `audit entry for ${accountId}`).to.not.equal(undefined);
      expect(entry!.detail).to.deep.include({ permissionSet: 'ReadOnly', via: 'sso-api', requestId: reqId });
      expect(entry!.detail.reason).to.equal(warnings[0]!.reason);
    }
    expect(log.text()).to.not.include(accessToken);
  });

  it('is what the AWS SDK sees as ForbiddenException, and the SDK’s refusal is audited too', async () => {
    const { accessToken } = await w.tokenFor('alice');
    const before = (await refusals()).length;
    const sso = w.sso();
    const refused = await failure(sso.send(new GetRoleCredentialsCommand({ accessToken, accountId: SANDBOX, roleName: 'Billing' })));
    expect(refused.name).to.equal('ForbiddenException');
    const after = await refusals();
    expect(after).to.have.length(before + 1);
    expect(after[0]).to.deep.include({ actor: w.org.users.alice!.id, action: 'credentials.refuse', target: `account/${SANDBOX}` });
  });

  it('writes no warning and no refusal for calls that succeed, cached or not', async () => {
    const { accessToken } = await w.tokenFor('alice');
    const before = (await refusals()).length;
    const ids: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const ok = await credentials(accessToken, PROD, 'ReadOnly');
      expect(ok.status).to.equal(200);
      ids.push(ok.headers.get('x-amzn-requestid'));
    }
    await settle();
    expect(lines().filter((l) => ids.includes(l.reqId ?? null) && l.level >= 40)).to.deep.equal([]);
    expect(await refusals()).to.have.length(before);
  });
});
