// What ends a CLI sign-in's tokens, seen through the AWS SDK for JavaScript v3 (client-sso-oidc
// and client-sso): a replayed authorization code takes every token issued from it with it
// (RFC 6749 §4.1.2), and `aws sso logout` (the portal API's Logout) ends the refresh tokens of
// that sign-in, not only the access token it was called with. Also what the CLI shows for a
// refused refresh, and that token responses are never cached (RFC 6749 §5.1).
import { GetRoleCredentialsCommand, ListAccountsCommand, LogoutCommand, type SSOClient } from '@aws-sdk/client-sso';
import { StartDeviceAuthorizationCommand, CreateTokenCommand, type SSOOIDCClient } from '@aws-sdk/client-sso-oidc';
import { expect } from 'chai';
import { authorizationCode, decideDevice, failure, oidcClient, postJson, redeemCode, refresh, registerClient, registerCodeClient, signedIn, START_URL } from './oidc-fixtures.ts';
import { PROD, startPortalApiWorld, type PortalApiWorld } from './portal-api-fixtures.ts';

describe('SSO OIDC: what ends a sign-in’s tokens', function () {
  this.timeout(30_000);
  let w: PortalApiWorld;
  let oidc: SSOOIDCClient;
  let sso: SSOClient;

  before(async () => {
    w = await startPortalApiWorld();
    oidc = oidcClient(w.gh);
    sso = w.sso();
  });
  after(async () => {
    oidc?.destroy();
    await w?.close();
  });

  const listAccounts = (accessToken: string | undefined) => sso.send(new ListAccountsCommand({ accessToken }));
  const roleCredentials = (accessToken: string | undefined) => sso.send(new GetRoleCredentialsCommand({ accessToken, accountId: PROD, roleName: 'AdministratorAccess' }));
  /** What the SDK rejects a portal API call with. */
  const refusal = async (p: Promise<unknown>) => (await failure(p)).name;

  /** One `aws sso login` (PKCE flow) of `userName` in a fresh browser: the client, the code and its first tokens. */
  async function codeSignIn(userName: string) {
    const client = await registerCodeClient(oidc);
    const grant = await authorizationCode(await signedIn(w.gh, w.org, userName), client.clientId);
    const tokens = await redeemCode(oidc, client, grant);
    return { client, grant, tokens };
  }

  it('revokes the access and refresh token of a code’s first use when the code is replayed', async () => {
    const { client, grant, tokens } = await codeSignIn('alice');
    expect((await listAccounts(tokens.accessToken)).accountList).to.have.length.above(0);
    expect((await roleCredentials(tokens.accessToken)).roleCredentials?.accessKeyId).to.be.a('string');

    const replay = await failure(redeemCode(oidc, client, grant));
    expect(replay).to.include({ name: 'InvalidGrantException', status: 400 });

    expect(await refusal(listAccounts(tokens.accessToken))).to.equal('UnauthorizedException');
    expect(await refusal(roleCredentials(tokens.accessToken))).to.equal('UnauthorizedException');
    expect(await failure(refresh(oidc, client, tokens.refreshToken))).to.include({ name: 'InvalidGrantException', status: 400 });
  });

  it('revokes the tokens refreshed from that first use too, and no other sign-in of the same person', async () => {
    const other = await codeSignIn('alice');
    const { client, grant, tokens } = await codeSignIn('alice');
    const refreshed = await refresh(oidc, client, tokens.refreshToken);
    expect((await listAccounts(refreshed.accessToken)).accountList).to.have.length.above(0);

    await failure(redeemCode(oidc, client, grant));

    for (const accessToken of [tokens.accessToken, refreshed.accessToken]) {
      expect(await refusal(listAccounts(accessToken))).to.equal('UnauthorizedException');
      expect(await refusal(roleCredentials(accessToken))).to.equal('UnauthorizedException');
    }
    expect((await failure(refresh(oidc, client, refreshed.refreshToken))).name).to.equal('InvalidGrantException');
    // The person's other sign-in is a different family: untouched.
    expect((await listAccounts(other.tokens.accessToken)).accountList).to.have.length.above(0);
    expect((await refresh(oidc, other.client, other.tokens.refreshToken)).accessToken).to.be.a('string');
  });

  it('ends the refresh tokens of the sign-in at Logout (aws sso logout), including tokens refreshed before it', async () => {
    const other = await codeSignIn('bob');
    const { client, tokens } = await codeSignIn('bob');
    const refreshed = await refresh(oidc, client, tokens.refreshToken);

    // The CLI logs out with the access token it holds: the refreshed one.
    await sso.send(new LogoutCommand({ accessToken: refreshed.accessToken }));

    expect(await refusal(listAccounts(refreshed.accessToken))).to.equal('UnauthorizedException');
    expect(await refusal(listAccounts(tokens.accessToken))).to.equal('UnauthorizedException');
    expect(await failure(refresh(oidc, client, refreshed.refreshToken))).to.include({ name: 'InvalidGrantException', status: 400 });
    // Bob's other sign-in (another terminal) goes on.
    expect((await refresh(oidc, other.client, other.tokens.refreshToken)).accessToken).to.be.a('string');
  });

  it('ends a device-flow sign-in’s refresh token at Logout as well', async () => {
    const client = await registerClient(oidc);
    const start = await oidc.send(new StartDeviceAuthorizationCommand({ ...client, startUrl: START_URL }));
    await decideDevice(await signedIn(w.gh, w.org, 'carol'), start.verificationUriComplete!, 'approve');
    const tokens = await oidc.send(new CreateTokenCommand({ grantType: 'urn:ietf:params:oauth:grant-type:device_code', ...client, deviceCode: start.deviceCode }));
    await sso.send(new LogoutCommand({ accessToken: tokens.accessToken }));
    expect((await failure(refresh(oidc, client, tokens.refreshToken))).name).to.equal('InvalidGrantException');
  });

  it('gives a refused refresh a message the CLI can print (message as well as error_description)', async () => {
    const { client, tokens } = await codeSignIn('alice');
    await refresh(oidc, client, tokens.refreshToken);
    const refused = await failure(refresh(oidc, client, tokens.refreshToken));
    expect(refused).to.include({ name: 'InvalidGrantException', error: 'invalid_grant' });
    expect(refused.message).to.match(/refresh token/i);
    expect(refused.message).to.equal(refused.error_description);

    const raw = await postJson(w.gh, '/token', { grantType: 'refresh_token', ...client, refreshToken: tokens.refreshToken });
    expect(raw.body).to.include({ __type: 'InvalidGrantException', error: 'invalid_grant' });
    expect(raw.body.message).to.be.a('string').and.equal(raw.body.error_description);
  });

  it('marks the token response as never to be stored (Cache-Control: no-store, Pragma: no-cache)', async () => {
    const client = await registerCodeClient(oidc);
    const grant = await authorizationCode(await signedIn(w.gh, w.org, 'alice'), client.clientId);
    const res = await postJson(w.gh, '/token', { grantType: 'authorization_code', ...client, ...grant });
    expect(res.status).to.equal(200);
    expect(res.body.accessToken).to.be.a('string');
    expect(res.headers.get('cache-control')).to.equal('no-store');
    expect(res.headers.get('pragma')).to.equal('no-cache');
    const refused = await postJson(w.gh, '/token', { grantType: 'authorization_code', ...client, ...grant });
    expect(refused.status).to.equal(400);
    expect(refused.headers.get('cache-control')).to.equal('no-store');
    expect(refused.headers.get('pragma')).to.equal('no-cache');
  });
});
