// STS error paths of GetRoleCredentials: each STS answer becomes a clear AWS-shaped error for the
// caller, nothing is cached, and the next call after STS recovers goes to STS again.
import { GetRoleCredentialsCommand, type SSOClient } from '@aws-sdk/client-sso';
import { expect } from 'chai';
import { hashSessionId } from '../../access/portal-sessions.ts';
import { freePort } from '../support/free-port.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { seedOrganization } from '../support/seed.ts';
import { DEV, PROD, rawPortalApi, startPortalApiWorld, type PortalApiWorld, failure } from './portal-api-fixtures.ts';

describe('SSO portal API: STS error paths', function () {
  let w: PortalApiWorld;
  let sso: SSOClient;
  let alice: string;

  before(async () => {
    w = await startPortalApiWorld();
    sso = w.sso();
    alice = (await w.tokenFor('alice')).accessToken;
  });
  afterEach(async () => {
    w.sts.mode(null);
    await w.gh.services.credentialCache.purgeUser(w.org.users.alice!.id);
  });
  after(async () => {
    await w?.close();
  });

  const get = (accountId = PROD, roleName = 'AdministratorAccess') => sso.send(new GetRoleCredentialsCommand({ accessToken: alice, accountId, roleName }));

  /** After STS recovers, the same call reaches STS again (the failure was not cached) and succeeds. */
  async function recoversAfterwards() {
    w.sts.mode(null);
    const hits = w.sts.hits;
    const { roleCredentials } = await get();
    expect(roleCredentials!.accessKeyId).to.match(/^ASIA/);
    expect(w.sts.hits).to.equal(hits + 1);
  }

  const refusals = [
    { status: 403, code: 'AccessDenied', says: /assume role Gatehouse_AdministratorAccess_[0-9a-f]{16} in account 111122223333 \(AccessDenied: .*trust policy/ },
    { status: 400, code: 'InvalidIdentityToken', says: /did not accept Gatehouse's SAML assertion.*InvalidIdentityToken.*metadata/ },
    { status: 400, code: 'ExpiredTokenException', says: /expired.*clock/ },
    { status: 403, code: 'IDPRejectedClaim', says: /rejected Gatehouse's claim/ },
    { status: 400, code: 'ValidationError', says: /refused credentials.*ValidationError: Requested DurationSeconds exceeds MaxSessionDuration/ },
  ];
  for (const r of refusals) {
    it(`STS ${r.code} (${r.status}) → ForbiddenException saying what went wrong; nothing cached`, async () => {
      w.sts.mode({ kind: 'error', status: r.status, code: r.code, message: r.code === 'ValidationError' ? 'Requested DurationSeconds exceeds MaxSessionDuration set for this role' : undefined });
      const e = await failure(get());
      expect(e.name).to.equal('ForbiddenException');
      expect(e.$metadata?.httpStatusCode).to.equal(403);
      expect(e.message).to.match(r.says);
      await recoversAfterwards();
    });
  }

  it('STS Throttling (400) and a bare HTTP 429 → TooManyRequestsException with Retry-After', async () => {
    for (const mode of [{ kind: 'error', status: 400, code: 'Throttling', message: 'Rate exceeded' }, { kind: 'garbage', status: 429, body: '' }] as const) {
      w.sts.mode(mode);
      const raw = await rawPortalApi(w.gh.baseUrl, 'GET', `/federation/credentials?account_id=${PROD}&role_name=AdministratorAccess`, alice);
      expect(raw.status).to.equal(429);
      expect(raw.headers.get('x-amzn-errortype')).to.equal('TooManyRequestsException');
      expect(raw.headers.get('retry-after')).to.equal('5');
      expect(raw.json!.message).to.match(/throttling/);
      expect(raw.text).to.not.match(/ASIA/);
    }
    await recoversAfterwards();
  });

  it('STS 5xx, a hang and an unreadable answer → 503 ServiceUnavailableException, bounded in time', async () => {
    const cases = [
      { mode: { kind: 'error', status: 500, code: 'InternalFailure' } as const, says: /AWS STS is unavailable \(HTTP 500 InternalFailure\)/ },
      { mode: { kind: 'garbage', status: 200, body: '<html><body>captive portal</body></html>' } as const, says: /unreadable answer/ },
      { mode: { kind: 'garbage', status: 200, body: '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>' } as const, says: /unreadable answer/ },
      { mode: { kind: 'garbage', status: 302, body: '' } as const, says: /HTTP 302/ },
      { mode: { kind: 'hang' } as const, says: /no answer within 1000 ms/ },
    ];
    for (const c of cases) {
      w.sts.mode(c.mode);
      const started = Date.now();
      const e = await failure(get());
      expect(e.name, c.mode.kind).to.equal('ServiceUnavailableException');
      expect(e.$metadata?.httpStatusCode).to.equal(503);
      expect(e.message).to.match(c.says);
      expect(Date.now() - started).to.be.below(3000);
    }
    await recoversAfterwards();
  });

  it('the stand-in really verifies: an assertion signed by another Gatehouse is refused (InvalidIdentityToken)', async () => {
    const other = await startGatehouse({ signingKey: 'other' });
    try {
      await w.sts.trust(`${other.baseUrl}/saml/metadata`);
      const e = await failure(get(DEV, 'ReadOnly'));
      expect(e.name).to.equal('ForbiddenException');
      expect(e.message).to.match(/InvalidIdentityToken/);
    } finally {
      await w.sts.trust(`${w.gh.baseUrl}/saml/metadata`);
      await other.close();
    }
    await recoversAfterwards();
  });

  it("the assertion's Recipient is the account's own sign-in endpoint (what SAML:aud in the trust policy checks)", async () => {
    const regional = 'https://eu-west-1.signin.aws.amazon.com/saml';
    await w.gh.services.accounts.update(DEV, { signInEndpoint: regional }, 'test');
    try {
      const e = await failure(get(DEV, 'ReadOnly'));
      expect(e.name).to.equal('ForbiddenException');
      expect(e.message).to.match(/AccessDenied.*SAML:aud https:\/\/eu-west-1\.signin\.aws\.amazon\.com\/saml/);
      w.sts.acceptRecipients([regional]);
      expect((await get(DEV, 'ReadOnly')).roleCredentials!.accessKeyId).to.match(/^ASIA/);
    } finally {
      w.sts.acceptRecipients(['https://signin.aws.amazon.com/saml']);
      await w.gh.services.accounts.update(DEV, { signInEndpoint: 'https://signin.aws.amazon.com/saml' }, 'test');
    }
  });
});

describe('SSO portal API: STS unreachable', function () {
  let gh: TestGatehouse;

  before(async () => {
    gh = await startGatehouse({ env: { STS_ENDPOINT: `http://127.0.0.1:${await freePort()}` } });
  });
  after(async () => {
    await gh?.close();
  });

  it('a refused connection → 503 ServiceUnavailableException, no credentials', async () => {
    const org = await seedOrganization(gh.services, {
      users: [{ userName: 'alice', email: 'alice@example.com' }],
      accounts: [{ accountId: PROD, name: 'Production' }],
      permissionSets: [{ name: 'ReadOnly' }],
      assignments: [{ accountId: PROD, set: 'ReadOnly', user: 'alice' }],
    });
    const browser = new PortalClient(gh.baseUrl);
    await browser.signIn('alice', org.users.alice!.password);
    const { accessToken } = await gh.services.ssoAccessTokens.issue(
      { userId: org.users.alice!.id, source: 'builtin', portalSessionHash: hashSessionId(browser.cookies.get('gh_session')!), clientId: 'c', scopes: [] },
      3600,
    );
    const raw = await rawPortalApi(gh.baseUrl, 'GET', `/federation/credentials?account_id=${PROD}&role_name=ReadOnly`, accessToken);
    expect(raw.status).to.equal(503);
    expect(raw.headers.get('x-amzn-errortype')).to.equal('ServiceUnavailableException');
    expect(raw.json!.message).to.match(/AWS STS is unavailable \(ECONNREFUSED\)/);
  });
});
