// Two Gatehouse nodes on Redis Sentinel: a private primary, its replica and three Sentinels, failed
// over with SENTINEL FAILOVER while both nodes serve requests.
import { createClient } from 'redis';
import { startRedisSentinel } from '../support/redis-sentinel.ts';
import { redisFailoverScenario } from './redis-failover-scenario.ts';

redisFailoverScenario('two nodes on Redis Sentinel', async () => {
  const sentinel = await startRedisSentinel();
  const ask = await createClient({ url: `redis://127.0.0.1:${sentinel.sentinels[0]!.port}` }).connect();
  const primary = async () => ((await ask.sendCommand(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', sentinel.masterName])) as string[])[1];
  const original = await primary();
  return {
    env: {
      REDIS_SENTINELS: sentinel.sentinels.map((s) => `${s.host}:${s.port}`).join(','),
      REDIS_SENTINEL_MASTER: sentinel.masterName,
    },
    async replicated() {
      // Replication is asynchronous. WAIT counts acknowledgements of this connection's own last
      // write: a write of its own, after the nodes' writes, makes it cover theirs too (replication
      // is in order).
      const onPrimary = await createClient({ url: `redis://127.0.0.1:${original}` }).connect();
      try {
        await onPrimary.set('gh:replication-fence', '1', { expiration: { type: 'EX', value: 600 } });
        for (;;) if (Number(await onPrimary.sendCommand(['WAIT', '1', '2000'])) >= 1) return;
      } finally {
        await onPrimary.close();
      }
    },
    async failover() {
      await ask.sendCommand(['SENTINEL', 'FAILOVER', sentinel.masterName]);
    },
    switched: async () => (await primary()) !== original,
    async stop() {
      await ask.close();
      await sentinel.stop();
    },
  };
});
