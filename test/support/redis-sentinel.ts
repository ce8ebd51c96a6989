// A private Redis primary + replica watched by three Sentinels, for tests, all on free ports below
// the ephemeral range.
//
//   const sentinel = await startRedisSentinel();
//   after(() => sentinel.stop());
//   ... openEphemeralStore({ redis: { kind: 'sentinel', sentinels: sentinel.sentinels, masterName: sentinel.masterName, ... } }) ...

import fs from 'node:fs';
import path from 'node:path';
import { createClient } from 'redis';
import { restartablePorts } from './free-port.ts';
import { kill, launch, redisTempDir } from './redis-server.ts';

const READY_TIMEOUT_MS = 15000;

export interface PrivateRedisSentinel {
  readonly masterName: string;
  readonly sentinels: { host: string; port: number }[];
  stop(): Promise<void>;
}

export async function startRedisSentinel(): Promise<PrivateRedisSentinel> {
  const masterName = 'gatehouse-test';
  const [primaryPort, replicaPort, ...sentinelPorts] = (await restartablePorts(5)) as [number, number, ...number[]];
  const children = [await launch(primaryPort, redisTempDir())];
  const stop = async (): Promise<void> => {
    await Promise.all(children.map(kill));
  };
  try {
    children.push(await launch(replicaPort, redisTempDir(), ['--replicaof', '127.0.0.1', String(primaryPort)]));
    for (const port of sentinelPorts) {
      const dir = redisTempDir();
      const file = path.join(dir, 'sentinel.conf');
      fs.writeFileSync(
        file,
        [
          `dir ${dir}`,
          `sentinel monitor ${masterName} 127.0.0.1 ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${masterName} 1000`,
          `sentinel failover-timeout ${masterName} 5000`,
          '',
        ].join('\n'),
      );
      children.push(await launch(port, dir, ['--sentinel'], file));
    }
    await untilReplicaKnown(sentinelPorts, masterName);
  } catch (e) {
    await stop();
    throw e;
  }
  return { masterName, sentinels: sentinelPorts.map((port) => ({ host: '127.0.0.1', port })), stop };
}

/** Polls until every Sentinel knows the primary and its replica. */
async function untilReplicaKnown(ports: number[], masterName: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const clients = await Promise.all(ports.map((port) => createClient({ url: `redis://127.0.0.1:${port}` }).connect()));
  try {
    while (Date.now() < deadline) {
      const counts = await Promise.all(
        clients.map(async (c) => {
          const replicas = (await c.sendCommand(['SENTINEL', 'REPLICAS', masterName])) as unknown[];
          return replicas.length;
        }),
      );
      if (counts.every((n) => n >= 1)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the private Sentinels on ${ports.join(', ')} did not see the replica within ${READY_TIMEOUT_MS} ms`);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}
