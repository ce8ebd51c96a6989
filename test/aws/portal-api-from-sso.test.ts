// End to end as a developer's machine does it: a token from the real device flow (SSO OIDC API,
// approved on the portal's verification page), an `sso-session` ~/.aws/config and token cache,
// and `fromSSO` (@aws-sdk/credential-providers) in a separate process with AWS_ENDPOINT_URL_SSO /
// AWS_ENDPOINT_URL_SSO_OIDC pointing at Gatehouse, resolving credentials from the STS stand-in.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateTokenCommand, StartDeviceAuthorizationCommand } from '@aws-sdk/client-sso-oidc';
import { expect } from 'chai';
import { decideDevice, oidcClient, registerClient, signedIn } from './oidc-fixtures.ts';
import { PROD, startPortalApiWorld, type PortalApiWorld } from './portal-api-fixtures.ts';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

// Runs in the child: resolve the profile's credentials and print them as JSON.
const RESOLVE = `
import { fromSSO } from '@aws-sdk/credential-providers';
const c = await fromSSO({ profile: 'dev' })();
console.log(JSON.stringify({ ...c, expiration: c.expiration?.toISOString() }));
`;

describe('fromSSO end to end (sso-session config, device-flow token, endpoint overrides)', function () {
  this.timeout(60_000);
  let w: PortalApiWorld;
  let home: string;

  beforeEach(async () => {
    w = await startPortalApiWorld();
    home = await mkdtemp(path.join(os.tmpdir(), 'gatehouse-aws-home-'));
  });
  afterEach(async () => {
    await w.close();
    await rm(home, { recursive: true, force: true });
  });

  /** The device flow as `aws sso login` runs it, approved by alice in the portal. */
  async function deviceFlowToken() {
    const oidc = oidcClient(w.gh);
    try {
      const client = await registerClient(oidc);
      const start = await oidc.send(new StartDeviceAuthorizationCommand({ clientId: client.clientId, clientSecret: client.clientSecret, startUrl: `${w.gh.baseUrl}/start` }));
      await decideDevice(await signedIn(w.gh, w.org, 'alice'), start.verificationUriComplete!, 'approve');
      const token = await oidc.send(new CreateTokenCommand({ grantType: DEVICE_GRANT, clientId: client.clientId, clientSecret: client.clientSecret, deviceCode: start.deviceCode }));
      return { client, token };
    } finally {
      oidc.destroy();
    }
  }

  async function writeAwsFiles(cache: Record<string, unknown>) {
    const awsDir = path.join(home, '.aws');
    await mkdir(path.join(awsDir, 'sso', 'cache'), { recursive: true });
    const config = path.join(awsDir, 'config');
    await writeFile(
      config,
      [
        '[profile dev]',
        'sso_session = gh',
        `sso_account_id = ${PROD}`,
        'sso_role_name = AdministratorAccess',
        'region = us-east-1',
        '',
        '[sso-session gh]',
        `sso_start_url = ${w.gh.baseUrl}/start`,
        'sso_region = us-east-1',
        'sso_registration_scopes = sso:account:access',
        '',
      ].join('\n'),
    );
    await writeFile(path.join(awsDir, 'credentials'), '');
    // The cache key of an sso-session profile is sha1(<session name>) (docs/aws-cli.md).
    const cacheFile = path.join(awsDir, 'sso', 'cache', `${createHash('sha1').update('gh').digest('hex')}.json`);
    await writeFile(cacheFile, JSON.stringify(cache), { mode: 0o600 });
    return { config, cacheFile };
  }

  async function resolveInChild(config: string) {
    // Only what a clean shell would have, so nothing of this machine's AWS setup leaks in.
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, '.aws', 'credentials'),
      AWS_ENDPOINT_URL_SSO: w.gh.baseUrl,
      AWS_ENDPOINT_URL_SSO_OIDC: w.gh.baseUrl,
      AWS_PROFILE: 'dev',
    };
    const { stdout } = await run(process.execPath, ['--no-warnings', '--input-type=module', '-e', RESOLVE], { cwd: repoRoot, env, timeout: 30_000 });
    return JSON.parse(stdout.trim().split('\n').pop()!) as { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string };
  }

  it('resolves the STS stand-in credentials for the profile’s account and role', async () => {
    const { client, token } = await deviceFlowToken();
    const { config } = await writeAwsFiles({
      startUrl: `${w.gh.baseUrl}/start`,
      region: 'us-east-1',
      accessToken: token.accessToken,
      expiresAt: new Date(Date.now() + token.expiresIn! * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      registrationExpiresAt: new Date(client.out.clientSecretExpiresAt! * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      refreshToken: token.refreshToken,
    });

    const creds = await resolveInChild(config);
    expect(w.sts.calls).to.have.length(1);
    const issued = w.sts.calls[0]!.outcome as { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string };
    expect(w.sts.calls[0]!.roleArn).to.match(/:role\/gatehouse\/Gatehouse_AdministratorAccess_[0-9a-f]{16}$/);
    expect(w.sts.calls[0]!.roleSessionName).to.equal('alice');
    expect(creds.accessKeyId).to.equal(issued.accessKeyId);
    expect(creds.secretAccessKey).to.equal(issued.secretAccessKey);
    expect(creds.sessionToken).to.equal(issued.sessionToken);
    expect(Date.parse(creds.expiration)).to.equal(Date.parse(issued.expiration));
  });

  it('refreshes a token about to expire through the refresh-token grant, then resolves credentials', async () => {
    const { client, token } = await deviceFlowToken();
    const { config, cacheFile } = await writeAwsFiles({
      startUrl: `${w.gh.baseUrl}/start`,
      region: 'us-east-1',
      accessToken: token.accessToken,
      // Less than 5 minutes left: the JS SDK refreshes before using it (docs/aws-cli.md).
      expiresAt: new Date(Date.now() + 120_000).toISOString(),
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      registrationExpiresAt: new Date(client.out.clientSecretExpiresAt! * 1000).toISOString(),
      refreshToken: token.refreshToken,
    });

    const creds = await resolveInChild(config);
    expect(creds.accessKeyId).to.match(/^ASIA/);
    const rewritten = JSON.parse(await readFile(cacheFile, 'utf8')) as { accessToken: string; expiresAt: string };
    expect(rewritten.accessToken).to.not.equal(token.accessToken);
    expect(Date.parse(rewritten.expiresAt)).to.be.above(Date.now() + 3000_000);
    expect(await w.gh.services.ssoAccessTokens.resolve(rewritten.accessToken)).to.include({ userId: w.org.users.alice!.id });
  });
});
