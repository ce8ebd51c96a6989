import { readFileSync } from 'node:fs';
import net from 'node:net';

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Ports for servers a test stops and starts again on the same port (slapd, redis-server), chosen
 * below the kernel's ephemeral range (/proc/sys/net/ipv4/ip_local_port_range). The kernel hands
 * out ephemeral ports to every `listen(0)` and outgoing connection, so while such a server is down
 * its port could go to someone else (another test worker's Gatehouse, Redis or slapd) and the
 * restart would find a stranger there. No port below the range is handed out that way; only
 * another explicit pick from this band could take it, and the servers' start-up checks notice that.
 * `count` distinct ports, each free when picked.
 */
export async function restartablePorts(count: number): Promise<number[]> {
  const low = ephemeralRangeStart();
  const band = { from: Math.max(1024, low - 12_000), to: low - 1 };
  const ports: number[] = [];
  for (let tries = 0; ports.length < count; tries++) {
    if (tries >= 200) throw new Error(`no free port in ${band.from}-${band.to}`);
    const port = band.from + Math.floor(Math.random() * (band.to - band.from + 1));
    if (!ports.includes(port) && (await canListen(port))) ports.push(port);
  }
  return ports;
}

function ephemeralRangeStart(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 2048) return low;
  } catch {
    /* not Linux: the IANA dynamic range */
  }
  return 49152;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
