// Two Gatehouse nodes on a private Redis Cluster (three masters, a replica each), failed over with
// CLUSTER FAILOVER on the replica of the master holding Gatehouse's slot while both nodes serve.
import { createClient } from 'redis';
import { startRedisCluster } from '../support/redis-cluster.ts';
import { redisFailoverScenario } from './redis-failover-scenario.ts';

redisFailoverScenario('two nodes on a Redis Cluster', async () => {
  const cluster = await startRedisCluster({ replicas: 1 });
  const clients = await Promise.all(cluster.allNodes.map((n) => createClient({ url: `redis://${n.host}:${n.port}` }).connect()));
  // Every Gatehouse key carries the hash tag {gh:} (store/ephemeral/redis.ts), so one slot holds them all.
  const slot = Number(await clients[0]!.sendCommand(['CLUSTER', 'KEYSLOT', '{gh:}session']));
  const role = async (i: number) => ((await clients[i]!.sendCommand(['ROLE'])) as unknown[])[0];
  const myId = async (i: number) => String(await clients[i]!.sendCommand(['CLUSTER', 'MYID']));
  // CLUSTER SHARDS would be simpler but needs Redis 7.0.? everywhere; CLUSTER NODES is universal.
  const nodesLines = String(await clients[0]!.sendCommand(['CLUSTER', 'NODES'])).trim().split('\n');
  const owner = nodesLines
    .map((l) => l.split(' '))
    .find((f) => f[2]!.includes('master') && f.slice(8).some((r) => {
      const [from, to] = r.split('-').map(Number);
      return from! <= slot && slot <= (to ?? from!);
    }))!;
  const ownerId = owner[0]!;
  const ownerIndex = (await Promise.all(clients.map((_, i) => myId(i)))).indexOf(ownerId);
  const replicaLine = nodesLines.map((l) => l.split(' ')).find((f) => f[3] === ownerId)!;
  const replicaIndex = (await Promise.all(clients.map((_, i) => myId(i)))).indexOf(replicaLine[0]!);
  return {
    env: { REDIS_CLUSTER_NODES: cluster.nodes.map((n) => `${n.host}:${n.port}`).join(',') },
    async replicated() {
      // WAIT counts acknowledgements of this connection's own last write: a write of its own in
      // Gatehouse's slot, after the nodes' writes, makes it cover theirs too (replication is in order).
      await clients[ownerIndex]!.sendCommand(['SET', '{gh:}replication-fence', '1', 'EX', '600']);
      for (;;) if (Number(await clients[ownerIndex]!.sendCommand(['WAIT', '1', '2000'])) >= 1) return;
    },
    async failover() {
      await clients[replicaIndex]!.sendCommand(['CLUSTER', 'FAILOVER']);
    },
    switched: async () => (await role(replicaIndex)) === 'master' && (await role(ownerIndex)) === 'slave',
    async stop() {
      await Promise.all(clients.map((c) => c.close()));
      await cluster.stop();
    },
  };
});
