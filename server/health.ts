// /healthz: the process is alive. /readyz: SQL and the ephemeral store answer (503 naming what is
// down otherwise), and the node is not draining for shutdown.
import { Router } from 'express';

export interface HealthRouterDeps {
  dependencyTimeoutMs: number;
  /** What must answer for the node to be ready (named in the 503 when one does not). */
  readiness: { name: string; ping(): Promise<void> }[];
}

async function check(name: string, probe: () => Promise<void>, timeoutMs: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return null;
  } catch {
    return name;
  } finally {
    clearTimeout(timer);
  }
}

export function healthRouter(deps: HealthRouterDeps, state: { draining: boolean }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const timeout = deps.dependencyTimeoutMs;
    const down = (await Promise.all(deps.readiness.map((d) => check(d.name, () => d.ping(), timeout)))).filter((d): d is string => d !== null);
    if (state.draining) down.push('shutting-down');
    res.status(down.length ? 503 : 200).json(down.length ? { status: 'unavailable', down } : { status: 'ready' });
  });
  return router;
}
