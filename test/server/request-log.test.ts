// What an operator reads for every request, whichever surface served it (the portal API's own
// node:http handler or express): an id echoed in X-Request-Id (and x-amzn-RequestId on the AWS
// APIs), exactly one JSON request line with that id, the method, the path without its query,
// the status and the time, warnings carrying the same id, and never a token.
import { expect } from 'chai';
import { captureLog } from '../support/captured-log.ts';
import { DEV, PROD, rawPortalApi, startPortalApiWorld, type PortalApiWorld } from '../aws/portal-api-fixtures.ts';

describe('request log', function () {
  this.timeout(30_000);
  let w: PortalApiWorld;
  const log = captureLog();
  const lines = () => log.lines();
  const linesOf = (reqId: string | null) => lines().filter((l) => l.reqId === reqId);
  // The request line is written when the response has finished, just after the client has it.
  const settle = () => new Promise((r) => setTimeout(r, 50));

  before(async () => {
    w = await startPortalApiWorld({ log: { level: 'info', destination: log.destination } });
  });
  after(async () => {
    await w?.close();
  });

  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  it('gives every portal API call an id in X-Request-Id and x-amzn-RequestId, and logs one line for it without the query or the token', async () => {
    const { accessToken } = await w.tokenFor('alice');
    const ok = await rawPortalApi(w.gh.baseUrl, 'GET', `/federation/credentials?account_id=${PROD}&role_name=AdministratorAccess`, accessToken);
    const denied = await rawPortalApi(w.gh.baseUrl, 'GET', `/assignment/roles?account_id=${DEV}`, 'not-a-live-token');
    await settle();
    expect(ok.status).to.equal(200);
    expect(denied.status).to.equal(401);
    for (const [res, status, path] of [
      [ok, 200, '/federation/credentials'],
      [denied, 401, '/assignment/roles'],
    ] as const) {
      const id = res.headers.get('x-request-id');
      expect(id).to.match(UUID);
      expect(res.headers.get('x-amzn-requestid')).to.equal(id);
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(res.headers.get('referrer-policy')).to.equal('no-referrer');
      const logged = linesOf(id);
      expect(logged).to.have.length(1);
      expect(logged[0]).to.deep.include({ level: 30, msg: 'request', service: 'gatehouse', method: 'GET', path, status });
      expect(logged[0]!.ms).to.be.a('number').and.at.least(0);
    }
    expect(ok.headers.get('x-request-id')).to.not.equal(denied.headers.get('x-request-id'));
    expect(log.text()).to.not.include(accessToken);
    expect(log.text()).to.not.include(ok.json!.roleCredentials.secretAccessKey);
    expect(log.text()).to.not.include('account_id');
  });

  it('logs what express serves the same way, with the full path of a mounted router', async () => {
    const health = await fetch(`${w.gh.baseUrl}/healthz?probe=secret-value`);
    const tokens = await fetch(`${w.gh.baseUrl}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userName: 'admin', password: 'not the password' }),
    });
    await settle();
    expect(health.status).to.equal(200);
    expect(tokens.status).to.equal(401);
    for (const [res, method, path, status] of [
      [health, 'GET', '/healthz', 200],
      [tokens, 'POST', '/api/v1/tokens', 401],
    ] as const) {
      const id = res.headers.get('x-request-id');
      expect(id).to.match(UUID);
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(res.headers.get('referrer-policy')).to.equal('no-referrer');
      const requestLines = linesOf(id).filter((l) => l.msg === 'request');
      expect(requestLines).to.have.length(1);
      expect(requestLines[0]).to.deep.include({ method, path, status });
    }
    expect(log.text()).to.not.include('secret-value');
    expect(log.text()).to.not.include('not the password');
  });

  it('carries the request id on what a request logs besides its request line', async () => {
    const { accessToken } = await w.tokenFor('alice');
    await w.gh.services.credentialCache.purgeUser(w.org.users.alice!.id);
    w.sts.mode({ kind: 'error', status: 403, code: 'AccessDenied' });
    try {
      const refused = await rawPortalApi(w.gh.baseUrl, 'GET', `/federation/credentials?account_id=${PROD}&role_name=AdministratorAccess`, accessToken);
      await settle();
      expect(refused.status).to.equal(403);
      const id = refused.headers.get('x-request-id');
      const warning = linesOf(id).find((l) => l.msg === 'STS AssumeRoleWithSAML failed');
      expect(warning, log.text()).to.deep.include({ level: 40 });
      expect(linesOf(id).filter((l) => l.msg === 'request')).to.have.length(1);
    } finally {
      w.sts.mode(null);
    }
  });
});
