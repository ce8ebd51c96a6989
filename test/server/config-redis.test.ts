import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../server/config.ts';

describe('configuration: Redis as operators deploy it', () => {
  it('reads Sentinels and the master name, with ACL user, password and TLS', () => {
    const c = loadConfig({
      REDIS_SENTINELS: 'sentinel-a:26379, sentinel-b:26379,[::1]:26380',
      REDIS_SENTINEL_MASTER: 'gatehouse',
      REDIS_USERNAME: 'gatehouse',
      REDIS_PASSWORD: 's3cret',
      REDIS_TLS: 'true',
    });
    expect(c.redis).to.deep.equal({
      kind: 'sentinel',
      sentinels: [{ host: 'sentinel-a', port: 26379 }, { host: 'sentinel-b', port: 26379 }, { host: '::1', port: 26380 }],
      masterName: 'gatehouse',
      username: 'gatehouse',
      password: 's3cret',
      tls: true,
    });
  });

  it('reads Cluster seed nodes', () => {
    const c = loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7000' });
    expect(c.redis).to.deep.equal({
      kind: 'cluster',
      nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7000 }],
      username: null,
      password: null,
      tls: false,
    });
  });

  it('takes TLS from rediss:// and lets user and password in the URL win over the variables', () => {
    expect(loadConfig({ REDIS_URL: 'rediss://app:pw@redis.example:6380', REDIS_PASSWORD: 'other' }).redis).to.deep.equal({
      kind: 'url', url: 'rediss://app:pw@redis.example:6380', username: null, password: null, tls: true,
    });
    expect(loadConfig({ REDIS_URL: 'redis://redis.example', REDIS_USERNAME: 'app', REDIS_PASSWORD: 'pw' }).redis).to.include({ username: 'app', password: 'pw', tls: false });
  });

  for (const [env, message] of [
    [{ REDIS_URL: 'redis://x', REDIS_CLUSTER_NODES: 'a:1' }, 'REDIS_URL / REDIS_CLUSTER_NODES: set only one way'],
    [{ REDIS_SENTINELS: 'a:26379' }, 'REDIS_SENTINEL_MASTER: required with REDIS_SENTINELS'],
    [{ REDIS_SENTINEL_MASTER: 'm' }, 'REDIS_SENTINEL_MASTER: only meaningful with REDIS_SENTINELS'],
    [{ REDIS_SENTINELS: 'a:26379,b', REDIS_SENTINEL_MASTER: 'm' }, 'REDIS_SENTINELS: "b" is not host:port'],
    [{ REDIS_CLUSTER_NODES: 'a:70000' }, 'REDIS_CLUSTER_NODES: "a:70000" is not host:port'],
    [{ REDIS_CLUSTER_NODES: ' , ' }, 'REDIS_CLUSTER_NODES: must list at least one host:port'],
    [{ REDIS_PASSWORD: 'pw' }, 'REDIS_USERNAME / REDIS_PASSWORD: set REDIS_URL'],
    [{ REDIS_TLS: 'maybe' }, 'REDIS_TLS'],
  ] as const) {
    it(`refuses ${JSON.stringify(env)} with a message naming the variable`, () => {
      expect(() => loadConfig(env)).to.throw(ConfigError, message);
    });
  }
});
