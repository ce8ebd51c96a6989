// A private three-master Redis Cluster for tests, on free ports below the ephemeral range (the
// cluster bus ports too, set explicitly: the default port + 10000 could land inside that range).
//
//   const cluster = await startRedisCluster();
//   after(() => cluster.stop());
//   ... openEphemeralStore({ redis: { kind: 'cluster', nodes: cluster.nodes, ... } }) ...

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import { restartablePorts } from './free-port.ts';
import { kill, launch, redisTempDir } from './redis-server.ts';

const run = promisify(execFile);
const READY_TIMEOUT_MS = 15000;

export interface PrivateRedisCluster {
  /** The masters, as given to REDIS_CLUSTER_NODES. */
  readonly nodes: { host: string; port: number }[];
  /** Every data node, replicas included (a replica is where `CLUSTER FAILOVER` is sent). */
  readonly allNodes: { host: string; port: number }[];
  stop(): Promise<void>;
}

/** Three masters; with `replicas: 1`, one replica for each (six data nodes). */
export async function startRedisCluster(options: { replicas?: 0 | 1 } = {}): Promise<PrivateRedisCluster> {
  const replicas = options.replicas ?? 0;
  const dataCount = 3 * (1 + replicas);
  const ports = await restartablePorts(dataCount * 2);
  const dataPorts = ports.slice(0, dataCount);
  const children = await Promise.all(
    dataPorts.map((port, i) => {
      const dir = redisTempDir();
      return launch(port, dir, [
        '--cluster-enabled', 'yes',
        '--cluster-port', String(ports[dataCount + i]),
        '--cluster-config-file', path.join(dir, 'nodes.conf'),
        '--cluster-node-timeout', '1000',
      ]);
    }),
  );
  const stop = async (): Promise<void> => {
    await Promise.all(children.map(kill));
  };
  try {
    await run('redis-cli', ['--cluster', 'create', ...dataPorts.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', String(replicas), '--cluster-yes']);
    await untilClusterOk(dataPorts);
  } catch (e) {
    await stop();
    throw e;
  }
  // redis-cli --cluster create makes the first three nodes the masters.
  const address = (port: number) => ({ host: '127.0.0.1', port });
  return { nodes: dataPorts.slice(0, 3).map(address), allNodes: dataPorts.map(address), stop };
}

/** Polls every node until it reports cluster_state:ok (all slots covered, gossip settled). */
async function untilClusterOk(ports: number[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const clients = await Promise.all(ports.map((port) => createClient({ url: `redis://127.0.0.1:${port}` }).connect()));
  try {
    while (Date.now() < deadline) {
      const infos = await Promise.all(clients.map((c) => c.clusterInfo()));
      if (infos.every((info) => String(info).includes('cluster_state:ok'))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the private Redis Cluster on ${ports.join(', ')} did not reach cluster_state:ok within ${READY_TIMEOUT_MS} ms`);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}
