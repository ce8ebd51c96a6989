// `gatehouse admin reset-password`, `gatehouse admin grant` and `gatehouse admin token` run as the
// host would run them (the command line of bin/gatehouse.js, run in the test process by
// test/support/cli.ts), next to a running Gatehouse with the same environment, on SQLite and on
// PostgreSQL: the operator who lost the only administrator password gets back in, and without the
// nodes' server secret the command refuses and changes nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { requestToken } from '../support/admin-people.ts';
import { runGatehouse as gatehouse } from '../support/cli.ts';
import { ADMIN_PASSWORD, startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`gatehouse admin (command line, ${backend})`, function () {
    this.timeout(180_000);
    let gh: TestGatehouse;
    let db: TestDatabase | undefined;
    let env: Record<string, string>;

    before(async () => {
      db = backend === 'postgres' ? await createTestDatabase() : undefined;
      const dbEnv: Record<string, string> = db ? { DATABASE_URL: db.url } : {};
      gh = await startGatehouse({ env: dbEnv });
      env = { DATA_DIR: gh.config.dataDir, CERTS_DIR: gh.config.certsDir, BASE_URL: gh.baseUrl, ...dbEnv };
    });
    after(async () => {
      await gh?.close();
      await db?.drop();
    });

    it('grants an admin role to a user, who can then get a token', async () => {
      const token = await gh.adminToken();
      const run = async (args: string[]) => gatehouse(args, env);
      const ada = await gh.api('POST', '/users', { userName: `ada-${backend}`, displayName: 'Ada', password: 'person-password-123' }, token);
      expect(ada.status).to.equal(201);
      expect((await requestToken(gh, `ada-${backend}`)).status).to.equal(401);
      const granted = await run(['admin', 'grant', `ada-${backend}`]);
      expect(granted.code, granted.stderr).to.equal(0);
      expect(granted.stdout).to.include('administrator');
      expect((await requestToken(gh, `ada-${backend}`)).body.role).to.equal('administrator');

      const unknown = await run(['admin', 'grant', 'nobody-here']);
      expect(unknown.code).to.equal(1);
      expect(unknown.stderr).to.include('not found');
      const badRole = await run(['admin', 'grant', `ada-${backend}`, '--role', 'root']);
      expect(badRole.code).to.equal(1);
      expect(badRole.stderr).to.include('--role');
    });

    it('mints an admin API token for a user with an admin role, with no password or second factor', async () => {
      const minted = await gatehouse(['admin', 'token', 'admin'], env);
      expect(minted.code, minted.stderr).to.equal(0);
      const token = minted.stdout.trim();
      expect(token).to.match(/^gha_[\w-]+$/);
      expect(minted.stderr).to.include('administrator');
      expect((await gh.api('GET', '/users', undefined, token)).status).to.equal(200);
      const events = await gh.api('GET', '/audit?action=admin-token.issue', undefined, token);
      expect(events.body.items[0].detail.via).to.equal('cli');
      expect(events.body.items[0].actor).to.match(/^cli/);

      const person = `cy-${backend}`;
      expect((await gh.api('POST', '/users', { userName: person, displayName: 'Cy', password: 'person-password-123' }, token)).status).to.equal(201);
      const refused = await gatehouse(['admin', 'token', person], env);
      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.include('holds no admin role');
      expect(refused.stdout).to.equal('');
    });

    it('refuses without the nodes\' server secret, and changes nothing', async () => {
      const token = await gh.adminToken();
      const person = { userName: `bo-${backend}` };
      expect((await gh.api('POST', '/users', { userName: person.userName, displayName: 'Bo', password: 'person-password-123' }, token)).status).to.equal(201);
      const emptyCerts = mkdtempSync(path.join(tmpdir(), 'gatehouse-nocerts-'));
      try {
        const withoutSecret = { ...env, CERTS_DIR: emptyCerts };
        const grant = await gatehouse(['admin', 'grant', person.userName], withoutSecret);
        expect(grant.code).to.equal(1);
        expect(grant.stderr).to.match(/No server secret/);
        const reset = await gatehouse(['admin', 'reset-password', 'admin'], withoutSecret);
        expect(reset.code).to.equal(1);
        expect((await requestToken(gh, person.userName)).status).to.equal(401);
        expect((await requestToken(gh, 'admin', ADMIN_PASSWORD)).status).to.equal(201);
      } finally {
        rmSync(emptyCerts, { recursive: true, force: true });
      }
    });

    // Last: it changes the bootstrap administrator's password the other tests sign in with.
    it('resets a lost administrator password: the old one stops working, the printed one works, a lockout is lifted', async () => {
      const oldToken = await gh.adminToken();
      // Enough wrong guesses that even the right password is throttled.
      for (let i = 0; i < 11; i++) await requestToken(gh, 'admin', `wrong-password-${i}`);
      expect((await requestToken(gh, 'admin', ADMIN_PASSWORD)).status).to.equal(429);

      const run = await gatehouse(['admin', 'reset-password', 'admin'], env);
      expect(run.code, run.stderr).to.equal(0);
      const newPassword = run.stdout.trim().split('\n').pop()!;
      expect(newPassword).to.have.length.of.at.least(20);
      expect((await requestToken(gh, 'admin', ADMIN_PASSWORD)).status).to.equal(401);
      const fresh = await requestToken(gh, 'admin', newPassword);
      expect(fresh.status).to.equal(201);
      // The tokens held with the old password are over.
      expect((await gh.api('GET', '/users', undefined, oldToken)).status).to.equal(401);
      const audit = await gh.api('GET', '/audit?action=user.password-reset', undefined, fresh.body.token);
      expect(audit.body.items[0].actor).to.match(/^cli(:|$)/);

      const chosen = await gatehouse(['admin', 'reset-password', 'admin', '--password-stdin'], env, 'a-chosen-password-42\n');
      expect(chosen.code, chosen.stderr).to.equal(0);
      expect(chosen.stdout).to.not.include('a-chosen-password-42');
      expect((await requestToken(gh, 'admin', 'a-chosen-password-42')).status).to.equal(201);
      expect((await gatehouse(['admin', 'reset-password', 'admin', '--password-stdin'], env, 'short\n')).code).to.equal(1);
    });
  });
}
