import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../server/config.ts';

describe('configuration', () => {
  it('has embedded defaults: SQLite under ./data, no Redis', () => {
    const c = loadConfig({});
    expect(c.port).to.equal(8080);
    expect(c.database).to.deep.include({ kind: 'sqlite' });
    expect(c.database.kind === 'sqlite' && c.database.file).to.match(/data\/gatehouse\.db$/);
    expect(c.redis).to.equal(null);
    expect(c.baseUrl).to.equal('http://localhost:8080');
  });

  it('reads PostgreSQL and Redis URLs and trims the base URL', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1/db', REDIS_URL: 'redis://127.0.0.1:6379', BASE_URL: 'https://sso.example.com/' });
    expect(c.database).to.deep.equal({ kind: 'postgres', url: 'postgres://u@127.0.0.1/db' });
    expect(c.redis).to.deep.equal({ kind: 'url', url: 'redis://127.0.0.1:6379', username: null, password: null, tls: false });
    expect(c.baseUrl).to.equal('https://sso.example.com');
  });

  it('names every bad variable and what is wrong with it', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', REDIS_URL: 'http://x', GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: 'short' });
      expect.fail('should have thrown');
    } catch (e) {
      expect(e).to.be.instanceOf(ConfigError);
      const message = (e as Error).message;
      for (const name of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD']) expect(message).to.include(name);
      expect(message).to.include('at least 12 characters');
    }
  });

  it('drains for 5 s and lets requests under way finish for 10 s at shutdown unless told otherwise', () => {
    expect(loadConfig({}).shutdown).to.deep.equal({ drainSeconds: 5, finishSeconds: 10 });
    expect(loadConfig({ SHUTDOWN_DRAIN_SECONDS: '0', SHUTDOWN_FINISH_SECONDS: '30' }).shutdown).to.deep.equal({ drainSeconds: 0, finishSeconds: 30 });
    expect(() => loadConfig({ SHUTDOWN_DRAIN_SECONDS: '-1' })).to.throw(ConfigError, 'SHUTDOWN_DRAIN_SECONDS');
  });

  it('PostgreSQL: a pool of 10 and no statement timeout by default; the pool, timeout and read replica as set; a replica only beside PostgreSQL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).postgres).to.deep.equal({ poolSize: 10, statementTimeoutMs: null, readUrl: null });
    expect(
      loadConfig({ DATABASE_URL: 'postgres://u@h/db', DATABASE_POOL_SIZE: '40', DATABASE_STATEMENT_TIMEOUT_MS: '2000', DATABASE_READ_URL: 'postgres://r@replica/db' }).postgres,
    ).to.deep.equal({ poolSize: 40, statementTimeoutMs: 2000, readUrl: 'postgres://r@replica/db' });
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).to.throw(ConfigError, 'DATABASE_POOL_SIZE');
    expect(() => loadConfig({ DATABASE_READ_URL: 'mysql://x' })).to.throw(ConfigError, 'DATABASE_READ_URL');
    expect(() => loadConfig({ DATABASE_READ_URL: 'postgres://r@replica/db' })).to.throw(ConfigError, 'DATABASE_READ_URL: a read replica needs DATABASE_URL');
  });

  it("takes Gatehouse's AWS credentials from the environment it is given, both keys or none (none: the SDK's chain finds them)", () => {
    expect(loadConfig({}).provisioning.credentials).to.equal(null);
    expect(loadConfig({ AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE' }).provisioning.credentials).to.equal(null);
    expect(loadConfig({ AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: '' }).provisioning.credentials).to.equal(null);
    expect(loadConfig({ AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI' }).provisioning.credentials).to.deep.equal({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI' });
    expect(loadConfig({ AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI', AWS_SESSION_TOKEN: 'FwoGZXIvYXdzE' }).provisioning.credentials).to.deep.equal({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI',
      sessionToken: 'FwoGZXIvYXdzE',
    });
  });
});
