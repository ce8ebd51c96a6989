// botocore, the engine of the AWS CLI, as an SSO OIDC client: endpoints only from
// AWS_ENDPOINT_URL_SSO_OIDC or a `[services]` section (the two forms scripts/README-aws-cli.md
// documents), AWS error parsing of our error shapes, the device-code flow and the sso-session
// token refresh (botocore.tokens.SSOTokenProvider). Skipped where python3 has no botocore.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CreateTokenCommand, StartDeviceAuthorizationCommand, type SSOOIDCClient } from '@aws-sdk/client-sso-oidc';
import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import type { SeededOrg } from '../support/seed.ts';
import { decideDevice, oidcClient, registerClient, seedPeople, signedIn, START_URL } from './oidc-fixtures.ts';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'oidc-botocore.py');
const hasBotocore = spawnSync('python3', ['-c', 'import botocore'], { stdio: 'ignore' }).status === 0;

/** Runs the script; yields its JSON lines; `send` writes a line to it. */
function runBotocore(mode: string, env: Record<string, string>) {
  const child: ChildProcessWithoutNullStreams = spawn('python3', [SCRIPT, mode], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_CONFIG_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true', ...env },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async next(): Promise<any> {
      const line = await lines.next();
      if (line.done) throw new Error(`botocore script ended early:\n${stderr}`);
      return JSON.parse(line.value);
    },
    send: (line: string) => child.stdin.write(`${line}\n`),
    kill: () => child.kill(),
  };
}

(hasBotocore ? describe : describe.skip)('SSO OIDC with botocore (the AWS CLI engine)', function () {
  let gh: TestGatehouse;
  let org: SeededOrg;
  let dir: string;

  before(async () => {
    gh = await startGatehouse();
    org = await seedPeople(gh);
  });
  after(async () => {
    await gh?.close();
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-botocore-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the device flow with AWS_ENDPOINT_URL_SSO_OIDC: pending, slow down, token, refresh rotation, InvalidClientException', async () => {
    const py = runBotocore('device', { AWS_ENDPOINT_URL_SSO_OIDC: gh.baseUrl, START_URL });
    try {
      const started = await py.next();
      expect(started).to.include({ interval: 1, expiresIn: 600 });
      expect(started.seen).to.deep.equal(['AuthorizationPendingException', 'SlowDownException']);
      await decideDevice(await signedIn(gh, org, 'alice'), started.verificationUriComplete, 'approve');
      py.send('approved');
      const done = await py.next();
      expect(done).to.include({ tokenType: 'Bearer', expiresIn: 3600, reuse: 'InvalidGrantException' });
      expect(done.wrongSecret).to.deep.equal({ code: 'InvalidClientException', status: 401 });
      expect(await gh.services.ssoAccessTokens.resolve(done.accessToken)).to.include({ userId: org.users.alice!.id });
      expect(await gh.services.ssoAccessTokens.resolve(done.refreshedAccessToken)).to.include({ userId: org.users.alice!.id });
    } finally {
      py.kill();
    }
  });

  it('refreshes an sso-session token through a `[services]` endpoint in the config file, storing the rotated refresh token', async () => {
    // A login done with the JS SDK, cached the way the CLI caches it, about to expire.
    const oidc: SSOOIDCClient = oidcClient(gh);
    const client = await registerClient(oidc);
    const start = await oidc.send(new StartDeviceAuthorizationCommand({ ...client, startUrl: START_URL }));
    await decideDevice(await signedIn(gh, org, 'bob'), start.verificationUriComplete!, 'approve');
    const token = await oidc.send(new CreateTokenCommand({ grantType: 'urn:ietf:params:oauth:grant-type:device_code', ...client, deviceCode: start.deviceCode }));
    oidc.destroy();

    const config = path.join(dir, 'config');
    writeFileSync(
      config,
      [
        '[profile dev]',
        'sso_session = gatehouse',
        'sso_account_id = 111122223333',
        'sso_role_name = ReadOnly',
        'services = gatehouse',
        '',
        '[sso-session gatehouse]',
        `sso_start_url = ${START_URL}`,
        'sso_region = us-east-1',
        'sso_registration_scopes = sso:account:access',
        '',
        '[services gatehouse]',
        'sso_oidc =',
        `  endpoint_url = ${gh.baseUrl}`,
        'sso =',
        `  endpoint_url = ${gh.baseUrl}`,
        '',
      ].join('\n'),
    );
    const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    const py = runBotocore('refresh', { AWS_CONFIG_FILE: config, AWS_PROFILE: 'dev', SSO_SESSION: 'gatehouse', SSO_CACHE_DIR: path.join(dir, 'cache') });
    try {
      py.send(
        JSON.stringify({
          startUrl: START_URL,
          region: 'us-east-1',
          accessToken: token.accessToken,
          expiresAt: inSeconds(300), // under botocore's 15-minute refresh window
          clientId: client.clientId,
          clientSecret: client.clientSecret,
          registrationExpiresAt: inSeconds(90 * 24 * 3600),
          refreshToken: token.refreshToken,
        }),
      );
      const refreshed = await py.next();
      expect(refreshed.accessToken).to.be.a('string').and.not.equal(token.accessToken);
      expect(refreshed.cachedAccessToken).to.equal(refreshed.accessToken);
      expect(refreshed.cachedRefreshToken).to.be.a('string').and.not.equal(token.refreshToken);
      expect(await gh.services.ssoAccessTokens.resolve(refreshed.accessToken)).to.include({ userId: org.users.bob!.id });
    } finally {
      py.kill();
    }
  });
});
